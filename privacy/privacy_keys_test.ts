import assert from "node:assert/strict";
import { formatPiiKeys, KEY_FILE, newPiiKeyEntry, parsePiiKeys, resolvePrivacyKeys } from "./privacy_keys.ts";

Deno.test("resolvePrivacyKeys generates a key file once (mode 0600) and reuses it", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "privacy-keys-" });
  try {
    const inputs = { piiKeys: null, pseudonymKey: null, dataDir, deriveFrom: null };
    const first = await resolvePrivacyKeys(inputs);
    assert.equal(first.generatedFile, `${dataDir}/${KEY_FILE}`);
    assert.deepEqual(first.source, { piiKeys: "file", pseudonymKey: "file" });
    assert.equal(first.piiKeys.length, 1);
    assert.equal(first.piiKeys[0].key.length, 32);
    assert.equal((await Deno.stat(first.generatedFile!)).mode! & 0o777, 0o600);
    const second = await resolvePrivacyKeys(inputs);
    assert.equal(second.generatedFile, null, "the file is not generated again");
    assert.deepEqual(second.piiKeys, first.piiKeys);
    assert.equal(second.pseudonymKey, first.pseudonymKey);
    // Configured keys win; the file fills in only what is missing.
    const configured = parsePiiKeys(newPiiKeyEntry());
    assert.ok(configured.ok);
    const mixed = await resolvePrivacyKeys({ ...inputs, piiKeys: configured.keys });
    assert.deepEqual(mixed.piiKeys, configured.keys);
    assert.equal(mixed.pseudonymKey, first.pseudonymKey);
    assert.deepEqual(mixed.source, { piiKeys: "env", pseudonymKey: "file" });
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
});

Deno.test("resolvePrivacyKeys derives the same keys on every node from a shared secret", async () => {
  const inputs = {
    piiKeys: null,
    pseudonymKey: null,
    dataDir: "/nonexistent",
    deriveFrom: "shared-admin-token-1",
  };
  const a = await resolvePrivacyKeys(inputs);
  const b = await resolvePrivacyKeys(inputs);
  assert.deepEqual(a.piiKeys, b.piiKeys);
  assert.equal(a.pseudonymKey, b.pseudonymKey);
  assert.deepEqual(a.source, { piiKeys: "derived", pseudonymKey: "derived" });
  const other = await resolvePrivacyKeys({ ...inputs, deriveFrom: "shared-admin-token-2" });
  assert.notDeepEqual(other.piiKeys[0].key, a.piiKeys[0].key);
  assert.notEqual(
    Buffer.from(a.piiKeys[0].key).toString("base64url"),
    a.pseudonymKey,
    "separate keys per use",
  );
});

Deno.test("parsePiiKeys reads base64 and base64url keys and round-trips through formatPiiKeys", () => {
  const raw = new Uint8Array(32).map((_, i) => i * 7 + 250);
  const standard = btoa(String.fromCharCode(...raw));
  const parsed = parsePiiKeys(`new:${standard}, old:${standard.replace(/\+/g, "-").replace(/\//g, "_")}`);
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.keys.map((key) => key.id), ["new", "old"]);
  assert.deepEqual(parsed.keys[1].key, raw);
  assert.deepEqual(parsePiiKeys(formatPiiKeys(parsed.keys)), parsed);
  assert.match(newPiiKeyEntry(new Date("2026-11-21T00:00:00Z")), /^k20261121:[A-Za-z0-9_-]{43}$/);
});
