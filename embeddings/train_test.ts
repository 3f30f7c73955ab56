import assert from "node:assert/strict";
import { SHIPPED_MODEL_DIR } from "./embedder.ts";
import { MODEL_FILE_PATHS, quantizeRows } from "./model_files.ts";
import { trainEmbeddingModel } from "./train.ts";

Deno.test("trainEmbeddingModel is deterministic and rebuilds the shipped model byte for byte", async () => {
  const first = trainEmbeddingModel();
  const second = trainEmbeddingModel();
  for (const path of MODEL_FILE_PATHS) {
    const shipped = await Deno.readFile(`${SHIPPED_MODEL_DIR}${path}`);
    assert.deepEqual(first.files.get(path), second.files.get(path), path);
    assert.deepEqual(first.files.get(path), shipped, `${path} is stale: run deno task embeddings:train`);
  }
  const total = [...first.files.values()].reduce((sum, bytes) => sum + bytes.length, 0);
  assert.ok(total < 5 * 1024 * 1024, `model is ${total} bytes`);
  assert.ok(first.trainedTokens > 1_500 && first.trainedTokens < first.vocabSize);
});

Deno.test("quantizeRows keeps every value within half a step of its row's scale", () => {
  const matrix = new Float32Array([0.5, -0.25, 0.125, 0, 0, 0, -1, 1, 0.3]);
  const { values, scales } = quantizeRows(matrix, 3, 3);
  assert.equal(scales[1], 0);
  for (let r = 0; r < 3; r++) {
    for (let c = 0; c < 3; c++) {
      assert.ok(Math.abs(values[r * 3 + c] * scales[r] - matrix[r * 3 + c]) <= scales[r] / 2 + 1e-7);
    }
  }
  assert.equal(values[6], -127);
});
