import assert from "node:assert/strict";
import { createDecipheriv } from "node:crypto";
import { fromBase64, keyIdOf, PiiCipher, PiiDecryptError } from "./pii_cipher.ts";

function key(fill: number): Uint8Array {
  return new Uint8Array(32).fill(fill);
}

Deno.test("PiiCipher seals values that node:crypto's AES-256-GCM opens with the same key and context", async () => {
  const cipher = await PiiCipher.create([{ id: "k1", key: key(7) }]);
  const envelope = await cipher.encrypt("Анна Смирнова", "users.display_name:b-000001");
  assert.match(envelope, /^enc:v1:k1:[A-Za-z0-9_-]+$/);
  assert.ok(!envelope.includes("Анна"));
  const packed = fromBase64(envelope.slice("enc:v1:k1:".length))!;
  const decipher = createDecipheriv("aes-256-gcm", key(7), packed.subarray(0, 12));
  decipher.setAAD(new TextEncoder().encode("users.display_name:b-000001"));
  decipher.setAuthTag(packed.subarray(packed.length - 16));
  const plain = Buffer.concat([decipher.update(packed.subarray(12, packed.length - 16)), decipher.final()]);
  assert.equal(plain.toString("utf8"), "Анна Смирнова");
  assert.equal(await cipher.decrypt(envelope, "users.display_name:b-000001"), "Анна Смирнова");
});

Deno.test("PiiCipher uses a fresh nonce and binds each value to its row and column", async () => {
  const cipher = await PiiCipher.create([{ id: "k1", key: key(1) }]);
  const a = await cipher.encrypt("same text", "users.display_name:u1");
  const b = await cipher.encrypt("same text", "users.display_name:u1");
  assert.notEqual(a, b);
  await assert.rejects(() => cipher.decrypt(a, "users.display_name:u2"), PiiDecryptError);
  await assert.rejects(() => cipher.decrypt(a, "users.attributes:u1"), PiiDecryptError);
  const flipped = a.slice(0, -2) + (a.at(-2) === "A" ? "B" : "A") + a.at(-1);
  await assert.rejects(() => cipher.decrypt(flipped, "users.display_name:u1"), PiiDecryptError);
  await assert.rejects(() => cipher.decrypt("plain text", "users.display_name:u1"), /not an encrypted/);
  await assert.rejects(() => cipher.decrypt("enc:v1:k1:abc", "users.display_name:u1"), /malformed/);
});

Deno.test("PiiCipher rotates: the first key encrypts, older keys still decrypt, removed keys do not", async () => {
  const old = await PiiCipher.create([{ id: "k1", key: key(1) }]);
  const sealedOld = await old.encrypt("secret", "ctx");
  const rotated = await PiiCipher.create([{ id: "k2", key: key(2) }, { id: "k1", key: key(1) }]);
  assert.equal(rotated.keyId, "k2");
  assert.deepEqual(rotated.keyIds, ["k2", "k1"]);
  assert.equal(await rotated.decrypt(sealedOld, "ctx"), "secret");
  assert.equal(rotated.isCurrent(sealedOld), false);
  const sealedNew = await rotated.encrypt("secret", "ctx");
  assert.equal(keyIdOf(sealedNew), "k2");
  assert.equal(rotated.isCurrent(sealedNew), true);
  const retired = await PiiCipher.create([{ id: "k2", key: key(2) }]);
  await assert.rejects(() => retired.decrypt(sealedOld, "ctx"), /no PII key "k1"/);
});

Deno.test("PiiCipher refuses unusable key rings", async () => {
  await assert.rejects(() => PiiCipher.create([]), RangeError);
  await assert.rejects(() => PiiCipher.create([{ id: "k:1", key: key(1) }]), /must match/);
  await assert.rejects(() => PiiCipher.create([{ id: "k1", key: new Uint8Array(16) }]), /32 bytes/);
  await assert.rejects(
    () => PiiCipher.create([{ id: "k1", key: key(1) }, { id: "k1", key: key(2) }]),
    /twice/,
  );
});
