import assert from "node:assert/strict";
import { BankProductResolver } from "./bank_product_resolver.ts";
import { Embedder } from "./embedder.ts";

async function withResolver(body: (resolver: BankProductResolver) => Promise<void>): Promise<void> {
  const embedder = await Embedder.load();
  try {
    await body(await BankProductResolver.build(embedder));
  } finally {
    await embedder.dispose();
  }
}

Deno.test("BankProductResolver maps questions about a card to the credit card by name", async () => {
  await withResolver(async (resolver) => {
    for (const message of ["почему мне предлагают эту карту?", "why the credit card", "Зачем мне КРЕДИТКА"]) {
      const [best] = await resolver.resolve(message);
      assert.equal(best.code, "ind_tjcr_fin_ult1", message);
      assert.equal(best.via, "name");
    }
    const [long] = await resolver.resolve("расскажите про кредитную карту");
    assert.equal(long.matched, "Кредитная карта");
    assert.ok(long.score > 1.1);
  });
});

Deno.test("BankProductResolver falls back to embedding similarity and honours candidates", async () => {
  await withResolver(async (resolver) => {
    const [saving] = await resolver.resolve("хочу накопить денег");
    assert.equal(saving.via, "embedding");
    assert.ok(
      ["ind_ahor_fin_ult1", "ind_deco_fin_ult1", "ind_deme_fin_ult1", "ind_dela_fin_ult1"].includes(
        saving.code,
      ),
    );
    const [mortgage] = await resolver.resolve("tell me about the mortgage");
    assert.equal(mortgage.code, "ind_hip_fin_ult1");
    const limited = await resolver.resolve("почему эта карта?", 3, {
      candidates: ["ins_auto", "ind_hip_fin_ult1"],
    });
    assert.ok(limited.every((match) => ["ins_auto", "ind_hip_fin_ult1"].includes(match.code)));
    assert.deepEqual(await resolver.resolve("какая сегодня погода в Казани", 3), []);
  });
});

Deno.test("BankProductResolver answers hostile messages without throwing", async () => {
  await withResolver(async (resolver) => {
    for (const message of ["", "😀", "\u0000\u202e", "карта ".repeat(20_000), "\uD800"]) {
      const matches = await resolver.resolve(message, 3);
      assert.ok(matches.length <= 3);
      for (const match of matches) assert.ok(Number.isFinite(match.score));
    }
    assert.deepEqual(await resolver.resolve("карта", 0), []);
    await assert.rejects(() => resolver.resolve(undefined as unknown as string), TypeError);
  });
});
