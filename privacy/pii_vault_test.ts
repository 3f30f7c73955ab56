import assert from "node:assert/strict";
import { nameWords, PiiVault } from "./pii_vault.ts";
import { testVault } from "./_test_vault.ts";

Deno.test("PiiVault seals a user's row and opens it only in the same row", async () => {
  const vault = await testVault();
  const sealed = await vault.sealUser("c-1", {
    displayName: "Ёлкина Анна",
    attributes: { age: 34, renta: 52000 },
  });
  assert.match(sealed.displayName!, /^enc:v1:t1:/);
  assert.ok(!sealed.attributes.includes("52000"));
  assert.equal(await vault.openDisplayName("c-1", sealed.displayName), "Ёлкина Анна");
  assert.deepEqual(await vault.openAttributes("c-1", sealed.attributes), { age: 34, renta: 52000 });
  await assert.rejects(() => vault.openDisplayName("c-2", sealed.displayName));
  // Values from before encryption pass through until the rotation job seals them.
  assert.equal(await vault.openDisplayName("c-1", "Legacy Name"), "Legacy Name");
  assert.deepEqual(await vault.openAttributes("c-1", '{"age":40}'), { age: 40 });
  const message = await vault.sealTurnText("turn-1", "message", "мой номер карты 4276…");
  assert.equal(await vault.openTurnText("turn-1", "message", message), "мой номер карты 4276…");
  await assert.rejects(() => vault.openTurnText("turn-1", "answer", message));
});

Deno.test("PiiVault's blind index finds names by word prefixes without storing them", async () => {
  const vault = await testVault();
  assert.deepEqual(nameWords("Ёлкина-Смирнова  АННА"), ["елкина", "смирнова", "анна"]);
  const index = await vault.nameIndex("Ёлкина Анна");
  // "ел", "елк", … "елкина" and "ан", "анн", "анна": eight prefixes, each an opaque token.
  assert.equal(index.length, 8);
  assert.ok(index.every((token) => /^[A-Za-z0-9_-]{16}$/.test(token)));
  const has = async (query: string) => {
    const tokens = await vault.queryTokens(query);
    return tokens.length > 0 && tokens.every((token) => index.includes(token));
  };
  assert.equal(await has("ёлк"), true);
  assert.equal(await has("анна ел"), true);
  assert.equal(await has("ЕЛКИНА"), true);
  assert.equal(await has("лкин"), false, "prefixes, not substrings");
  assert.equal(await has("анна петрова"), false);
  assert.deepEqual(await vault.queryTokens("а"), [], "one letter is not searchable by name");
  assert.equal(PiiVault.nameMatches("Ёлкина Анна", "анна ёлк"), true);
  assert.equal(PiiVault.nameMatches("Ёлкина Анна", "анна петр"), false);
  const other = await testVault();
  assert.deepEqual(await other.nameIndex("Ёлкина Анна"), index, "the index is deterministic per key");
});
