/**
 * The shipped embedding model's files in the layout transformers.js loads for `feature-extraction`:
 * `config.json` (`model_type: "bert"`, so `AutoModel` picks an encoder that feeds `input_ids` and
 * `attention_mask`), `tokenizer.json`, `tokenizer_config.json`, and two ONNX graphs
 * `input_ids, attention_mask → last_hidden_state`:
 *
 * - `onnx/model.onnx`: `Gather` over the float token matrix, times the attention mask;
 * - `onnx/model_quantized.onnx` (transformers.js's default): the matrix as int8 with one scale per token
 *   row (symmetric), dequantised by `Cast` and `Mul` after the `Gather`.
 *
 * The pipeline's mean pooling and normalisation then give the SIF-weighted mean of the token vectors.
 *
 * @module
 */

import {
  encodeOnnxModel,
  type OnnxInitializer,
  type OnnxNode,
  TensorDataType,
} from "../model/uplift/onnx_proto.ts";
import { MODEL_MAX_LENGTH, tokenizerConfig, tokenizerJson } from "./wordpiece_vocab.ts";

/** Paths of the files, relative to the model directory. */
export const MODEL_FILE_PATHS = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "onnx/model.onnx",
  "onnx/model_quantized.onnx",
] as const;

/** Int8 rows and per-row scales of a row-major matrix (symmetric quantisation, scale = max |x| / 127). */
export function quantizeRows(matrix: Float32Array, rows: number, width: number) {
  const values = new Int8Array(matrix.length);
  const scales = new Float32Array(rows);
  for (let r = 0; r < rows; r++) {
    let max = 0;
    for (let c = 0; c < width; c++) max = Math.max(max, Math.abs(matrix[r * width + c]));
    const scale = max / 127;
    scales[r] = scale;
    if (scale === 0) continue;
    for (let c = 0; c < width; c++) values[r * width + c] = Math.round(matrix[r * width + c] / scale);
  }
  return { values, scales };
}

/** The ONNX bytes of the embedding graph over a `vocabSize × dimension` matrix. */
export function embeddingOnnx(
  matrix: Float32Array,
  vocabSize: number,
  dimension: number,
  quantized: boolean,
) {
  const initializers: OnnxInitializer[] = [
    { name: "mask_axes", dims: [1], type: "int64", values: new BigInt64Array([-1n]) },
  ];
  const nodes: OnnxNode[] = [];
  const gather = (name: string, table: string, output: string): OnnxNode => ({
    opType: "Gather",
    name,
    inputs: [table, "input_ids"],
    outputs: [output],
    attributes: { axis: { kind: "int", value: 0 } },
  });
  if (quantized) {
    const { values, scales } = quantizeRows(matrix, vocabSize, dimension);
    initializers.push(
      { name: "token_embeddings_int8", dims: [vocabSize, dimension], type: "int8", values },
      { name: "token_scales", dims: [vocabSize, 1], type: "float", values: scales },
    );
    nodes.push(
      gather("gather_tokens", "token_embeddings_int8", "tokens_int8"),
      {
        opType: "Cast",
        name: "dequantize_cast",
        inputs: ["tokens_int8"],
        outputs: ["tokens_scaled"],
        attributes: { to: { kind: "int", value: TensorDataType.FLOAT } },
      },
      gather("gather_scales", "token_scales", "scales"),
      { opType: "Mul", name: "dequantize_scale", inputs: ["tokens_scaled", "scales"], outputs: ["tokens"] },
    );
  } else {
    initializers.push({
      name: "token_embeddings",
      dims: [vocabSize, dimension],
      type: "float",
      values: matrix,
    });
    nodes.push(gather("gather_tokens", "token_embeddings", "tokens"));
  }
  nodes.push(
    {
      opType: "Cast",
      name: "mask_cast",
      inputs: ["attention_mask"],
      outputs: ["mask_float"],
      attributes: { to: { kind: "int", value: TensorDataType.FLOAT } },
    },
    { opType: "Unsqueeze", name: "mask_unsqueeze", inputs: ["mask_float", "mask_axes"], outputs: ["mask"] },
    { opType: "Mul", name: "apply_mask", inputs: ["tokens", "mask"], outputs: ["last_hidden_state"] },
  );
  return encodeOnnxModel({
    producerName: "engine-embeddings",
    graphName: quantized ? "token_embeddings_int8" : "token_embeddings",
    opsets: [{ domain: "", version: 13 }],
    nodes,
    inputs: [
      { name: "input_ids", dims: ["batch_size", "sequence_length"], elemType: TensorDataType.INT64 },
      { name: "attention_mask", dims: ["batch_size", "sequence_length"], elemType: TensorDataType.INT64 },
    ],
    outputs: [{ name: "last_hidden_state", dims: ["batch_size", "sequence_length", dimension] }],
    initializers,
  });
}

/** Everything the model directory holds, keyed by {@link MODEL_FILE_PATHS}. */
export function modelFiles(
  vocab: readonly string[],
  matrix: Float32Array,
  dimension: number,
  training: Record<string, unknown>,
): Map<string, Uint8Array> {
  const encoder = new TextEncoder();
  const json = (value: unknown) => encoder.encode(`${JSON.stringify(value, null, 1)}\n`);
  const config = {
    model_type: "bert",
    architectures: ["BertModel"],
    hidden_size: dimension,
    vocab_size: vocab.length,
    max_position_embeddings: MODEL_MAX_LENGTH,
    num_hidden_layers: 0,
    engine_embeddings: training,
  };
  return new Map<string, Uint8Array>([
    ["config.json", json(config)],
    ["tokenizer.json", encoder.encode(`${JSON.stringify(tokenizerJson(vocab))}\n`)],
    ["tokenizer_config.json", json(tokenizerConfig())],
    ["onnx/model.onnx", embeddingOnnx(matrix, vocab.length, dimension, false)],
    ["onnx/model_quantized.onnx", embeddingOnnx(matrix, vocab.length, dimension, true)],
  ]);
}
