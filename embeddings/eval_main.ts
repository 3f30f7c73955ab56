/**
 * `deno task embeddings:eval [DIR]`: measures an embedding model (default `EMBEDDING_MODEL_DIR`, else
 * the shipped one) on the project's labelled data and prints the report as JSON.
 *
 * @module
 */

import { Embedder } from "./embedder.ts";
import { measureQuality } from "./quality.ts";

if (import.meta.main) {
  const dir = Deno.args[0] ?? (Deno.env.get("EMBEDDING_MODEL_DIR") || undefined);
  const embedder = await Embedder.load(dir);
  console.log(JSON.stringify(await measureQuality(embedder), null, 2));
  await embedder.dispose();
}
