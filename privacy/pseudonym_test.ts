import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { base32, PSEUDONYM_PATTERN, Pseudonymizer } from "./pseudonym.ts";

Deno.test("base32 follows RFC 4648 (lower case, no padding)", () => {
  const vectors: [string, string][] = [
    ["", ""],
    ["f", "my"],
    ["fo", "mzxq"],
    ["foo", "mzxw6"],
    ["foob", "mzxw6yq"],
    ["fooba", "mzxw6ytb"],
    ["foobar", "mzxw6ytboi"],
  ];
  for (const [input, expected] of vectors) assert.equal(base32(new TextEncoder().encode(input)), expected);
});

Deno.test("Pseudonymizer matches HMAC-SHA-256 computed independently, and is stable per key", async () => {
  const key = "a-pseudonym-key-for-tests";
  const pseudonyms = await Pseudonymizer.create(key);
  const id = await pseudonyms.pseudonymise("4276 1234 5678 9012");
  const expected = createHmac("sha256", key).update("user:4276 1234 5678 9012").digest().subarray(0, 20);
  assert.equal(id, `p-${base32(new Uint8Array(expected))}`);
  assert.match(id, PSEUDONYM_PATTERN);
  assert.equal(await pseudonyms.pseudonymise("4276 1234 5678 9012"), id);
  assert.notEqual(await pseudonyms.pseudonymise("4276 1234 5678 9013"), id);
  const other = await Pseudonymizer.create("another-pseudonym-key-entirely");
  assert.notEqual(await other.pseudonymise("4276 1234 5678 9012"), id);
});

Deno.test("Pseudonymizer refuses short keys and unusable external ids", async () => {
  await assert.rejects(() => Pseudonymizer.create("short"), RangeError);
  const pseudonyms = await Pseudonymizer.create("a-pseudonym-key-for-tests");
  await assert.rejects(() => pseudonyms.pseudonymise(""), /empty/);
  await assert.rejects(() => pseudonyms.pseudonymise("x".repeat(257)), /longer/);
  await assert.rejects(() => pseudonyms.pseudonymise("id\n2"), /control/);
});
