import assert from "node:assert/strict";
import { PiiCipher } from "../privacy/pii_cipher.ts";
import { PiiVault } from "../privacy/pii_vault.ts";
import { Pseudonymizer } from "../privacy/pseudonym.ts";
import { createTestDatabase } from "./_test_database.ts";
import { piiKeyUsage, rotatePii } from "./pii_rotation.ts";
import { Store } from "./store.ts";
import {
  findUser,
  insertChatTurn,
  insertUser,
  listChatTurns,
  searchUsers,
  userAttributes,
} from "./user_data.ts";

const key = (fill: number) => new Uint8Array(32).fill(fill);

async function vault(keys: { id: string; fill: number }[]): Promise<PiiVault> {
  return new PiiVault(
    await PiiCipher.create(keys.map(({ id, fill }) => ({ id, key: key(fill) }))),
    await Pseudonymizer.create("rotation-test-pseudonym-key"),
  );
}

Deno.test("PII rotation re-encrypts old rows under the new key, seals legacy plaintext, and skips what no key opens", async () => {
  const database = await createTestDatabase({ prefix: "pii_rotation" });
  const store = await Store.connect(database.url, { max: 2 });
  try {
    await store.migrate();
    const old = await vault([{ id: "k1", fill: 1 }]);
    for (let i = 0; i < 7; i++) {
      await insertUser(store.sql, old, {
        userId: `u-${i}`,
        displayName: `Мария Кузнецова ${i}`,
        segment: "02 - PARTICULARES",
        attributes: { age: 30 + i },
      });
    }
    await insertChatTurn(store.sql, old, {
      turnId: "t-1",
      userId: "u-1",
      sessionId: "s",
      message: "подбери молоко без лактозы",
      answer: "Вот что есть",
      source: "template",
      context: {},
    });
    // A row from before encryption existed, and one sealed with a key nobody has any more.
    await store.sql`
      insert into users (user_id, display_name, segment, attributes)
      values ('legacy', 'Пётр Legacy', 'retail', '{"location":"msk"}')`;
    const lost = await vault([{ id: "k0", fill: 9 }]);
    await insertUser(store.sql, lost, {
      userId: "lost",
      displayName: "Lost Key",
      segment: "retail",
      attributes: {},
    });
    assert.deepEqual((await piiKeyUsage(store.sql))["users.display_name"], { k1: 7, plaintext: 1, k0: 1 });

    const rotated = await vault([{ id: "k2", fill: 2 }, { id: "k1", fill: 1 }]);
    const result = await rotatePii(store.sql, rotated, { batchSize: 3 });
    assert.deepEqual(result, { keyId: "k2", users: 8, chatTurns: 1, undecryptable: 1 });
    assert.deepEqual((await piiKeyUsage(store.sql))["users.display_name"], { k2: 8, k0: 1 });
    assert.deepEqual((await piiKeyUsage(store.sql))["chat_turns.message"], { k2: 1 });
    assert.deepEqual(await rotatePii(store.sql, rotated), {
      keyId: "k2",
      users: 0,
      chatTurns: 0,
      undecryptable: 1,
    });

    // k1 can now be retired: everything opens with k2 alone, including the sealed legacy row and its index.
    const retired = await vault([{ id: "k2", fill: 2 }]);
    assert.equal((await findUser(store.sql, retired, "u-3"))?.displayName, "Мария Кузнецова 3");
    assert.deepEqual(await userAttributes(store.sql, retired, "u-3"), { age: 33 });
    assert.deepEqual(await userAttributes(store.sql, retired, "legacy"), { location: "msk" });
    assert.equal(
      (await listChatTurns(store.sql, retired, "u-1", 5))[0].message,
      "подбери молоко без лактозы",
    );
    const found = await searchUsers(store.sql, retired, "пётр", 10);
    assert.deepEqual(found.map((user) => user.userId), ["legacy"]);
    const many = await searchUsers(store.sql, retired, "мария кузн", 5);
    assert.equal(many.length, 5);
    assert.ok(many.every((user) => user.displayName.startsWith("Мария Кузнецова")));
    const [raw] = await store.sql<{ display_name: string; attributes: string }[]>`
      select display_name, attributes from users where user_id = 'legacy'`;
    assert.match(raw.display_name, /^enc:v1:k2:/);
    assert.ok(!raw.attributes.includes("msk"));
  } finally {
    await store.close();
    await database.drop();
  }
});
