import assert from "node:assert/strict";
import { encodeOnnxModel, ProtoWriter, TensorDataType } from "./onnx_proto.ts";

Deno.test("ProtoWriter writes varints, fixed32 floats and packed fields", () => {
  assert.deepEqual([...new ProtoWriter().varint(300).finish()], [0xac, 0x02]);
  assert.deepEqual([...new ProtoWriter().varint(-1).finish()], [
    255,
    255,
    255,
    255,
    255,
    255,
    255,
    255,
    255,
    1,
  ]);
  assert.deepEqual([...new ProtoWriter().float(2, 1).finish()], [0x15, 0, 0, 0x80, 0x3f]);
  assert.deepEqual([...new ProtoWriter().packedInts(8, [1, 150]).finish()], [0x42, 3, 1, 0x96, 1]);
  assert.deepEqual([...new ProtoWriter().string(1, "ab").finish()], [0x0a, 2, 97, 98]);
});

Deno.test("encodeOnnxModel starts with ir_version and names the producer", () => {
  const bytes = encodeOnnxModel({
    producerName: "p",
    graphName: "g",
    opsets: [{ domain: "", version: 13 }],
    nodes: [{ opType: "Sigmoid", name: "s", inputs: ["x"], outputs: ["y"] }],
    inputs: [{ name: "x", dims: ["N", 2] }],
    outputs: [{ name: "y", dims: ["N", 2] }],
  });
  assert.deepEqual([...bytes.subarray(0, 5)], [0x08, 8, 0x12, 1, 112]);
});

Deno.test("encodeOnnxModel writes int64 inputs and raw-data initializers", () => {
  const bytes = encodeOnnxModel({
    producerName: "p",
    graphName: "g",
    opsets: [{ domain: "", version: 13 }],
    nodes: [{ opType: "Gather", name: "g", inputs: ["table", "ids"], outputs: ["y"] }],
    inputs: [{ name: "ids", dims: ["N"], elemType: TensorDataType.INT64 }],
    outputs: [{ name: "y", dims: ["N", 2] }],
    initializers: [{ name: "table", dims: [2, 2], type: "float", values: new Float32Array([1, 2, 3, 4]) }],
  });
  const raw = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  const text = [...bytes].join(",");
  // TensorProto.raw_data (field 9, length 16) holds the four floats little-endian.
  assert.ok(text.includes([0x4a, 16, ...raw].join(",")));
  // The input's elem_type (TypeProto.Tensor field 1) is INT64 = 7.
  assert.ok(text.includes([0x08, TensorDataType.INT64].join(",")));
});
