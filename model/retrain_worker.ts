/**
 * The daily retrain, off the ingest thread: a Web Worker that receives a
 * dataset, trains the models and posts back `models.json` content and the
 * ONNX bytes. Progress is reported as messages for `/admin/jobs`.
 *
 * @module
 */

import { CAMPAIGN_OFFERS } from "../datagen/uplift_truth.ts";
import type { GeneratedData } from "../datagen/types.ts";
import { trainModels } from "./train.ts";
import { buildTrainingSet } from "./training_set.ts";
import { exportUpliftOnnx } from "./uplift/onnx_export.ts";

/** Messages the worker posts. */
export type RetrainMessage =
  | { type: "progress"; fraction: number; note: string }
  | { type: "done"; models: unknown; onnx: Uint8Array; rows: number; seconds: number }
  | { type: "error"; reason: string };

const scope = self as unknown as {
  onmessage: ((event: MessageEvent<{ data: GeneratedData }>) => void) | null;
  postMessage(message: RetrainMessage, transfer?: Transferable[]): void;
};

scope.onmessage = (event) => {
  const started = performance.now();
  try {
    const set = buildTrainingSet(event.data.data, { testShare: 0 });
    if (set.examples.length < 200) {
      throw new Error(`Only ${set.examples.length} campaign rows; need at least 200`);
    }
    const models = trainModels(set, CAMPAIGN_OFFERS, {
      onProgress: (fraction, note) => scope.postMessage({ type: "progress", fraction, note }),
    });
    const exported = exportUpliftOnnx(
      models.offers.map((offer) => ({ productId: offer, model: models.uplift[offer] })),
    );
    if (!exported.ok) throw new Error(exported.reason);
    const { uplift: _uplift, ...stored } = models;
    scope.postMessage({
      type: "done",
      models: stored,
      onnx: exported.bytes,
      rows: set.examples.length,
      seconds: (performance.now() - started) / 1000,
    }, [exported.bytes.buffer as ArrayBuffer]);
  } catch (error) {
    scope.postMessage({ type: "error", reason: error instanceof Error ? error.message : String(error) });
  }
};
