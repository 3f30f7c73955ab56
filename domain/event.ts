/**
 * The unit of ingest (HTTP and Kafka alike), as SPEC.md defines it.
 *
 * @module
 */

/** Event types the engine understands. */
export const EVENT_TYPES = [
  "order",
  "view",
  "rating",
  "search",
  "operation",
  "click",
  "feedback",
  "profile",
] as const;

/** One of {@linkcode EVENT_TYPES}. */
export type EventType = typeof EVENT_TYPES[number];

/** Where and how the event happened. */
export interface EventContext {
  location?: string;
  device?: string;
  channel?: string;
}

/** The item the event is about. */
export interface EventItem {
  id?: string;
  category?: string;
  price?: number;
  brand?: string;
}

/** A validated event. Only known fields survive validation. */
export interface UserEvent {
  eventId: string;
  userId: string;
  type: EventType;
  /** ISO-8601 as sent. */
  ts: string;
  /** `ts` in epoch milliseconds. */
  tsMs: number;
  context?: EventContext;
  item?: EventItem;
  value?: number;
  query?: string;
}

/** The outcome of validating untrusted input. */
export type EventParseResult =
  | { ok: true; event: UserEvent }
  | { ok: false; reason: string };

/** Largest accepted event, in UTF-8 bytes of its JSON text. */
export const MAX_EVENT_BYTES = 16384;

/** Options for {@linkcode parseEvent} and {@linkcode parseEventJson}. */
export interface ParseEventOptions {
  /** The clock, in epoch milliseconds, that "future" is measured against. Defaults to `Date.now()`. */
  nowMs?: number;
}

const MAX_ID_LENGTH = 128;
const MAX_CONTEXT_LENGTH = 64;
const MAX_ITEM_LENGTH = 128;
const MAX_QUERY_LENGTH = 1000;
const MAX_AMOUNT = 1e9;
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const MIN_TS_MS = Date.UTC(2000, 0, 1);

// Lookup tables instead of regexes: one array read per character, no backtracking.
const EVENT_ID_CHARS = charTable("._:-");
const USER_ID_CHARS = charTable("._:@-");
const TYPES: ReadonlySet<string> = new Set(EVENT_TYPES);
const DAYS_IN_MONTH = [0, 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function charTable(extra: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    if ((c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)) {
      table[c] = 1;
    }
  }
  for (let i = 0; i < extra.length; i++) table[extra.charCodeAt(i)] = 1;
  return table;
}

function fail(reason: string): EventParseResult {
  return { ok: false, reason };
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  if (typeof x !== "object" || x === null) return false;
  const proto = Object.getPrototypeOf(x);
  return proto === Object.prototype || proto === null;
}

function unknownField(
  raw: object,
  key: string,
  prefix: string,
): string | undefined {
  // Enumerable keys inherited from a polluted prototype are not the sender's; skip them.
  if (!Object.hasOwn(raw, key)) return undefined;
  return `unknown field ${JSON.stringify(prefix + key.slice(0, 64))}`;
}

function isId(s: string, table: Uint8Array): boolean {
  const n = s.length;
  if (n === 0 || n > MAX_ID_LENGTH) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || table[c] === 0) return false;
  }
  return true;
}

/**
 * Free text: rejects C0/C1 controls (except `\n` and `\t` when `multiline`),
 * bidi overrides that disguise text, and lone surrogates.
 */
function isText(s: string, maxLength: number, multiline: boolean): boolean {
  const n = s.length;
  if (n > maxLength) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20) {
      if (!multiline || (c !== 0x0a && c !== 0x09)) return false;
    } else if (c < 0x7f) {
      continue;
    } else if (c <= 0x9f) {
      return false;
    } else if ((c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069)) {
      return false;
    } else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1); // NaN past the end
      if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

function digits(s: string, at: number, count: number): number {
  let n = 0;
  for (let i = at; i < at + count; i++) {
    const d = s.charCodeAt(i) - 48;
    if (!(d >= 0 && d <= 9)) return -1;
    n = n * 10 + d;
  }
  return n;
}

/**
 * Epoch ms of `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±hh:mm)`, or NaN. Every field is
 * range-checked here because `Date.parse` accepts `02-31` and `24:00`.
 */
export function parseTimestamp(s: string): number {
  const n = s.length;
  if (n < 20 || n > 35) return NaN;
  if (
    s.charCodeAt(4) !== 45 || s.charCodeAt(7) !== 45 ||
    s.charCodeAt(10) !== 84 ||
    s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58
  ) return NaN;
  const year = digits(s, 0, 4);
  const month = digits(s, 5, 2);
  const day = digits(s, 8, 2);
  const hour = digits(s, 11, 2);
  const minute = digits(s, 14, 2);
  const second = digits(s, 17, 2);
  if (
    year < 0 || month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month]
  ) return NaN;
  if (
    month === 2 && day === 29 &&
    (year % 4 !== 0 || (year % 100 === 0 && year % 400 !== 0))
  ) {
    return NaN;
  }
  if (
    hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 ||
    second > 59
  ) return NaN;
  let i = 19;
  let ms = 0;
  if (s.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < n && i - start < 9) {
      const d = s.charCodeAt(i) - 48;
      if (!(d >= 0 && d <= 9)) break;
      if (i - start < 3) {
        ms += d * (i === start ? 100 : i === start + 1 ? 10 : 1);
      }
      i++;
    }
    if (i === start) return NaN;
  }
  let offsetMinutes = 0;
  const zone = s.charCodeAt(i);
  if (zone === 90) {
    if (i + 1 !== n) return NaN;
  } else if (zone === 43 || zone === 45) {
    if (i + 6 !== n || s.charCodeAt(i + 3) !== 58) return NaN;
    const offsetHour = digits(s, i + 1, 2);
    const offsetMinute = digits(s, i + 4, 2);
    if (
      offsetHour < 0 || offsetHour > 23 || offsetMinute < 0 || offsetMinute > 59
    ) return NaN;
    offsetMinutes = (zone === 43 ? 1 : -1) * (offsetHour * 60 + offsetMinute);
  } else {
    return NaN;
  }
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) -
    offsetMinutes * 60_000;
}

function isAmount(x: number, min: number): boolean {
  return x >= min && x <= MAX_AMOUNT; // false for NaN
}

/**
 * Validates untrusted input (a parsed JSON value) into a {@linkcode UserEvent}.
 * Never throws. Unknown fields anywhere are rejected, and the result is built
 * from known fields only, so `__proto__` in the input cannot reach it.
 *
 * Type-specific rules:
 * - `rating`: `value` in 1..5.
 * - `order`: an amount (`value`, else `item.price`) in 0..1e9.
 * - `operation`: an amount (`value`, else `item.price`); `value` may be
 *   negative down to -1e9 (a debit).
 * - `search`: a non-empty `query`.
 * - `feedback`: `item.id` (what the feedback is about) and an integer `value`
 *   in -2..2: -2 complaint, -1 dislike, 0 neutral, 1 like, 2 conversion.
 *
 * Optional fields may be absent or `null` (both mean "not given"); on the
 * event they are present as `undefined`, so every event has the same shape.
 * A required field that is `null` counts as missing.
 */
export function parseEvent(
  raw: unknown,
  options?: ParseEventOptions,
): EventParseResult {
  try {
    return validate(raw, options?.nowMs ?? Date.now());
  } catch {
    // Only hostile direct objects (throwing getters, proxies) get here; JSON input cannot.
    return fail("invalid event");
  }
}

/**
 * The Kafka path: JSON text to a validated event. Rejects text over
 * {@linkcode MAX_EVENT_BYTES} before parsing and malformed JSON with a
 * reason. Never throws.
 */
export function parseEventJson(
  text: string,
  options?: ParseEventOptions,
): EventParseResult {
  if (typeof text !== "string") return fail("not a string");
  if (text.length > MAX_EVENT_BYTES) return fail("too large");
  // A UTF-16 unit is at most 3 UTF-8 bytes; count exactly only when it could matter.
  if (text.length * 3 > MAX_EVENT_BYTES && utf8Length(text) > MAX_EVENT_BYTES) {
    return fail("too large");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return fail("malformed json");
  }
  return parseEvent(raw, options);
}

function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      bytes += 4;
      i++;
    } else bytes += 3;
  }
  return bytes;
}

function validate(raw: unknown, nowMs: number): EventParseResult {
  if (!isPlainObject(raw)) return fail("not an object");
  for (const key in raw) {
    switch (key) {
      case "eventId":
      case "userId":
      case "type":
      case "ts":
      case "context":
      case "item":
      case "value":
      case "query":
        break;
      default: {
        const reason = unknownField(raw, key, "");
        if (reason !== undefined) return fail(reason);
      }
    }
  }

  const eventId = raw.eventId;
  if (eventId === undefined || eventId === null) return fail("missing eventId");
  if (typeof eventId !== "string") return fail("wrong type for eventId");
  if (!isId(eventId, EVENT_ID_CHARS)) return fail("bad eventId");

  const userId = raw.userId;
  if (userId === undefined || userId === null) return fail("missing userId");
  if (typeof userId !== "string") return fail("wrong type for userId");
  if (!isId(userId, USER_ID_CHARS)) return fail("bad userId");

  const type = raw.type;
  if (type === undefined || type === null) return fail("missing type");
  if (typeof type !== "string") return fail("wrong type for type");
  if (!TYPES.has(type)) {
    return fail(`unknown type ${JSON.stringify(type.slice(0, 32))}`);
  }

  const ts = raw.ts;
  if (ts === undefined || ts === null) return fail("missing ts");
  if (typeof ts !== "string") return fail("wrong type for ts");
  const tsMs = parseTimestamp(ts);
  if (!(tsMs >= MIN_TS_MS)) return fail("bad timestamp");
  if (tsMs > nowMs + MAX_CLOCK_SKEW_MS) return fail("future timestamp");

  let context: EventContext | undefined;
  const rawContext = raw.context;
  if (rawContext != null) {
    const result = parseContext(rawContext);
    if (typeof result === "string") return fail(result);
    context = result;
  }

  let item: EventItem | undefined;
  const rawItem = raw.item;
  if (rawItem != null) {
    const result = parseItem(rawItem);
    if (typeof result === "string") return fail(result);
    item = result;
  }

  let value: number | undefined;
  const rawValue = raw.value;
  if (rawValue != null) {
    if (typeof rawValue !== "number") return fail("wrong type for value");
    if (!isAmount(rawValue, -MAX_AMOUNT)) return fail("absurd amount");
    value = rawValue;
  }

  let query: string | undefined;
  const rawQuery = raw.query;
  if (rawQuery != null) {
    if (typeof rawQuery !== "string") return fail("wrong type for query");
    if (!isText(rawQuery, MAX_QUERY_LENGTH, true)) return fail("bad query");
    query = rawQuery;
  }

  switch (type as EventType) {
    case "rating":
      if (value === undefined) return fail("missing value");
      if (!(value >= 1 && value <= 5)) return fail("bad rating");
      break;
    case "order":
    case "operation": {
      const amount = value ?? item?.price;
      if (amount === undefined) return fail("missing amount");
      if (type === "order" && !isAmount(amount, 0)) {
        return fail("absurd amount");
      }
      break;
    }
    case "search":
      if (query === undefined || query.length === 0) {
        return fail("missing query");
      }
      break;
    case "feedback":
      if (item?.id === undefined) return fail("missing item.id");
      if (value === undefined) return fail("missing value");
      if (!Number.isInteger(value) || value < -2 || value > 2) {
        return fail("bad feedback value");
      }
      break;
  }

  return {
    ok: true,
    event: {
      eventId,
      userId,
      type: type as EventType,
      ts,
      tsMs,
      context,
      item,
      value,
      query,
    },
  };
}

function parseContext(raw: unknown): EventContext | string {
  if (!isPlainObject(raw)) return "wrong type for context";
  for (const key in raw) {
    if (key !== "location" && key !== "device" && key !== "channel") {
      const reason = unknownField(raw, key, "context.");
      if (reason !== undefined) return reason;
    }
  }
  const location = raw.location ?? undefined;
  const device = raw.device ?? undefined;
  const channel = raw.channel ?? undefined;
  const reason = checkText(location, "context.location", MAX_CONTEXT_LENGTH) ??
    checkText(device, "context.device", MAX_CONTEXT_LENGTH) ??
    checkText(channel, "context.channel", MAX_CONTEXT_LENGTH);
  if (reason !== undefined) return reason;
  return {
    location: location as string | undefined,
    device: device as string | undefined,
    channel: channel as string | undefined,
  };
}

function parseItem(raw: unknown): EventItem | string {
  if (!isPlainObject(raw)) return "wrong type for item";
  for (const key in raw) {
    if (
      key !== "id" && key !== "category" && key !== "price" && key !== "brand"
    ) {
      const reason = unknownField(raw, key, "item.");
      if (reason !== undefined) return reason;
    }
  }
  const id = raw.id ?? undefined;
  const category = raw.category ?? undefined;
  const brand = raw.brand ?? undefined;
  const price = raw.price ?? undefined;
  const reason = checkText(id, "item.id", MAX_ITEM_LENGTH) ??
    checkText(category, "item.category", MAX_ITEM_LENGTH) ??
    checkText(brand, "item.brand", MAX_ITEM_LENGTH);
  if (reason !== undefined) return reason;
  if (id === "") return "bad item.id";
  if (price !== undefined) {
    if (typeof price !== "number") return "wrong type for item.price";
    if (!isAmount(price, 0)) return "absurd amount";
  }
  return {
    id: id as string | undefined,
    category: category as string | undefined,
    price: price as number | undefined,
    brand: brand as string | undefined,
  };
}

function checkText(
  x: unknown,
  field: string,
  maxLength: number,
): string | undefined {
  if (x === undefined) return undefined;
  if (typeof x !== "string") return `wrong type for ${field}`;
  if (!isText(x, maxLength, false)) return `bad ${field}`;
  return undefined;
}
