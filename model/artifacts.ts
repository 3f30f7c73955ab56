/**
 * The trained models on disk: `models.json` (feature names, enrichment,
 * tree ensembles, next-product propensities, training metadata) and
 * `uplift.onnx` (all offers' uplift models in one ONNX graph, scored by
 * onnxruntime-web inside the engine). `deno task train` writes them; the
 * engine loads them at start.
 *
 * @module
 */

import { FEATURE_COUNT } from "./features.ts";
import { specializePooled, type TrainedModels } from "./train.ts";
import { exportUpliftOnnx } from "./uplift/onnx_export.ts";

/** Where the shipped models live. */
export const DEFAULT_ARTIFACTS_DIR = new URL("./artifacts/", import.meta.url);

/** Metadata stored next to the models. */
export interface ArtifactInfo {
  seed: number;
  users: number;
  asOf: string;
  trainingSeconds: number;
}

/** What {@linkcode loadArtifacts} returns. */
export type LoadedArtifacts =
  | { ok: true; models: TrainedModels; onnx: Uint8Array; info: ArtifactInfo }
  | { ok: false; reason: string };

/** Writes `models.json` and `uplift.onnx` into `dir`. */
export async function saveArtifacts(
  dir: string | URL,
  models: TrainedModels,
  info: ArtifactInfo,
): Promise<void> {
  const exported = exportUpliftOnnx(
    models.offers.map((offer) => ({ productId: offer, model: models.uplift[offer] })),
  );
  if (!exported.ok) throw new Error(`Cannot export the uplift models to ONNX: ${exported.reason}`);
  await Deno.mkdir(dir, { recursive: true });
  const base = dir instanceof URL ? dir : new URL(`file://${Deno.realPathSync(dir)}/`);
  // The per-offer models are specialisations of the pooled one: store only the pooled model.
  const { uplift: _uplift, ...stored } = models;
  await Deno.writeTextFile(new URL("models.json", base), JSON.stringify({ info, models: stored }));
  await Deno.writeFile(new URL("uplift.onnx", base), exported.bytes);
}

/** Reads the artifacts, with a clear reason when they are missing or malformed. */
export async function loadArtifacts(dir: string | URL = DEFAULT_ARTIFACTS_DIR): Promise<LoadedArtifacts> {
  const base = dir instanceof URL ? dir : new URL(`file://${Deno.realPathSync(dir)}/`);
  let text: string;
  let onnx: Uint8Array;
  try {
    text = await Deno.readTextFile(new URL("models.json", base));
    onnx = await Deno.readFile(new URL("uplift.onnx", base));
  } catch (error) {
    return {
      ok: false,
      reason: `No trained models in ${base.pathname} (run deno task train): ${(error as Error).message}`,
    };
  }
  try {
    const parsed = JSON.parse(text) as { info: ArtifactInfo; models: Omit<TrainedModels, "uplift"> };
    if (parsed.models?.version !== 1) return { ok: false, reason: "models.json has an unknown version" };
    const enrichment = parsed.models.enrichment;
    const width = FEATURE_COUNT + enrichment.clusters.centroids.length + enrichment.offers.length;
    if (parsed.models.featureNames.length !== width) {
      return { ok: false, reason: "models.json was trained on other features (run deno task train)" };
    }
    const uplift = specializePooled(parsed.models.pooledUplift, width, parsed.models.offers);
    return { ok: true, models: { ...parsed.models, uplift }, onnx, info: parsed.info };
  } catch (error) {
    return { ok: false, reason: `models.json is not valid JSON: ${(error as Error).message}` };
  }
}
