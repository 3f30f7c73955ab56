/**
 * `deno task embeddings:train [--out DIR] [--check]`: rebuilds the shipped embedding model
 * (`embeddings/model/` by default) from the project's corpus, then loads it through transformers.js and
 * prints its quality. The files are the same bytes on every run; `--check` writes nothing and fails when
 * the shipped files differ from a fresh build.
 *
 * @module
 */

import { Embedder, SHIPPED_MODEL_DIR } from "./embedder.ts";
import { MODEL_FILE_PATHS } from "./model_files.ts";
import { measureQuality } from "./quality.ts";
import { trainEmbeddingModel } from "./train.ts";

function option(args: string[], name: string): string | undefined {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}

if (import.meta.main) {
  const args = Deno.args;
  const out = (option(args, "--out") ?? SHIPPED_MODEL_DIR).replace(/\/?$/, "/");
  const started = performance.now();
  const result = trainEmbeddingModel();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  console.error(
    `embeddings: ${result.documents} documents, ${result.vocabSize} tokens (${result.trainedTokens} with a vector), ` +
      `dimension ${result.dimension}, trained in ${seconds} s`,
  );
  if (args.includes("--check")) {
    const stale = [];
    for (const path of MODEL_FILE_PATHS) {
      const shipped = await Deno.readFile(`${out}${path}`).catch(() => new Uint8Array(0));
      if (!sameBytes(shipped, result.files.get(path)!)) stale.push(path);
    }
    if (stale.length > 0) {
      console.error(`embeddings: ${out} differs from a fresh build: ${stale.join(", ")}`);
      Deno.exit(1);
    }
    console.error(`embeddings: ${out} matches a fresh build`);
  } else {
    for (const [path, bytes] of result.files) {
      await Deno.mkdir(`${out}${path}`.replace(/[^/]+$/, ""), { recursive: true });
      await Deno.writeFile(`${out}${path}`, bytes);
      console.error(`embeddings: wrote ${out}${path} (${bytes.length} bytes)`);
    }
  }
  const embedder = await Embedder.load(out);
  console.log(JSON.stringify(await measureQuality(embedder), null, 2));
  await embedder.dispose();
}
