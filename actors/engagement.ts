/**
 * How a user engages with offers: consents, the contact history per product
 * (impressions, dismissals, complaints, attributed conversions), feedback
 * counters and the last primary offer pushed. The actor holds it only once
 * there is something to hold, so an idle actor without engagement pays nothing.
 *
 * Consents and feedback arrive as events (durable, replayable, exactly once);
 * impressions and the last primary are recorded by the engine when it shows
 * or pushes an offer, and persist with the next snapshot.
 *
 * @module
 */

import {
  CONSENT_PURPOSES,
  type ConsentPurpose,
  type Consents,
  type ContactRecord,
} from "../decision/types.ts";

const DAY_MS = 86_400_000;
/** A conversion within this long after an impression is attributed to the offer. */
export const ATTRIBUTION_WINDOW_MS = 30 * DAY_MS;
/** Impressions kept per product (the frequency cap looks at the last week). */
export const MAX_IMPRESSIONS = 8;
/** Products with a contact history kept per user; the oldest contact falls off. */
export const MAX_CONTACTS = 32;

/** Consents that were never set: personalization and LLM processing on, marketing pushes on. */
export const DEFAULT_CONSENTS: Consents = { personalization: true, marketing: true, llm: true };

/** Feedback signals as the `feedback` event's value. */
export const FEEDBACK_VALUES = { complaint: -2, dislike: -1, neutral: 0, like: 1, conversion: 2 } as const;

/** Counters of feedback the user gave. */
export interface FeedbackCounters {
  likes: number;
  dislikes: number;
  complaints: number;
  clicks: number;
  conversions: number;
  /** Conversions within the attribution window of an impression of the same product. */
  attributed: number;
}

/** Snapshot form of {@linkcode Engagement}. */
export interface EngagementJson {
  consents: Partial<Consents>;
  contacts: ContactRecord[];
  counters: FeedbackCounters;
  lastPrimary: string | null;
  lastPrimaryAtMs: number | null;
}

const EMPTY_COUNTERS: FeedbackCounters = {
  likes: 0,
  dislikes: 0,
  complaints: 0,
  clicks: 0,
  conversions: 0,
  attributed: 0,
};

/** An impression counts unless the product was already shown the same (UTC) day. */
function impressionCounts(contact: { shownAtMs: readonly number[] }, atMs: number): boolean {
  const last = contact.shownAtMs[contact.shownAtMs.length - 1];
  return last === undefined || Math.floor(last / DAY_MS) !== Math.floor(atMs / DAY_MS);
}

interface MutableContact {
  productId: string;
  shownAtMs: number[];
  dismissedAtMs: number | null;
  complainedAtMs: number | null;
  convertedAtMs: number | null;
}

/** A user's consents, contact history and feedback. */
export class Engagement {
  #consents: Partial<Consents>;
  #contacts: MutableContact[];
  readonly counters: FeedbackCounters;
  lastPrimary: string | null;
  lastPrimaryAtMs: number | null;

  constructor(json?: EngagementJson) {
    this.#consents = { ...json?.consents };
    this.#contacts = (json?.contacts ?? []).map((contact) => ({
      ...contact,
      shownAtMs: [...contact.shownAtMs],
    }));
    this.counters = { ...EMPTY_COUNTERS, ...json?.counters };
    this.lastPrimary = json?.lastPrimary ?? null;
    this.lastPrimaryAtMs = json?.lastPrimaryAtMs ?? null;
  }

  /** Effective consents (defaults for purposes never set). */
  get consents(): Consents {
    return { ...DEFAULT_CONSENTS, ...this.#consents };
  }

  /** Sets one consent; returns false for an unknown purpose. */
  setConsent(purpose: string, granted: boolean): boolean {
    if (!(CONSENT_PURPOSES as readonly string[]).includes(purpose)) return false;
    this.#consents[purpose as ConsentPurpose] = granted;
    return true;
  }

  /** The contact history the decision layer reads. */
  get contacts(): readonly ContactRecord[] {
    return this.#contacts;
  }

  #contact(productId: string): MutableContact {
    let contact = this.#contacts.find((entry) => entry.productId === productId);
    if (contact === undefined) {
      contact = { productId, shownAtMs: [], dismissedAtMs: null, complainedAtMs: null, convertedAtMs: null };
      this.#contacts.push(contact);
      if (this.#contacts.length > MAX_CONTACTS) this.#contacts.shift();
    }
    return contact;
  }

  /**
   * Records an impression. At most one per product per day counts, so a page
   * reloaded ten times is one contact. Returns whether it was recorded.
   */
  recordImpression(productId: string, atMs: number): boolean {
    const contact = this.#contact(productId);
    if (!impressionCounts(contact, atMs)) return false;
    contact.shownAtMs.push(atMs);
    if (contact.shownAtMs.length > MAX_IMPRESSIONS) contact.shownAtMs.shift();
    return true;
  }

  /** Whether {@linkcode recordImpression} would record this impression (it changes nothing). */
  wouldRecordImpression(productId: string, atMs: number): boolean {
    const contact = this.#contacts.find((entry) => entry.productId === productId);
    return contact === undefined || impressionCounts(contact, atMs);
  }

  /** Applies a feedback signal about a product (see {@linkcode FEEDBACK_VALUES}). */
  recordFeedback(productId: string, value: number, atMs: number): void {
    if (value === FEEDBACK_VALUES.like) {
      this.counters.likes++;
      return;
    }
    if (value === FEEDBACK_VALUES.neutral) return;
    const contact = this.#contact(productId);
    if (value === FEEDBACK_VALUES.dislike) {
      this.counters.dislikes++;
      contact.dismissedAtMs = Math.max(contact.dismissedAtMs ?? 0, atMs);
    } else if (value === FEEDBACK_VALUES.complaint) {
      this.counters.complaints++;
      contact.complainedAtMs = Math.max(contact.complainedAtMs ?? 0, atMs);
      contact.dismissedAtMs = Math.max(contact.dismissedAtMs ?? 0, atMs);
    } else if (value === FEEDBACK_VALUES.conversion) {
      this.recordConversion(productId, atMs);
    }
  }

  /** A click on an offer. */
  recordClick(): void {
    this.counters.clicks++;
  }

  /**
   * A conversion (the product was opened). It is attributed to the offer when an
   * impression of the same product happened within the attribution window before it.
   */
  recordConversion(productId: string, atMs: number): void {
    const existing = this.#contacts.find((entry) => entry.productId === productId);
    const attributed = existing !== undefined &&
      existing.shownAtMs.some((shown) => shown <= atMs && atMs - shown <= ATTRIBUTION_WINDOW_MS);
    this.counters.conversions++;
    if (attributed) this.counters.attributed++;
    const contact = existing ?? this.#contact(productId);
    contact.convertedAtMs = Math.max(contact.convertedAtMs ?? 0, atMs);
  }

  /** Whether a conversion of `productId` at `atMs` would be attributed (for reporting). */
  hasImpressionBefore(productId: string, atMs: number): boolean {
    const contact = this.#contacts.find((entry) => entry.productId === productId);
    return contact !== undefined &&
      contact.shownAtMs.some((shown) => shown <= atMs && atMs - shown <= ATTRIBUTION_WINDOW_MS);
  }

  /** Remembers the primary offer that was pushed. */
  setPrimary(productId: string, atMs: number): void {
    this.lastPrimary = productId;
    this.lastPrimaryAtMs = atMs;
  }

  /** A rough count of the bytes held. */
  bytes(): number {
    let bytes = 160;
    for (const contact of this.#contacts) bytes += 96 + contact.shownAtMs.length * 8;
    return bytes;
  }

  /** Snapshot form. */
  toJSON(): EngagementJson {
    return {
      consents: { ...this.#consents },
      contacts: this.#contacts.map((contact) => ({ ...contact, shownAtMs: [...contact.shownAtMs] })),
      counters: { ...this.counters },
      lastPrimary: this.lastPrimary,
      lastPrimaryAtMs: this.lastPrimaryAtMs,
    };
  }
}
