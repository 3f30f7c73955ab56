/**
 * The `model.json` written by `deno task uplift fit`: the CSV encoders plus the fitted uplift model, so a
 * prediction file is encoded exactly as the training file was.
 *
 * @module
 */

import type { UpliftModel } from "./learners.ts";
import type { TableEncoders } from "./table.ts";

/** Format tag stored in every saved model. */
export const SAVED_MODEL_FORMAT = "uplift-model/v1";

/** Contents of `model.json`. */
export interface SavedUpliftModel {
  format: typeof SAVED_MODEL_FORMAT;
  treatment: string;
  outcome: string;
  encoders: TableEncoders;
  model: UpliftModel;
}

/** Result of {@link parseSavedUpliftModel}. */
export type SavedModelResult = { ok: true; saved: SavedUpliftModel } | { ok: false; reason: string };

/** Parses and sanity-checks the text of `model.json`. */
export function parseSavedUpliftModel(text: string): SavedModelResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, reason: "model.json is not valid JSON" };
  }
  const saved = value as Partial<SavedUpliftModel> | null;
  if (!saved || saved.format !== SAVED_MODEL_FORMAT) {
    return { ok: false, reason: `model.json is not an ${SAVED_MODEL_FORMAT} file` };
  }
  const model = saved.model;
  const encoders = saved.encoders;
  if (!model?.control?.trees || !model.treated?.trees || !Array.isArray(encoders?.columns)) {
    return { ok: false, reason: "model.json lacks its trees or encoders" };
  }
  if (encoders.featureNames.length !== model.nFeatures) {
    return { ok: false, reason: "model.json encoders do not match the model's feature count" };
  }
  return { ok: true, saved: saved as SavedUpliftModel };
}
