import assert from "node:assert/strict";
import { murmur2, partitionFor } from "./bus.ts";

const encoder = new TextEncoder();

// From Kafka's UtilsTest.testMurmur2 (Java client), plus a binary vector that
// Sarama generated with the JVM Kafka client 1.0.0.
const VECTORS: [Uint8Array, number][] = [
  [encoder.encode("21"), -973932308],
  [encoder.encode("foobar"), -790332482],
  [encoder.encode("a-little-bit-long-string"), -985981536],
  [encoder.encode("a-little-bit-longer-string"), -1486304829],
  [
    encoder.encode("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8"),
    -58897971,
  ],
  [encoder.encode("abc"), 479470107],
  [new Uint8Array([12, 42, 56, 24, 109, 111]), 274204207],
];

Deno.test("murmur2 matches Kafka's Java implementation", () => {
  for (const [bytes, expected] of VECTORS) {
    assert.equal(murmur2(bytes), expected, new TextDecoder().decode(bytes));
  }
});

Deno.test("murmur2 returns a signed 32-bit integer for bytes above 0x7f", () => {
  const bytes = new Uint8Array(256).map((_, i) => i);
  for (let length = 0; length <= bytes.length; length++) {
    const hash = murmur2(bytes.subarray(0, length));
    assert.equal(hash, hash | 0);
  }
});

Deno.test("partitionFor matches Kafka's toPositive(murmur2) % partitions", () => {
  // Utils.toPositive(murmur2(...)) values as Sarama's JVM-generated table lists them.
  assert.equal(partitionFor("21", 2 ** 31 - 1), 1173551340 % (2 ** 31 - 1));
  assert.equal(partitionFor("foobar", 1000), 1357151166 % 1000);
  assert.equal(partitionFor("a-little-bit-long-string", 7), 1161502112 % 7);
  assert.equal(partitionFor("a-little-bit-longer-string", 12), 661178819 % 12);
  assert.equal(
    partitionFor("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8", 24),
    2088585677 % 24,
  );
  assert.equal(partitionFor("abc", 16), 479470107 % 16);
});

Deno.test("partitionFor hashes the UTF-8 bytes of the key", () => {
  for (const key of ["пользователь-1", "用户", "😀", "u-42"]) {
    const expected = (murmur2(encoder.encode(key)) & 0x7fffffff) % 12;
    assert.equal(partitionFor(key, 12), expected);
    assert.ok(expected >= 0 && expected < 12);
  }
});
