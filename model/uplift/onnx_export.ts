/**
 * Export of one or many products' uplift models as a single ONNX graph.
 *
 * Graph (P products, F features):
 * - input `features` float[N, F] (NaN = missing);
 * - `ai.onnx.ml` TreeEnsembleRegressor → `control_logits` [N, P] and another → `treated_logits` [N, P]
 *   (product p is target p; trees use BRANCH_LEQ and `nodes_missing_value_tracks_true` for NaN);
 * - `Sigmoid` → outputs `p_control` [N, P] and `p_treated` [N, P];
 * - output `uplift` [N, P]: `Sub(p_treated, p_control)` for S/T models, or a third TreeEnsembleRegressor
 *   (the effect model's raw output) for X/DR models. All products must agree on which kind they are.
 *
 * @module
 */

import type { GbtModel } from "./gbt.ts";
import type { UpliftModel } from "./learners.ts";
import { encodeOnnxModel, type OnnxAttribute, type OnnxNode } from "./onnx_proto.ts";

/** Opset versions written into the model. */
export const ONNX_OPSETS = [{ domain: "", version: 13 }, { domain: "ai.onnx.ml", version: 1 }] as const;

/** One product's model inside a multi-product export. */
export interface ProductUpliftModel {
  productId: string;
  model: UpliftModel;
}

/** Export result: ONNX bytes, or why the models cannot be exported together. */
export type OnnxExportResult = { ok: true; bytes: Uint8Array; productIds: string[] } | {
  ok: false;
  reason: string;
};

/** Builds a TreeEnsembleRegressor node whose target `p` is the sum of `models[p]`. */
export function treeEnsembleNode(
  name: string,
  input: string,
  output: string,
  models: readonly GbtModel[],
): OnnxNode {
  const nodeTree: number[] = [];
  const nodeId: number[] = [];
  const featureId: number[] = [];
  const value: number[] = [];
  const mode: string[] = [];
  const trueId: number[] = [];
  const falseId: number[] = [];
  const missingTrue: number[] = [];
  const targetTree: number[] = [];
  const targetNode: number[] = [];
  const targetId: number[] = [];
  const weight: number[] = [];
  let treeId = 0;
  models.forEach((model, target) => {
    // An ensemble without trees still needs one leaf so the target exists.
    const trees = model.trees.length > 0 ? model.trees : [
      { feature: [-1], threshold: [0], missingLeft: [0], left: [-1], right: [-1], value: [0] },
    ];
    for (const tree of trees) {
      for (let n = 0; n < tree.feature.length; n++) {
        const leaf = tree.feature[n] < 0;
        nodeTree.push(treeId);
        nodeId.push(n);
        featureId.push(leaf ? 0 : tree.feature[n]);
        value.push(leaf ? 0 : tree.threshold[n]);
        mode.push(leaf ? "LEAF" : "BRANCH_LEQ");
        trueId.push(leaf ? 0 : tree.left[n]);
        falseId.push(leaf ? 0 : tree.right[n]);
        missingTrue.push(leaf ? 0 : tree.missingLeft[n]);
        if (leaf) {
          targetTree.push(treeId);
          targetNode.push(n);
          targetId.push(target);
          weight.push(tree.value[n]);
        }
      }
      treeId++;
    }
  });
  const attributes: Record<string, OnnxAttribute> = {
    n_targets: { kind: "int", value: models.length },
    aggregate_function: { kind: "string", value: "SUM" },
    post_transform: { kind: "string", value: "NONE" },
    base_values: { kind: "floats", value: models.map((m) => m.baseScore) },
    nodes_treeids: { kind: "ints", value: nodeTree },
    nodes_nodeids: { kind: "ints", value: nodeId },
    nodes_featureids: { kind: "ints", value: featureId },
    nodes_values: { kind: "floats", value: value },
    nodes_modes: { kind: "strings", value: mode },
    nodes_truenodeids: { kind: "ints", value: trueId },
    nodes_falsenodeids: { kind: "ints", value: falseId },
    nodes_missing_value_tracks_true: { kind: "ints", value: missingTrue },
    target_treeids: { kind: "ints", value: targetTree },
    target_nodeids: { kind: "ints", value: targetNode },
    target_ids: { kind: "ints", value: targetId },
    target_weights: { kind: "floats", value: weight },
  };
  return {
    opType: "TreeEnsembleRegressor",
    domain: "ai.onnx.ml",
    name,
    inputs: [input],
    outputs: [output],
    attributes,
  };
}

/** Exports one model (product id `"uplift"`) or several products' models as one ONNX graph. */
export function exportUpliftOnnx(models: UpliftModel | readonly ProductUpliftModel[]): OnnxExportResult {
  const products = Array.isArray(models)
    ? models as readonly ProductUpliftModel[]
    : [{ productId: "uplift", model: models as UpliftModel }];
  if (products.length === 0) return { ok: false, reason: "No products to export" };
  const nFeatures = products[0].model.nFeatures;
  if (products.some((p) => p.model.nFeatures !== nFeatures)) {
    return { ok: false, reason: "All products must use the same feature layout" };
  }
  const withEffect = products[0].model.effect !== null;
  if (products.some((p) => (p.model.effect !== null) !== withEffect)) {
    return { ok: false, reason: "Products mix effect-model learners (x, dr) with s/t learners" };
  }
  const nProducts = products.length;
  const nodes: OnnxNode[] = [
    treeEnsembleNode("control_trees", "features", "control_logits", products.map((p) => p.model.control)),
    treeEnsembleNode("treated_trees", "features", "treated_logits", products.map((p) => p.model.treated)),
    { opType: "Sigmoid", name: "control_sigmoid", inputs: ["control_logits"], outputs: ["p_control"] },
    { opType: "Sigmoid", name: "treated_sigmoid", inputs: ["treated_logits"], outputs: ["p_treated"] },
    withEffect
      ? treeEnsembleNode("effect_trees", "features", "uplift", products.map((p) => p.model.effect!))
      : { opType: "Sub", name: "uplift_sub", inputs: ["p_treated", "p_control"], outputs: ["uplift"] },
  ];
  const out = (name: string) => ({ name, dims: ["N", nProducts] });
  const bytes = encodeOnnxModel({
    producerName: "personalization-engine-uplift",
    graphName: "uplift",
    opsets: ONNX_OPSETS,
    nodes,
    inputs: [{ name: "features", dims: ["N", nFeatures] }],
    outputs: [out("p_control"), out("p_treated"), out("uplift")],
  });
  return { ok: true, bytes, productIds: products.map((p) => p.productId) };
}
