/**
 * The retrain process: `deno run model/retrain_main.ts DATASET.json OUT_DIR`.
 * Reads a dataset, trains every model and writes the artifacts, printing
 * `progress <fraction> <note>` lines and a final `done <json>` line on stdout.
 * The engine runs it as a child process, so training never blocks ingest and
 * a crash in training cannot take the engine down.
 *
 * @module
 */

import { CAMPAIGN_OFFERS } from "../datagen/uplift_truth.ts";
import type { GeneratedData } from "../datagen/types.ts";
import { saveArtifacts } from "./artifacts.ts";
import { trainModels } from "./train.ts";
import { buildTrainingSet } from "./training_set.ts";

if (import.meta.main) {
  const [input, out] = Deno.args;
  if (!input || !out) {
    console.error("usage: retrain_main.ts DATASET.json OUT_DIR");
    Deno.exit(2);
  }
  const started = performance.now();
  try {
    const data = JSON.parse(await Deno.readTextFile(input)) as GeneratedData;
    const set = buildTrainingSet(data, { testShare: 0 });
    if (set.examples.length < 200) {
      throw new Error(`Only ${set.examples.length} campaign rows; need at least 200`);
    }
    const models = trainModels(set, CAMPAIGN_OFFERS, {
      onProgress: (fraction, note) => console.log(`progress ${fraction.toFixed(3)} ${note}`),
    });
    const seconds = (performance.now() - started) / 1000;
    await saveArtifacts(out, models, {
      seed: data.seed,
      users: data.clients.length,
      asOf: data.asOf,
      trainingSeconds: seconds,
    });
    console.log(`done ${JSON.stringify({ rows: set.examples.length, seconds })}`);
  } catch (error) {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    Deno.exit(1);
  }
}
