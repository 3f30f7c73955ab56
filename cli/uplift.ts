/**
 * `deno task uplift` — fit an uplift model on any CSV and score other CSVs with it.
 *
 * ```
 * deno task uplift fit --train F --treatment COL --outcome COL --model DIR [--learner x|dr|t|s] [--seed N]
 * deno task uplift predict --model DIR --data F --out F
 * ```
 * `fit` writes `DIR/model.json` (encoders + trees) and `DIR/model.onnx`. `predict` writes one column
 * `uplift`, one row per input row, in input order. Bad usage or bad files exit with code 2 and one line.
 *
 * @module
 */

import { csvField } from "../model/uplift/csv.ts";
import { DEFAULT_LEARNER, fitUplift, Learner, predictUplift } from "../model/uplift/learners.ts";
import { exportUpliftOnnx } from "../model/uplift/onnx_export.ts";
import {
  parseSavedUpliftModel,
  SAVED_MODEL_FORMAT,
  type SavedUpliftModel,
} from "../model/uplift/saved_uplift_model.ts";
import { encodeTable, readCsvFile, trainingTable } from "../model/uplift/table.ts";

const USAGE = "Usage: uplift fit --train F --treatment COL --outcome COL --model DIR [--learner x|dr|t|s] " +
  "[--seed N] | uplift predict --model DIR --data F --out F";

/** A usage or input problem: reported on one line with exit code 2. */
export class CliError extends Error {
  /** Creates the error with a one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "CliError";
  }
}

function parseFlags(args: string[], allowed: readonly string[]): Map<string, string> {
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i += 2) {
    const name = args[i];
    if (!name.startsWith("--") || !allowed.includes(name.slice(2))) {
      throw new CliError(`Unknown argument ${name}`);
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith("--")) throw new CliError(`Missing value for ${name}`);
    flags.set(name.slice(2), value);
  }
  return flags;
}

function required(flags: Map<string, string>, name: string): string {
  const value = flags.get(name);
  if (value === undefined) throw new CliError(`Missing --${name}`);
  return value;
}

/** Reports training progress: a redrawn bar on a TTY, otherwise a line per 10%. */
export function progressReporter(
  isTty: boolean,
  write: (text: string) => void,
): (done: number, total: number) => void {
  let lastTenth = -1;
  return (done, total) => {
    const share = total > 0 ? Math.min(1, done / total) : 1;
    if (isTty) {
      const width = 30;
      const filled = Math.round(share * width);
      write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done}/${total} trees`);
      if (done >= total) write("\n");
      return;
    }
    const tenth = Math.floor(share * 10);
    if (tenth > lastTenth) {
      lastTenth = tenth;
      write(`training ${tenth * 10}%\n`);
    }
  };
}

async function fit(args: string[]): Promise<void> {
  const flags = parseFlags(args, ["train", "treatment", "outcome", "model", "learner", "seed"]);
  const trainPath = required(flags, "train");
  const treatment = required(flags, "treatment");
  const outcome = required(flags, "outcome");
  const dir = required(flags, "model");
  const learner = (flags.get("learner") ?? DEFAULT_LEARNER) as Learner;
  if (!Object.values(Learner).includes(learner)) {
    throw new CliError(`Unknown learner ${learner}; use x, dr, t or s`);
  }
  const seed = Number(flags.get("seed") ?? "1");
  if (!Number.isInteger(seed)) throw new CliError(`Seed must be an integer, got ${flags.get("seed")}`);
  const csv = await readCsvFile(trainPath);
  if (!csv.ok) throw new CliError(csv.reason);
  const table = trainingTable(csv.value, treatment, outcome);
  if (!table.ok) throw new CliError(`${trainPath}: ${table.reason}`);
  const encoder = new TextEncoder();
  const onProgress = progressReporter(
    Deno.stderr.isTerminal(),
    (t) => Deno.stderr.writeSync(encoder.encode(t)),
  );
  const model = fitUplift(table.value.data, { learner, seed, onProgress });
  const exported = exportUpliftOnnx(model);
  if (!exported.ok) throw new CliError(exported.reason);
  const saved: SavedUpliftModel = {
    format: SAVED_MODEL_FORMAT,
    treatment,
    outcome,
    encoders: table.value.encoders,
    model,
  };
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(saved));
  await Deno.writeFile(`${dir}/model.onnx`, exported.bytes);
  console.error(
    `Wrote ${dir}/model.json and ${dir}/model.onnx (${learner}-learner, ${table.value.data.nRows} rows)`,
  );
}

async function predict(args: string[]): Promise<void> {
  const flags = parseFlags(args, ["model", "data", "out"]);
  const dir = required(flags, "model");
  const dataPath = required(flags, "data");
  const outPath = required(flags, "out");
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/model.json`);
  } catch {
    throw new CliError(`Cannot read ${dir}/model.json`);
  }
  const saved = parseSavedUpliftModel(text);
  if (!saved.ok) throw new CliError(saved.reason);
  const csv = await readCsvFile(dataPath);
  if (!csv.ok) throw new CliError(csv.reason);
  const features = encodeTable(saved.saved.encoders, csv.value);
  if (!features.ok) throw new CliError(`${dataPath}: ${features.reason}`);
  const scores = predictUplift(saved.saved.model, features.value);
  const lines = ["uplift", ...scores.map((s) => csvField(String(s.uplift)))];
  await Deno.writeTextFile(outPath, lines.join("\n") + "\n");
}

/** Runs the CLI and returns the exit code. */
export async function main(args: string[]): Promise<number> {
  try {
    const [command, ...rest] = args;
    if (command === "fit") await fit(rest);
    else if (command === "predict") await predict(rest);
    else throw new CliError(command ? `Unknown command ${command}. ${USAGE}` : USAGE);
    return 0;
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    console.error(`error: ${error.message}`);
    return 2;
  }
}

if (import.meta.main) Deno.exit(await main(Deno.args));
