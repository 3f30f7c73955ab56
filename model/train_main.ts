/**
 * `deno task train [--seed S] [--users N] [--out DIR]`: generates the
 * dataset, trains the shipped models on every client and writes them to
 * `model/artifacts/` (or DIR). The daily retrain job calls {@linkcode trainAndSave}.
 *
 * @module
 */

import { generate } from "../datagen/generate.ts";
import { CAMPAIGN_OFFERS } from "../datagen/uplift_truth.ts";
import { DEFAULT_ARTIFACTS_DIR, saveArtifacts } from "./artifacts.ts";
import { progressBar } from "./progress.ts";
import { trainModels, type TrainProgress } from "./train.ts";
import { buildTrainingSet } from "./training_set.ts";

/** The dataset the shipped models are trained on. */
export const SHIPPED = { seed: 42, users: 3000, asOf: "2026-11-01T00:00:00.000Z" } as const;

/** Generates, trains and saves; returns what was trained. */
export async function trainAndSave(
  options: { seed: number; users: number; asOf: string; out: string | URL },
  progress: TrainProgress = () => {},
): Promise<{ offers: string[]; seconds: number }> {
  const started = performance.now();
  progress(0, `generating ${options.users} clients`);
  const data = generate({ seed: options.seed, users: options.users, shoppers: 0, asOf: options.asOf });
  progress(0.1, "replaying histories into features");
  const set = buildTrainingSet(data, { testShare: 0 });
  const models = trainModels(set, CAMPAIGN_OFFERS, {
    onProgress: (f, note) => progress(0.2 + 0.75 * f, note),
  });
  const seconds = (performance.now() - started) / 1000;
  await saveArtifacts(options.out, models, {
    seed: options.seed,
    users: options.users,
    asOf: options.asOf,
    trainingSeconds: seconds,
  });
  progress(1, "saved");
  return { offers: models.offers, seconds };
}

function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

if (import.meta.main) {
  const seed = Number(flag(Deno.args, "seed") ?? SHIPPED.seed);
  const users = Number(flag(Deno.args, "users") ?? SHIPPED.users);
  const out = flag(Deno.args, "out") ?? DEFAULT_ARTIFACTS_DIR;
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(users) || users < 200 || users > 200_000) {
    console.error("error: --seed must be an integer and --users an integer from 200 to 200000");
    Deno.exit(2);
  }
  const result = await trainAndSave({ seed, users, asOf: SHIPPED.asOf, out }, progressBar("train"));
  console.log(`\ntrained ${result.offers.length} offers in ${result.seconds.toFixed(1)} s → ${out}`);
}
