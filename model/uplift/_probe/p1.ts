import * as ort from "onnxruntime-web";
import { encodeOnnxModel } from "/work/main/model/uplift/onnx_proto.ts";
const bytes = encodeOnnxModel({
  producerName: "probe",
  graphName: "g",
  opsets: [{ domain: "", version: 13 }, { domain: "ai.onnx.ml", version: 1 }],
  inputs: [{ name: "features", dims: ["N", 2] }],
  outputs: [{ name: "y", dims: ["N", 1] }],
  nodes: [{
    opType: "TreeEnsembleRegressor",
    domain: "ai.onnx.ml",
    name: "t",
    inputs: ["features"],
    outputs: ["y"],
    attributes: {
      n_targets: { kind: "int", value: 1 },
      nodes_treeids: { kind: "ints", value: [0, 0, 0] },
      nodes_nodeids: { kind: "ints", value: [0, 1, 2] },
      nodes_featureids: { kind: "ints", value: [1, 0, 0] },
      nodes_values: { kind: "floats", value: [0.5, 0, 0] },
      nodes_modes: { kind: "strings", value: ["BRANCH_LEQ", "LEAF", "LEAF"] },
      nodes_truenodeids: { kind: "ints", value: [1, 0, 0] },
      nodes_falsenodeids: { kind: "ints", value: [2, 0, 0] },
      nodes_missing_value_tracks_true: { kind: "ints", value: [1, 0, 0] },
      target_treeids: { kind: "ints", value: [0, 0] },
      target_nodeids: { kind: "ints", value: [1, 2] },
      target_ids: { kind: "ints", value: [0, 0] },
      target_weights: { kind: "floats", value: [-1, 2] },
      base_values: { kind: "floats", value: [0.25] },
      post_transform: { kind: "string", value: "NONE" },
      aggregate_function: { kind: "string", value: "SUM" },
    },
  }],
});
console.log("bytes", bytes.length, "ver", ort.env.versions);
ort.env.wasm.numThreads = 1;
const t0 = performance.now();
const s = await ort.InferenceSession.create(bytes, { executionProviders: ["wasm"] });
console.log("created", performance.now() - t0);
const r = await s.run({
  features: new ort.Tensor("float32", new Float32Array([0, 0.4, 0, 0.6, 0, NaN]), [3, 2]),
});
console.log(r.y.data);
