/**
 * The user actor: one per user, holding the live state the engine decides
 * from. It is a plain synchronous state machine; the supervisor owns its
 * mailbox, persistence and failure handling.
 *
 * @module
 */

import type { UserEvent } from "../domain/event.ts";
import { BankProfile, type BankProfileJson } from "../model/bank_profile.ts";
import { productByCode } from "../model/products.ts";
import { Engagement, type EngagementJson } from "./engagement.ts";
import { FEATURE_WINDOW_SLOTS, FeatureWindow } from "../model/feature_window.ts";
import { intern } from "./intern.ts";
import {
  EVENT_WEIGHTS,
  PREFERENCE_NUMBERS,
  PREFERENCE_SLOTS,
  Preferences,
  type PreferencesJson,
  priceBand,
} from "./preferences.ts";

/** Messages a user actor understands. */
export type UserActorMessage =
  | { type: "event.apply"; event: UserEvent; partition: number; offset: number }
  | {
    type: "session.turn";
    sessionId: string;
    role: "user" | "assistant";
    text: string;
    atMs: number;
  }
  | { type: "session.expire"; nowMs: number }
  | { type: "profile.refresh"; nowMs: number }
  | { type: "offer.shown"; productIds: readonly string[]; atMs: number }
  | { type: "offer.pushed"; productId: string; atMs: number };

/** What handling one message did. */
export type UserActorResult =
  | { ok: true; applied: true }
  | { ok: true; applied: false; reason: "replayed" | "skipped" | "transient" }
  | { ok: false; reason: string };

/** One dialog turn. */
export interface DialogTurn {
  role: "user" | "assistant";
  text: string;
  atMs: number;
}

/** The dialog session; it expires after {@linkcode SESSION_TTL_MS} of silence. */
export interface Session {
  id: string;
  turns: DialogTurn[];
  expiresAtMs: number;
}

/** Session time to live after the last turn. */
export const SESSION_TTL_MS = 30 * 60_000;
/** Turns kept per session; older ones fall off. */
export const MAX_SESSION_TURNS = 20;
/** Characters kept per turn. */
export const MAX_TURN_CHARS = 4_000;
/** Recent event ids remembered for idempotency (as 52-bit hashes). */
export const RECENT_EVENT_IDS = 32;

/** The persisted form of an actor, versioned for future migrations. */
export interface UserActorSnapshot {
  version: 1;
  userId: string;
  partition: number;
  offset: number;
  eventsApplied: number;
  recent: number[];
  recentCursor: number;
  preferences: PreferencesJson;
  window: (number | null)[];
  location: string | null;
  session: Session | null;
  /** Absent for users who never had a bank event. */
  bank?: BankProfileJson;
  /** Absent for users who never set a consent, saw an offer or gave feedback. */
  engagement?: EngagementJson;
}

/** Preference keys that carry feedback about a bank product family (`bank:<family>`). */
export const BANK_FAMILY_PREFIX = "bank:";
/** Profile events with `item.id` `consent:<purpose>` set a consent (`value` 1 or 0). */
export const CONSENT_PREFIX = "consent:";

const TWO_TO_32 = 2 ** 32;
// Keeps 20 bits of the first hash so that both fit one double exactly (52 bits).
const HIGH_MASK = 0xfffff;

/**
 * Hashes an event id to one 52-bit number: 20 bits of FNV-1a and 32 of djb2,
 * exact in a double. Zero marks an empty slot.
 */
function hashEventId(id: string): number {
  let fnv = 0x811c9dc5;
  let djb = 5381;
  for (let i = 0; i < id.length; i++) {
    const code = id.charCodeAt(i);
    fnv = Math.imul(fnv ^ code, 0x01000193);
    djb = (Math.imul(djb, 33) + code) | 0;
  }
  return ((fnv >>> 0) & HIGH_MASK) * TWO_TO_32 + (djb >>> 0);
}

// Layout of the actor's one plain array of doubles. Typed arrays cost about 200
// bytes of wrappers each in Deno; one packed double array costs 8 bytes a number.
const RECENT_AT = 0;
const RECENT_CURSOR = RECENT_AT + RECENT_EVENT_IDS;
const PREFERENCES_AT = RECENT_CURSOR + 1;
const WINDOW_AT = PREFERENCES_AT + PREFERENCE_NUMBERS;
const NUMBER_COUNT = WINDOW_AT + FEATURE_WINDOW_SLOTS;

/**
 * A zero-filled array in V8's PACKED_DOUBLE_ELEMENTS kind: 8 bytes a number,
 * and no kind transition (a copy) when NaN or a fraction is stored later.
 */
function packedDoubles(length: number): number[] {
  const numbers: number[] = [];
  for (let i = 0; i < length; i++) numbers.push(0.5);
  return numbers.fill(0);
}

/** The live state of one user. */
export class UserActor {
  readonly userId: string;
  readonly partition: number;
  /** Offset of the last event applied from the partition; -1 for none. */
  offset: number;
  eventsApplied: number;
  /**
   * Bumped by every message that may have changed the state (events, session
   * turns, impressions, pushes, refreshes, skips); not persisted, so a new
   * actor object (activation, restart) starts again at 0. Caches of answers
   * derived from the state key on the actor object and this number.
   */
  revision = 0;
  /** Every number of the actor: recent ids, preferences, feature window (see the layout above). */
  #numbers: number[];
  #preferenceKeys: (string | null)[];
  /** The bank profile's slots; null until the first bank event. */
  #bank: number[] | null;
  location: string | null;
  session: Session | null;
  /** Consents, contact history and feedback; null until there is any. */
  engagement: Engagement | null;

  constructor(userId: string, partition: number, snapshot?: UserActorSnapshot) {
    this.userId = userId;
    this.partition = partition;
    const numbers = packedDoubles(NUMBER_COUNT);
    this.#numbers = numbers;
    this.#preferenceKeys = new Array<string | null>(PREFERENCE_SLOTS).fill(null);
    if (snapshot) {
      if (snapshot.version !== 1) throw new RangeError(`Unknown snapshot version ${snapshot.version}`);
      if (snapshot.userId !== userId) throw new RangeError("Snapshot belongs to another user");
      this.offset = snapshot.offset;
      this.eventsApplied = snapshot.eventsApplied;
      for (let i = 0; i < RECENT_EVENT_IDS; i++) {
        const high = snapshot.recent[i * 2] ?? 0;
        const low = snapshot.recent[i * 2 + 1] ?? 0;
        numbers[RECENT_AT + i] = (high & HIGH_MASK) * TWO_TO_32 + (low >>> 0);
      }
      numbers[RECENT_CURSOR] = snapshot.recentCursor;
      new Preferences(snapshot.preferences, this.#preferenceStorage());
      new FeatureWindow(snapshot.window, { array: numbers, at: WINDOW_AT });
      this.location = snapshot.location === null ? null : intern(snapshot.location);
      this.session = snapshot.session;
      this.#bank = snapshot.bank ? new BankProfile(snapshot.bank).slots : null;
      this.engagement = snapshot.engagement ? new Engagement(snapshot.engagement) : null;
    } else {
      this.offset = -1;
      this.eventsApplied = 0;
      FeatureWindow.initialize({ array: numbers, at: WINDOW_AT });
      this.location = null;
      this.session = null;
      this.#bank = null;
      this.engagement = null;
    }
  }

  /** The engagement state, created on first use. */
  #engaged(): Engagement {
    return this.engagement ??= new Engagement();
  }

  /** Bank product families the user disliked or complained about (negative preference weight). */
  dislikedFamilies(): Set<string> {
    const families = new Set<string>();
    for (const entry of this.preferences.top("category")) {
      if (entry.key.startsWith(BANK_FAMILY_PREFIX) && (entry.short < 0 || entry.long < 0)) {
        families.add(entry.key.slice(BANK_FAMILY_PREFIX.length));
      }
    }
    return families;
  }

  #preferenceStorage() {
    return { array: this.#numbers, at: PREFERENCES_AT, keys: this.#preferenceKeys };
  }

  /** Short- and long-term preference vectors (a view over the actor's numbers). */
  get preferences(): Preferences {
    return new Preferences(undefined, this.#preferenceStorage());
  }

  /** The feature window the models read (a view over the actor's numbers). */
  get window(): FeatureWindow {
    return new FeatureWindow(undefined, { array: this.#numbers, at: WINDOW_AT });
  }

  /** Bank demographics, holdings, flows and life events; null until the first bank event. */
  get bank(): BankProfile | null {
    return this.#bank === null ? null : new BankProfile(this.#bank);
  }

  /** Handles one message to completion. Throws only on a bug. */
  receive(message: UserActorMessage): UserActorResult {
    const result = this.#receive(message);
    // An impression not recorded again (one a day per product) leaves the state as it was; any other
    // message may have changed what a decision reads.
    if (!(message.type === "offer.shown" && result.ok && !result.applied)) this.revision++;
    return result;
  }

  #receive(message: UserActorMessage): UserActorResult {
    switch (message.type) {
      case "event.apply":
        return this.#apply(message.event, message.offset);
      case "session.turn":
        return this.#turn(message);
      case "session.expire":
        if (this.session !== null && this.session.expiresAtMs <= message.nowMs) this.session = null;
        return { ok: true, applied: true };
      case "profile.refresh":
        // The periodic long-term pass: bring decayed weights up to date and drop a stale session.
        // Exponential decay composes, so the result needs no snapshot: a restored
        // actor decays to the same weights.
        this.preferences.decayTo(message.nowMs);
        if (this.session !== null && this.session.expiresAtMs <= message.nowMs) this.session = null;
        return { ok: true, applied: false, reason: "transient" };
      case "offer.shown": {
        let recorded = false;
        for (const productId of message.productIds) {
          if (this.#engaged().recordImpression(productId, message.atMs)) recorded = true;
        }
        return recorded ? { ok: true, applied: true } : { ok: true, applied: false, reason: "skipped" };
      }
      case "offer.pushed":
        this.#engaged().recordImpression(message.productId, message.atMs);
        this.#engaged().setPrimary(message.productId, message.atMs);
        return { ok: true, applied: true };
    }
  }

  /**
   * Whether an `offer.shown` of these products at `atMs` would record anything
   * (an impression counts once a day per product), so a caller can skip
   * sending one that would change nothing.
   */
  wouldRecordImpression(productIds: readonly string[], atMs: number): boolean {
    if (productIds.length === 0) return false;
    const engagement = this.engagement;
    if (engagement === null) return true;
    for (const productId of productIds) if (engagement.wouldRecordImpression(productId, atMs)) return true;
    return false;
  }

  /** Whether an event with this id is among the recently applied ones. */
  hasRecentEvent(eventId: string): boolean {
    const hash = hashEventId(eventId);
    for (let i = RECENT_AT; i < RECENT_AT + RECENT_EVENT_IDS; i++) if (this.#numbers[i] === hash) return true;
    return false;
  }

  /** Moves the offset past a record without applying it (poison or invalid). */
  skip(offset: number): UserActorResult {
    if (offset <= this.offset) return { ok: true, applied: false, reason: "replayed" };
    this.offset = offset;
    this.revision++;
    return { ok: true, applied: false, reason: "skipped" };
  }

  #apply(event: UserEvent, offset: number): UserActorResult {
    // Offsets make replay after a crash exact; event ids catch producer retries.
    if (offset <= this.offset) return { ok: true, applied: false, reason: "replayed" };
    const hash = hashEventId(event.eventId);
    const numbers = this.#numbers;
    if (hash !== 0) {
      for (let i = RECENT_AT; i < RECENT_AT + RECENT_EVENT_IDS; i++) {
        if (numbers[i] === hash) {
          this.offset = offset;
          return { ok: false, reason: "duplicate eventId" };
        }
      }
    }
    const amount = event.value ?? event.item?.price ?? 0;
    const weight = event.type === "feedback" || event.type === "rating"
      ? EVENT_WEIGHTS[event.type] * (event.type === "rating" ? (event.value ?? 3) - 3 : event.value ?? 0)
      : EVENT_WEIGHTS[event.type];
    const item = event.item;
    const channel = event.context?.channel ?? null;
    const hasAmount = amount !== 0 && (event.type === "order" || event.type === "operation" ||
      event.type === "view" || event.type === "click");
    this.preferences.update(
      {
        category: item?.category ?? null,
        brand: item?.brand ?? null,
        priceBand: hasAmount ? priceBand(amount) : null,
        channel,
      },
      weight,
      event.tsMs,
    );
    const money = event.type === "order" || event.type === "operation" ? amount : 0;
    this.window.add(event.type, event.tsMs, money);
    this.#engage(event);
    if (
      (event.type === "profile" && !event.item?.id?.startsWith(CONSENT_PREFIX)) || event.type === "operation"
    ) {
      if (this.#bank === null) this.#bank = new BankProfile().slots;
      new BankProfile(this.#bank).apply(event);
    }
    const location = event.context?.location;
    if (location !== undefined) this.location = intern(location);
    const cursor = numbers[RECENT_CURSOR];
    numbers[RECENT_AT + cursor] = hash;
    numbers[RECENT_CURSOR] = (cursor + 1) % RECENT_EVENT_IDS;
    this.offset = offset;
    this.eventsApplied += 1;
    return { ok: true, applied: true };
  }

  /** Consents, feedback on offers and attributed conversions. */
  #engage(event: UserEvent): void {
    const id = event.item?.id;
    if (id === undefined) return;
    if (event.type === "profile") {
      if (id.startsWith(CONSENT_PREFIX)) {
        this.#engaged().setConsent(id.slice(CONSENT_PREFIX.length), event.value !== 0);
      } else if (event.value === 1 && productByCode(id) !== undefined && this.engagement !== null) {
        // A product opened while its offer was recently shown: an attributed conversion.
        if (this.engagement.hasImpressionBefore(id, event.tsMs)) {
          this.engagement.recordConversion(id, event.tsMs);
        }
      }
      return;
    }
    if (productByCode(id) === undefined) return;
    if (event.type === "feedback") this.#engaged().recordFeedback(id, event.value ?? 0, event.tsMs);
    else if (event.type === "click") this.#engaged().recordClick();
  }

  #turn(message: Extract<UserActorMessage, { type: "session.turn" }>): UserActorResult {
    let session = this.session;
    if (session === null || session.id !== message.sessionId || session.expiresAtMs <= message.atMs) {
      session = { id: message.sessionId, turns: [], expiresAtMs: 0 };
      this.session = session;
    }
    session.turns.push({
      role: message.role,
      text: message.text.slice(0, MAX_TURN_CHARS),
      atMs: message.atMs,
    });
    if (session.turns.length > MAX_SESSION_TURNS) session.turns.shift();
    session.expiresAtMs = message.atMs + SESSION_TTL_MS;
    return { ok: true, applied: true };
  }

  /** A rough count of the bytes this actor holds beyond its fixed part. */
  variableBytes(): number {
    const engagement = this.engagement === null ? 0 : this.engagement.bytes();
    if (this.session === null) return engagement;
    let bytes = 64 + engagement;
    for (const turn of this.session.turns) bytes += 48 + turn.text.length * 2;
    return bytes;
  }

  /** The persisted form. */
  toSnapshot(): UserActorSnapshot {
    return {
      version: 1,
      userId: this.userId,
      partition: this.partition,
      offset: this.offset,
      eventsApplied: this.eventsApplied,
      recent: this.#recentPairs(),
      recentCursor: this.#numbers[RECENT_CURSOR],
      preferences: this.preferences.toJSON(),
      window: this.window.toJSON(),
      location: this.location,
      session: this.session,
      ...(this.#bank ? { bank: new BankProfile(this.#bank).toJSON() } : {}),
      ...(this.engagement ? { engagement: this.engagement.toJSON() } : {}),
    };
  }

  /** Recent ids as the snapshot keeps them: two 32-bit halves each. */
  #recentPairs(): number[] {
    const pairs = new Array<number>(RECENT_EVENT_IDS * 2);
    for (let i = 0; i < RECENT_EVENT_IDS; i++) {
      const hash = this.#numbers[RECENT_AT + i];
      pairs[i * 2] = Math.floor(hash / TWO_TO_32);
      pairs[i * 2 + 1] = hash % TWO_TO_32;
    }
    return pairs;
  }
}

export { decodeSnapshot, encodeSnapshot } from "./snapshot_codec.ts";
