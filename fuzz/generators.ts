/**
 * Seeded generators of malformed input for every way into the engine: events
 * (as JSON text, for `POST /v1/events` and straight onto the `events` topic),
 * Kafka request/reply records, and request bodies and query strings for the
 * user endpoints. Most of what they make is invalid on purpose; some is valid
 * but strange, and the tests work out which is which from the engine's own
 * validators.
 *
 * @module
 */

import {
  HOSTILE_KEYS,
  HOSTILE_NUMBERS,
  HOSTILE_STRINGS,
  hostileJson,
  hostileValue,
} from "./hostile_values.ts";
import type { Random } from "./random.ts";

/** JSON text placeholders for what `JSON.stringify` cannot write. */
const PROTO_KEY = "@@proto@@";
const INFINITE = "@@infinite@@";

/** `JSON.stringify` plus the placeholders: an own `__proto__` key and `1e999`. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value)
    .replaceAll(`"${PROTO_KEY}"`, `"__proto__"`)
    .replaceAll(`"${INFINITE}"`, "1e999");
}

/** A valid event for `userId`, one hour old. */
export function validEvent(random: Random, userId: string, nowMs: number): Record<string, unknown> {
  const ts = new Date(nowMs - 3_600_000 - random.int(86_400_000)).toISOString();
  const base = { eventId: crypto.randomUUID(), userId, ts, context: { channel: "mobile", location: "msk" } };
  switch (random.int(4)) {
    case 0:
      return { ...base, type: "view", item: { id: `sku-${random.int(300)}`, category: "dairy", price: 89 } };
    case 1:
      return { ...base, type: "operation", item: { category: "groceries" }, value: -(1 + random.int(5_000)) };
    case 2:
      return { ...base, type: "search", query: random.pick(["молоко", "кефир без лактозы", "coffee"]) };
    default:
      return { ...base, type: "rating", item: { id: `sku-${random.int(300)}` }, value: 1 + random.int(5) };
  }
}

type Mutation = (event: Record<string, unknown>, random: Random, nowMs: number) => void;

const FIELDS = ["eventId", "userId", "type", "ts"] as const;

const MUTATIONS: Mutation[] = [
  // Missing ids and fields.
  (event, random) => delete event[random.pick(FIELDS)],
  (event, random) => event[random.pick(FIELDS)] = null,
  // Wrong types anywhere.
  (event, random) =>
    event[random.pick([...FIELDS, "context", "item", "value", "query"])] = hostileValue(random),
  (event, random) => event.item = { ...(event.item as object), price: hostileValue(random) },
  (event, random) => event.context = { channel: hostileValue(random) },
  // Unknown types.
  (event, random) =>
    event.type = random.pick(["purchase", "ORDER", "order ", "", "view\u0000", "drop_table"]),
  // Bad and future timestamps.
  (event, random) =>
    event.ts = random.pick([
      "2026-02-30T10:00:00Z",
      "2026-13-01T00:00:00Z",
      "2026-01-01T24:00:00Z",
      "2026-01-01",
      "yesterday",
      "1999-12-31T23:59:59Z",
      "0000-01-01T00:00:00Z",
      "2026-01-01T00:00:00+25:00",
      "2026-01-01T00:00:00.Z",
      "２０２６-01-01T00:00:00Z",
    ]),
  (event, _random, nowMs) => event.ts = new Date(nowMs + 86_400_000).toISOString(),
  (event) => event.ts = 1_700_000_000_000,
  // Absurd amounts.
  (event, random) => {
    event.type = random.pick(["order", "operation"]);
    event.value = random.pick([1e12, -1e12, 1e9 + 1, INFINITE]);
  },
  (event) => {
    event.type = "order";
    event.value = -5;
  },
  // Type-specific rules.
  (event) => {
    event.type = "rating";
    event.value = 7;
  },
  (event) => {
    event.type = "feedback";
    event.value = 3;
  },
  (event) => {
    event.type = "search";
    delete event.query;
  },
  (event) => {
    event.type = "feedback";
    event.item = { category: "x" };
    event.value = 1;
  },
  // Too large.
  (event) => event.query = "я".repeat(6_000),
  (event) => {
    event.type = "search";
    event.query = "q".repeat(1_001);
  },
  // Unknown fields, at the top and nested, and prototype pollution.
  (event, random) => event[random.pick(["admin", "isAdmin", "role", "extra", "userID"])] = true,
  (event) => event[PROTO_KEY] = { isAdmin: true },
  (event) => event.item = { id: "sku-1", [PROTO_KEY]: { polluted: true } },
  (event, random) => event.context = { channel: "web", [random.pick(HOSTILE_KEYS)]: "x" },
  // Hostile text in ids and free text.
  (event, random) => event.userId = random.pick(HOSTILE_STRINGS),
  (event, random) => event.eventId = random.pick(HOSTILE_STRINGS),
  (event) => event.userId = "chаos-0001", // Cyrillic а
  (event) => event.eventId = "e".repeat(129),
  (event, random) =>
    event.context = { location: random.pick(["msk\u202e", "spb\u0000", "kzn\u0085", "x".repeat(65)]) },
  (event, random) => event.item = { id: random.pick(["sku\u200b", "\u202eevil", "\ud800", ""]) },
  (event) => {
    event.type = "search";
    event.query = "\u202eevil query\u202c";
  },
];

/** A (mostly) malformed event as JSON text for `userId`, with 1–3 mutations. */
export function malformedEventJson(random: Random, userId: string, nowMs: number): string {
  const event = validEvent(random, userId, nowMs);
  const count = 1 + random.int(3);
  for (let i = 0; i < count; i++) random.pick(MUTATIONS)(event, random, nowMs);
  return toJsonText(event);
}

/** A record value that is not an event at all. */
export function junkRecordValue(random: Random): string {
  switch (random.int(6)) {
    case 0:
      return hostileJson(random);
    case 1:
      return toJsonText(hostileValue(random));
    case 2:
      return random.pick(HOSTILE_STRINGS);
    case 3:
      return "{" + '"a":'.repeat(3) + "}";
    case 4:
      // Over 16 KiB, but small enough that thousands fit the mock broker's log (it keeps about 5 MB per
      // partition, and a dead letter keeps the record): {@linkcode hugeRecordValue} is for the few big ones.
      return toJsonText({
        eventId: crypto.randomUUID(),
        type: "search",
        query: "x".repeat(17_000 + random.int(8_000)),
      });
    default:
      return "";
  }
}

/** A record of 0.3–1 MB: far over the event size limit (and over the 256 KiB a dead letter keeps of it). */
export function hugeRecordValue(random: Random): string {
  return toJsonText({
    eventId: crypto.randomUUID(),
    type: "search",
    query: "я".repeat(150_000 + random.int(350_000)),
  });
}

/** A record for the `requests` topic, mostly malformed, for the user `userId`. */
export function requestRecord(
  random: Random,
  userId: string,
  options: { replyTo: string; message: () => string },
): { key: string | null; value: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {
    "reply-to": options.replyTo,
    "correlation-id": crypto.randomUUID(),
  };
  let key: string | null = userId;
  let value: unknown = random.chance(0.5)
    ? { type: "recommend", k: 1 + random.int(10) }
    : { type: "chat", message: options.message() };
  switch (random.int(14)) {
    case 0:
      delete headers["reply-to"];
      break;
    case 1:
      headers["reply-to"] = random.pick([
        "events",
        "events.dlq",
        "requests",
        "notifications",
        "users.tombstones",
      ]);
      break;
    case 2:
      headers["reply-to"] = random.pick(["../etc", "a b", "x".repeat(250), "", "топик"]);
      break;
    case 3:
      delete headers["correlation-id"];
      break;
    case 4:
      headers["correlation-id"] = random.pick(["", "x".repeat(129), "id with spaces", "ид"]);
      break;
    case 5:
      key = random.pick([null, "", "bad key!", "x".repeat(129), "chаos"]);
      break;
    case 6:
      value = { type: random.pick(["transfer_money", "RECOMMEND", "", null, 42]) };
      break;
    case 7:
      value = { type: "recommend", k: random.pick([0, 11, -1, 2.5, "3", null, INFINITE]) };
      break;
    case 8:
      value = { type: "chat", message: random.pick(["", "   ", 42, null, "x".repeat(4_001)]) };
      break;
    case 9:
      value = { type: "chat", message: "hi", lang: random.pick(["de", "", 1, "RU"]) };
      break;
    case 10:
      value = hostileValue(random);
      break;
    case 11:
      return { key, value: hostileJson(random), headers };
    case 12:
      return { key, value: toJsonText({ type: "chat", message: "x".repeat(17_000) }), headers };
    default:
      // Valid: the owner answers it.
      break;
  }
  return { key, value: toJsonText(value), headers };
}

/** Bodies for the JSON endpoints: what each would accept, spoiled in one of many ways. */
export const BODY_SHAPES = {
  chat: () => ({ message: "какие у меня есть предложения?" }),
  feedback: () => ({ kind: "like", productId: "ind_cco_fin_ult1" }),
  registration: () => ({ age: 35, sexo: "V", segmento: "02 - PARTICULARES", location: "msk" }),
  operation: () => ({ kind: "purchase", category: "groceries", amount: 1500 }),
  consents: () => ({ marketing: false, llm: true }),
} as const;

/** One of {@linkcode BODY_SHAPES}. */
export type BodyShape = keyof typeof BODY_SHAPES;

/** A request body as text: a spoiled version of `shape`, or hostile JSON. */
export function hostileBody(random: Random, shape: BodyShape): string {
  const body: Record<string, unknown> = { ...BODY_SHAPES[shape]() };
  const keys = Object.keys(body);
  switch (random.int(11)) {
    case 0:
      return hostileJson(random);
    case 1:
      body[random.pick(keys)] = hostileValue(random);
      break;
    case 2:
      delete body[random.pick(keys)];
      break;
    case 3:
      body[random.pick([...HOSTILE_KEYS, "userId", "admin", "role"])] = hostileValue(random);
      break;
    case 4:
      body[PROTO_KEY] = { isAdmin: true, userId: "someone-else" };
      break;
    case 5:
      body[random.pick(keys)] = random.pick(HOSTILE_STRINGS);
      break;
    case 6:
      body[random.pick(keys)] = random.pick(HOSTILE_NUMBERS);
      break;
    case 7:
      return toJsonText([body]);
    case 8:
      return toJsonText(random.pick(["x", 1, null, true]));
    case 9:
      body[random.pick(keys)] = INFINITE;
      break;
    default:
      // Left valid: the endpoint must answer it properly too.
      break;
  }
  return toJsonText(body);
}

/**
 * `encodeURIComponent`, except that a lone surrogate (which it refuses) becomes the percent-encoded
 * UTF-8 bytes a careless client would send for it: invalid UTF-8 for the server to cope with.
 */
export function encodeHostile(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    return [...text].map((char) => {
      const code = char.charCodeAt(0);
      if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
        return [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]
          .map((byte) => `%${byte.toString(16).toUpperCase()}`).join("");
      }
      return encodeURIComponent(char);
    }).join("");
  }
}

/** A hostile query string for the recommendation, operation and notification reads. */
export function hostileQuery(random: Random): string {
  const values = () =>
    encodeHostile(
      String(random.pick([...HOSTILE_STRINGS.slice(0, 30), ...HOSTILE_NUMBERS, "3", "en", "ru"])),
    );
  const parameters = ["k", "lang", "strategy", "record", "waitFor", "limit", "userId", "__proto__", "k"];
  const parts = Array.from(
    { length: 1 + random.int(4) },
    () => `${random.pick(parameters)}=${values()}`,
  );
  return parts.join("&");
}
