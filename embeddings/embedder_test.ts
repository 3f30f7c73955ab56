import assert from "node:assert/strict";
import { Embedder, EmbeddingModelError, MAX_INPUT_CHARS, SHIPPED_MODEL_DIR } from "./embedder.ts";

const norm = (v: Float32Array) => Math.hypot(...v);
const cosine = (a: Float32Array, b: Float32Array) => a.reduce((sum, x, i) => sum + x * b[i], 0);

Deno.test("Embedder loads the shipped model through transformers.js with the network and writes denied", async () => {
  const script = `
    import { Embedder } from ${JSON.stringify(new URL("./embedder.ts", import.meta.url).href)};
    const embedder = await Embedder.load();
    const [vector] = await embedder.embed(["молоко без лактозы"]);
    console.log(JSON.stringify({ source: embedder.source, dimension: embedder.dimension, norm: Math.hypot(...vector) }));
    await embedder.dispose();
  `;
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--allow-read", "--allow-ffi", "--deny-net", "--deny-write", "--deny-env", script],
    cwd: new URL("..", import.meta.url),
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(output.code, 0, new TextDecoder().decode(output.stderr));
  const report = JSON.parse(new TextDecoder().decode(output.stdout));
  assert.equal(report.source, "shipped");
  assert.equal(report.dimension, 96);
  assert.ok(Math.abs(report.norm - 1) < 1e-5);
});

Deno.test("Embedder returns normalized vectors, the same for a text alone, in a batch, reloaded or cached", async () => {
  const embedder = await Embedder.load();
  const texts = [
    "Молоко безлактозное 2,5% 1 л",
    "Lactose-free milk",
    "кредитная карта",
    "молоко без лактозы",
  ];
  const batch = await embedder.embed(texts);
  for (const vector of batch) {
    assert.equal(vector.length, embedder.dimension);
    assert.ok(Math.abs(norm(vector) - 1) < 1e-5, `norm ${norm(vector)}`);
  }
  const [alone] = await embedder.embed([texts[3]]);
  assert.ok(cosine(alone, batch[3]) > 0.99999);
  const again = await Embedder.load(undefined, { cacheSize: 0 });
  const fresh = await again.embed(texts);
  fresh.forEach((vector, i) => assert.deepEqual([...vector], [...batch[i]]));
  assert.equal(again.cacheStats.size, 0);
  const before = embedder.cacheStats.hits;
  await embedder.embed(texts);
  assert.equal(embedder.cacheStats.hits, before + texts.length);
  // Callers get copies: mutating one does not poison the cache.
  batch[0].fill(0);
  assert.ok(norm((await embedder.embed([texts[0]]))[0]) > 0.99);
  await Promise.all([embedder.dispose(), again.dispose()]);
});

Deno.test("Embedder puts Russian and English names of one item closer than unrelated items", async () => {
  const embedder = await Embedder.load();
  const [milkRu, milkEn, cardRu, cardEn, dogFood] = await embedder.embed([
    "Молоко безлактозное Вкусвилл 2,5% 1 л",
    "Lactose-free milk VkusVill 2.5% 1 L",
    "Кредитная карта",
    "Credit card",
    "Dry dog food Purina 3 kg",
  ]);
  assert.ok(cosine(milkRu, milkEn) - cosine(milkRu, dogFood) > 0.5);
  assert.ok(cosine(cardRu, cardEn) - cosine(cardRu, milkEn) > 0.5);
  await embedder.dispose();
});

Deno.test("Embedder survives hostile input: empty, 100 KB, unicode tricks, control characters", async () => {
  const embedder = await Embedder.load();
  const hostile = [
    "",
    "   \n\t ",
    "молоко ".repeat(15_000),
    "м\u200bо\u200bл\u200bо\u200bк\u200bо",
    "\u202eокolom\u202c",
    "ｍｉｌｋ",
    "😀🔥🍕",
    "\u0000\u0001\u0007\u001b[31m",
    "\uD800 broken surrogate \uDFFF",
    "e\u0301\u0301\u0301\u0301",
    "a".repeat(MAX_INPUT_CHARS - 1) + "😀",
  ];
  const vectors = await embedder.embed(hostile);
  assert.equal(vectors.length, hostile.length);
  for (const vector of vectors) {
    assert.equal(vector.length, embedder.dimension);
    assert.ok(vector.every(Number.isFinite));
    const n = norm(vector);
    assert.ok(n === 0 || Math.abs(n - 1) < 1e-5);
  }
  assert.equal(norm(vectors[0]), 0);
  assert.equal(norm(vectors[6]), 0);
  const [milk] = await embedder.embed(["milk"]);
  assert.ok(cosine(vectors[5], milk) > 0.9999, "NFKC folds fullwidth letters");
  assert.ok(cosine(vectors[2], (await embedder.embed(["молоко"]))[0]) > 0.99);
  await assert.rejects(() => embedder.embed([42 as unknown as string]), TypeError);
  await assert.rejects(() => embedder.embed("молоко" as unknown as string[]), TypeError);
  await embedder.dispose();
});

Deno.test("Embedder.load reports a directory without a model as EmbeddingModelError", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await assert.rejects(() => Embedder.load(dir), EmbeddingModelError);
    await Deno.writeTextFile(`${dir}/config.json`, "{}");
    await Deno.writeTextFile(`${dir}/tokenizer.json`, "not json");
    await assert.rejects(() => Embedder.load(dir), EmbeddingModelError);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("Embedder's quantized graph stays within 1% of the float graph", async () => {
  const float = await Embedder.load(SHIPPED_MODEL_DIR, { quantized: false });
  const int8 = await Embedder.load(SHIPPED_MODEL_DIR, { quantized: true });
  const texts = ["овсяное молоко", "vegan snacks", "ипотека", "Корм для кошек Whiskas 2 кг"];
  const [a, b] = [await float.embed(texts), await int8.embed(texts)];
  a.forEach((vector, i) => assert.ok(cosine(vector, b[i]) > 0.99, `${texts[i]}: ${cosine(vector, b[i])}`));
  await Promise.all([float.dispose(), int8.dispose()]);
});
