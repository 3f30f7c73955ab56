import assert from "node:assert/strict";
import {
  EVENT_TYPES,
  type EventParseResult,
  MAX_EVENT_BYTES,
  parseEvent,
  parseEventJson,
  parseTimestamp,
  type UserEvent,
} from "./event.ts";

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);
const options = { nowMs: NOW };

function base(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    eventId: "3f2b8c1e-9d4a-4e6b-8f21-7c5d9e0a1b2c",
    userId: "user-42",
    type: "view",
    ts: "2025-06-01T11:59:00Z",
    ...overrides,
  };
}

function ok(result: EventParseResult): UserEvent {
  if (!result.ok) {
    assert.fail(`expected ok, got ${JSON.stringify(result.reason)}`);
  }
  return result.event;
}

function reason(result: EventParseResult): string {
  if (result.ok) {
    assert.fail(`expected a rejection, got ${JSON.stringify(result.event)}`);
  }
  return result.reason;
}

function rejectJson(text: string): string {
  return reason(parseEventJson(text, options));
}

function reject(overrides: Record<string, unknown>): string {
  const object = reason(parseEvent(base(overrides), options));
  // The JSON path must agree with the object path.
  assert.equal(rejectJson(JSON.stringify(base(overrides))), object);
  return object;
}

const VALID: Record<string, Record<string, unknown>> = {
  order: {
    item: {
      id: "sku-1",
      category: "dairy",
      price: 129.9,
      brand: "Простоквашино",
    },
  },
  view: {
    item: { id: "sku-1" },
    context: { location: "Moscow", device: "ios", channel: "app" },
  },
  rating: { item: { id: "sku-1" }, value: 4.5 },
  search: { query: "молоко без лактозы\nи хлеб" },
  operation: { value: -1500, item: { category: "mcc-5411" } },
  click: { item: { id: "offer-credit-card" }, context: { channel: "push" } },
  feedback: { item: { id: "offer-deposit" }, value: -2 },
  profile: {},
};

Deno.test("parseEvent accepts a valid event of every type", () => {
  assert.deepEqual(Object.keys(VALID).sort(), [...EVENT_TYPES].sort());
  for (const [type, fields] of Object.entries(VALID)) {
    const input = base({ type, ...fields });
    const event = ok(parseEventJson(JSON.stringify(input), options));
    assert.equal(event.type, type);
    assert.equal(event.eventId, input.eventId);
    assert.equal(event.tsMs, Date.UTC(2025, 5, 1, 11, 59));
    assert.deepEqual(ok(parseEvent(input, options)), event);
  }
});

Deno.test("parseEvent returns every event with the same shape", () => {
  const event = ok(parseEvent(base(), options));
  assert.deepEqual(Object.keys(event), [
    "eventId",
    "userId",
    "type",
    "ts",
    "tsMs",
    "context",
    "item",
    "value",
    "query",
  ]);
  assert.equal(event.context, undefined);
  const full = ok(parseEvent(base(VALID.order), options));
  assert.deepEqual(Object.keys(full.item!), [
    "id",
    "category",
    "price",
    "brand",
  ]);
  assert.equal(full.item!.price, 129.9);
});

Deno.test("parseEvent copies nested objects instead of keeping the input's", () => {
  const item = { id: "sku-1" };
  const event = ok(parseEvent(base({ item }), options));
  assert.notEqual(event.item, item);
  item.id = "changed";
  assert.equal(event.item!.id, "sku-1");
});

Deno.test("parseEvent treats null optional fields as absent", () => {
  const event = ok(
    parseEventJson(
      JSON.stringify(
        base({
          context: null,
          item: { id: "a", price: null },
          value: null,
          query: null,
        }),
      ),
      options,
    ),
  );
  assert.equal(event.context, undefined);
  assert.equal(event.value, undefined);
  assert.equal(event.query, undefined);
  assert.equal(event.item!.price, undefined);
});

Deno.test("parseEvent rejects missing required fields", () => {
  for (const field of ["eventId", "userId", "type", "ts"]) {
    const input = base();
    delete input[field];
    assert.equal(reason(parseEvent(input, options)), `missing ${field}`);
    assert.equal(reject({ [field]: null }), `missing ${field}`);
  }
});

Deno.test("parseEvent rejects ids outside the charset or length", () => {
  for (
    const bad of [
      "",
      "a".repeat(129),
      "has space",
      "slash/",
      "tab\t",
      "nul\u0000",
      "rtl\u202eevil",
      "zero\u200bwidth",
      "\u0430dmin", // Cyrillic а, a homoglyph of Latin a
      "emoji😀",
      'quote"',
    ]
  ) {
    assert.equal(reject({ eventId: bad }), "bad eventId", JSON.stringify(bad));
    assert.equal(reject({ userId: bad }), "bad userId", JSON.stringify(bad));
  }
  ok(
    parseEvent(
      base({ eventId: "a".repeat(128), userId: "A.b_c:d-e@f" }),
      options,
    ),
  );
  assert.equal(reject({ eventId: "mail@example" }), "bad eventId");
});

Deno.test("parseEvent rejects an unknown type", () => {
  assert.equal(reject({ type: "purchase" }), 'unknown type "purchase"');
  assert.equal(reject({ type: "" }), 'unknown type ""');
  assert.equal(reject({ type: "ORDER" }), 'unknown type "ORDER"');
  assert.equal(reject({ type: "__proto__" }), 'unknown type "__proto__"');
  assert.equal(reject({ type: "toString" }), 'unknown type "toString"');
  assert.equal(
    reject({ type: "x".repeat(1000) }),
    `unknown type "${"x".repeat(32)}"`,
  );
});

Deno.test("parseEvent rejects bad timestamps", () => {
  for (
    const ts of [
      "",
      "yesterday",
      "2025-06-01",
      "2025-06-01T11:59",
      "2025-06-01T11:59Z",
      "2025-06-01T11:59:00",
      "2025-06-01 11:59:00Z",
      "2025-06-01t11:59:00Z",
      "2025-13-01T00:00:00Z",
      "2025-02-29T00:00:00Z",
      "2100-02-29T00:00:00Z",
      "2025-04-31T00:00:00Z",
      "2025-06-01T24:00:00Z",
      "2025-06-01T23:60:00Z",
      "2025-06-01T23:59:60Z",
      "2025-06-01T11:59:00.Z",
      "2025-06-01T11:59:00.1234567890Z",
      "2025-06-01T11:59:00+3:00",
      "2025-06-01T11:59:00+0300",
      "2025-06-01T11:59:00+24:00",
      "2025-06-01T11:59:00Z ",
      "+02025-06-01T11:59:00Z",
      "1999-12-31T23:59:59Z",
      "0000-01-01T00:00:00Z",
      "２０２５-06-01T11:59:00Z",
    ]
  ) {
    assert.equal(reject({ ts }), "bad timestamp", ts);
  }
  assert.equal(reject({ ts: 1748779140000 }), "wrong type for ts");
  assert.equal(reject({ ts: "2025-06-01T12:05:01Z" }), "future timestamp");
  assert.equal(reject({ ts: "9999-12-31T23:59:59Z" }), "future timestamp");
});

Deno.test("parseEvent reads offsets and fractions like Date.parse", () => {
  for (
    const ts of [
      "2000-01-01T00:00:00Z",
      "2024-02-29T23:59:59.999Z",
      "2025-06-01T14:59:00+03:00",
      "2025-06-01T06:29:00.5-05:30",
      "2025-06-01T11:59:00.123456789Z",
    ]
  ) {
    assert.equal(parseTimestamp(ts), Date.parse(ts), ts);
  }
  assert.equal(
    ok(parseEvent(base({ ts: "2025-06-01T14:59:00+03:00" }), options)).tsMs,
    NOW - 60_000,
  );
  ok(parseEvent(base({ ts: "2025-06-01T12:05:00Z" }), options));
});

Deno.test("parseEvent rejects absurd amounts", () => {
  assert.equal(reject({ value: 1e9 + 1 }), "absurd amount");
  assert.equal(reject({ value: -1e9 - 1 }), "absurd amount");
  assert.equal(reject({ type: "order", value: -5 }), "absurd amount");
  assert.equal(
    reject({ type: "order", item: { price: -0.01 } }),
    "absurd amount",
  );
  assert.equal(reject({ item: { price: 2e9 } }), "absurd amount");
  assert.equal(
    rejectJson(JSON.stringify(base()).replace("}", ',"value":1e400}')),
    "absurd amount",
  );
  for (const value of [NaN, Infinity, -Infinity]) {
    assert.equal(reason(parseEvent(base({ value }), options)), "absurd amount");
    assert.equal(
      reason(parseEvent(base({ item: { price: value } }), options)),
      "absurd amount",
    );
  }
  ok(parseEvent(base({ type: "operation", value: -1e9 }), options));
  ok(parseEvent(base({ type: "order", value: 1e9 }), options));
  ok(parseEvent(base({ type: "order", item: { price: 0 } }), options));
});

Deno.test("parseEvent enforces type-specific rules", () => {
  assert.equal(reject({ type: "rating" }), "missing value");
  assert.equal(reject({ type: "rating", value: 0 }), "bad rating");
  assert.equal(reject({ type: "rating", value: 6 }), "bad rating");
  assert.equal(reject({ type: "order" }), "missing amount");
  assert.equal(
    reject({ type: "operation", item: { id: "x" } }),
    "missing amount",
  );
  ok(parseEvent(base({ type: "operation", item: { price: 10 } }), options));
  assert.equal(reject({ type: "search" }), "missing query");
  assert.equal(reject({ type: "search", query: "" }), "missing query");
  assert.equal(reject({ type: "feedback", value: 1 }), "missing item.id");
  assert.equal(
    reject({ type: "feedback", item: { id: "o" } }),
    "missing value",
  );
  assert.equal(
    reject({ type: "feedback", item: { id: "o" }, value: 3 }),
    "bad feedback value",
  );
  assert.equal(
    reject({ type: "feedback", item: { id: "o" }, value: 0.5 }),
    "bad feedback value",
  );
  for (const value of [-2, -1, 0, 1, 2]) {
    ok(
      parseEvent(base({ type: "feedback", item: { id: "o" }, value }), options),
    );
  }
});

Deno.test("parseEvent rejects unknown fields at every level", () => {
  assert.equal(reject({ extra: 1 }), 'unknown field "extra"');
  assert.equal(
    reject({ context: { ip: "1.2.3.4" } }),
    'unknown field "context.ip"',
  );
  assert.equal(reject({ item: { sku: "1" } }), 'unknown field "item.sku"');
  assert.equal(
    rejectJson('{"eventId":"a","a\\u0000b":1}'),
    'unknown field "a\\u0000b"',
  );
  const longKey = rejectJson(`{"${"k".repeat(5000)}":1}`);
  assert.ok(longKey.length < 100);
});

Deno.test("parseEvent rejects wrong types for every field", () => {
  const fields: Record<string, string> = {
    eventId: "wrong type for eventId",
    userId: "wrong type for userId",
    type: "wrong type for type",
    ts: "wrong type for ts",
    context: "wrong type for context",
    item: "wrong type for item",
    value: "wrong type for value",
    query: "wrong type for query",
  };
  const stringFields = new Set(["eventId", "userId", "type", "ts", "query"]);
  for (const [field, expected] of Object.entries(fields)) {
    const wrongs: unknown[] = [true, [], ["a"]];
    if (field !== "context" && field !== "item") wrongs.push({});
    if (stringFields.has(field)) wrongs.push(42, 0);
    else if (field === "value") wrongs.push("5", "1e3", "NaN", "");
    else wrongs.push("{}", 1);
    for (const wrong of wrongs) {
      assert.equal(
        reject({ [field]: wrong }),
        expected,
        `${field}: ${JSON.stringify(wrong)}`,
      );
    }
  }
  for (const field of ["location", "device", "channel"]) {
    assert.equal(
      reject({ context: { [field]: 1 } }),
      `wrong type for context.${field}`,
    );
    assert.equal(
      reject({ context: { [field]: ["a"] } }),
      `wrong type for context.${field}`,
    );
    assert.equal(
      reject({ context: { [field]: "x".repeat(65) } }),
      `bad context.${field}`,
    );
  }
  for (const field of ["id", "category", "brand"]) {
    assert.equal(
      reject({ item: { [field]: {} } }),
      `wrong type for item.${field}`,
    );
    assert.equal(
      reject({ item: { [field]: "x".repeat(129) } }),
      `bad item.${field}`,
    );
  }
  assert.equal(
    reject({ item: { price: "129.90" } }),
    "wrong type for item.price",
  );
  assert.equal(reject({ item: { id: "" } }), "bad item.id");
});

Deno.test("parseEvent rejects control characters and disguised text", () => {
  assert.equal(reject({ type: "search", query: "a\u0000b" }), "bad query");
  assert.equal(reject({ type: "search", query: "a\u001bb" }), "bad query");
  assert.equal(reject({ type: "search", query: "a\u0085b" }), "bad query");
  assert.equal(reject({ type: "search", query: "a\u202eb" }), "bad query");
  assert.equal(
    reject({ type: "search", query: "lone \ud800 high" }),
    "bad query",
  );
  assert.equal(
    reject({ type: "search", query: "lone \udc00 low" }),
    "bad query",
  );
  assert.equal(reject({ type: "search", query: "end \ud83d" }), "bad query");
  assert.equal(
    reject({ type: "search", query: "q".repeat(1001) }),
    "bad query",
  );
  assert.equal(
    reject({ context: { device: "ios\nandroid" } }),
    "bad context.device",
  );
  assert.equal(reject({ item: { brand: "\u2066brand" } }), "bad item.brand");
  const event = ok(
    parseEvent(
      base({ type: "search", query: "line\n\ttab 😀 emoji 👨‍👩‍👧" }),
      options,
    ),
  );
  assert.equal(event.query, "line\n\ttab 😀 emoji 👨‍👩‍👧");
});

Deno.test("parseEvent rejects values that are not plain objects", () => {
  for (
    const raw of [
      null,
      undefined,
      1,
      "s",
      true,
      [],
      [base()],
      new Date(),
      new Map(),
      () => 1,
    ]
  ) {
    assert.equal(reason(parseEvent(raw, options)), "not an object");
  }
  for (
    const text of [
      "null",
      "1",
      '"s"',
      "true",
      "[]",
      `[${JSON.stringify(base())}]`,
    ]
  ) {
    assert.equal(rejectJson(text), "not an object");
  }
  class Event {
    eventId = "a";
  }
  assert.equal(reason(parseEvent(new Event(), options)), "not an object");
  ok(parseEvent(Object.assign(Object.create(null), base()), options));
});

Deno.test("parseEvent keeps __proto__ and constructor payloads away from prototypes", () => {
  const texts = [
    '{"__proto__":{"polluted":true},"eventId":"a","userId":"u","type":"view","ts":"2025-06-01T11:59:00Z"}',
    '{"constructor":{"prototype":{"polluted":true}},"eventId":"a"}',
    JSON.stringify(base()).replace(
      "}",
      ',"context":{"__proto__":{"polluted":true}}}',
    ),
    JSON.stringify(base()).replace(
      "}",
      ',"item":{"constructor":{"prototype":{"polluted":true}}}}',
    ),
    JSON.stringify(base()).replace(
      "}",
      ',"item":{"__proto__":{"id":"x","price":-1}}}',
    ),
  ];
  const expected = [
    'unknown field "__proto__"',
    'unknown field "constructor"',
    'unknown field "context.__proto__"',
    'unknown field "item.constructor"',
    'unknown field "item.__proto__"',
  ];
  texts.forEach((text, i) => assert.equal(rejectJson(text), expected[i]));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.equal(
    Object.prototype.hasOwnProperty.call(Object.prototype, "polluted"),
    false,
  );

  // An object literal's __proto__ sets the prototype; inherited fields must not count.
  const inherited = { __proto__: { value: 5 }, ...base({ type: "rating" }) };
  assert.equal(reason(parseEvent(inherited, options)), "not an object");
});

Deno.test("parseEvent survives a polluted Object.prototype", () => {
  const proto = Object.prototype as Record<string, unknown>;
  proto.injected = "x";
  try {
    const event = ok(parseEvent(base({ item: { id: "a" } }), options));
    assert.equal(Object.hasOwn(event, "injected"), false);
  } finally {
    delete proto.injected;
  }
});

Deno.test("parseEvent turns throwing getters into a reason", () => {
  const hostile = base();
  Object.defineProperty(hostile, "userId", {
    enumerable: true,
    get() {
      throw new Error("boom");
    },
  });
  assert.equal(reason(parseEvent(hostile, options)), "invalid event");
  const proxy = new Proxy({}, {
    getPrototypeOf() {
      throw new Error("boom");
    },
  });
  assert.equal(reason(parseEvent(proxy, options)), "invalid event");
});

Deno.test("parseEventJson rejects malformed and oversized text", () => {
  for (
    const text of [
      "",
      "{",
      "{'a':1}",
      '{"a":1,}',
      "undefined",
      "NaN",
      "{}}",
      "\u0000",
    ]
  ) {
    assert.equal(rejectJson(text), "malformed json", JSON.stringify(text));
  }
  assert.equal(rejectJson("x".repeat(MAX_EVENT_BYTES + 1)), "too large");
  const megabyte = JSON.stringify(
    base({ type: "search", query: "q".repeat(1 << 20) }),
  );
  assert.equal(rejectJson(megabyte), "too large");
  // 6000 Cyrillic letters are 12000 bytes: under the cap in characters, over it in bytes.
  const cyrillic = JSON.stringify(
    base({ type: "search", query: "ж".repeat(9000) }),
  );
  assert.ok(cyrillic.length < MAX_EVENT_BYTES);
  assert.equal(rejectJson(cyrillic), "too large");
  const fits = JSON.stringify(
    base({ type: "search", query: "ж".repeat(1200) }),
  );
  assert.equal(rejectJson(fits), "bad query");
  assert.equal(reason(parseEventJson(42 as unknown as string)), "not a string");
});

Deno.test("parseEventJson rejects deeply nested JSON without throwing", () => {
  assert.equal(
    rejectJson("[".repeat(100_000) + "]".repeat(100_000)),
    "too large",
  );
  assert.equal(rejectJson("[".repeat(100_000)), "too large");
  const depth = MAX_EVENT_BYTES / 2 - 100;
  assert.equal(
    rejectJson("[".repeat(depth) + "]".repeat(depth)),
    "not an object",
  );
  const nested = JSON.stringify(base()).replace(
    "}",
    `,"context":${'{"a":'.repeat(2500)}1${"}".repeat(2500)}}`,
  );
  assert.equal(rejectJson(nested), 'unknown field "context.a"');
  assert.equal(
    reason(
      parseEvent(
        JSON.parse("[".repeat(100_000) + "]".repeat(100_000)),
        options,
      ),
    ),
    "not an object",
  );
});

Deno.test("parseEventJson never throws on random mutations", () => {
  let seed = 12345;
  const random = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return seed / 2 ** 32;
  };
  const seeds = Object.entries(VALID).map(([type, fields]) => JSON.stringify(base({ type, ...fields })));
  const alphabet = '{}[]":,\\0123456789-.eEtrufalsn \u0000\u202e\ud800жZT+';
  const snippets = [
    '"__proto__":{}',
    "null",
    "1e999",
    '"x"',
    "[]",
    "{}",
    '"type":"order"',
    "-0",
  ];
  let accepted = 0;
  for (let i = 0; i < 5000; i++) {
    let text = seeds[i % seeds.length];
    const edits = 1 + Math.floor(random() * 4);
    for (let e = 0; e < edits; e++) {
      const at = Math.floor(random() * (text.length + 1));
      const op = random();
      if (op < 0.3) {
        text = text.slice(0, at) +
          text.slice(at + 1 + Math.floor(random() * 8));
      } else if (op < 0.6) {
        text = text.slice(0, at) +
          alphabet[Math.floor(random() * alphabet.length)] + text.slice(at);
      } else if (op < 0.8) {
        text = text.slice(0, at) +
          snippets[Math.floor(random() * snippets.length)] + text.slice(at);
      } else {text = text.slice(0, at) +
          text.slice(at).replace(/\d/, String(Math.floor(random() * 10)));}
    }
    let result: EventParseResult;
    try {
      result = parseEventJson(text, options);
    } catch (error) {
      assert.fail(`threw on ${JSON.stringify(text)}: ${error}`);
    }
    if (result.ok) {
      accepted++;
      assert.equal(typeof result.event.eventId, "string");
      assert.ok(Number.isFinite(result.event.tsMs));
    } else {
      assert.equal(typeof result.reason, "string");
      assert.ok(
        result.reason.length > 0 && result.reason.length < 120,
        result.reason,
      );
    }
  }
  assert.ok(accepted > 0, "some mutations should stay valid");
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});
