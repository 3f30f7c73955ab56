/**
 * `deno task eval [--seed S] [--users N] [--out DIR]`: generates a dataset,
 * trains on the training clients, evaluates on the held-out ones, and writes
 * `DIR/evaluation.json` and `DIR/evaluation.html` (default `./eval`).
 *
 * @module
 */

import { generate } from "../datagen/generate.ts";
import { CAMPAIGN_OFFERS } from "../datagen/uplift_truth.ts";
import { evaluate } from "./evaluate.ts";
import { renderReportHtml } from "./report_html.ts";
import { buildTrainingSet } from "./training_set.ts";
import { progressBar } from "./progress.ts";
import { resolveLlmSettings } from "../llm/settings.ts";
import { addLlmBaseline } from "./evaluate_llm.ts";

function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}

if (import.meta.main) {
  const args = Deno.args;
  const seed = Number(flag(args, "seed", "42"));
  const users = Number(flag(args, "users", "6000"));
  const out = flag(args, "out", "./eval");
  if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(users) || users < 200 || users > 200_000) {
    console.error("error: --seed must be an integer and --users an integer from 200 to 200000");
    Deno.exit(2);
  }
  const started = performance.now();
  const bar = progressBar("eval");
  bar(0, `generating ${users} clients (seed ${seed})`);
  const data = generate({ seed, users, shoppers: 0, asOf: "2026-11-01T00:00:00.000Z" });
  bar(0.05, "replaying histories into features");
  const set = buildTrainingSet(data);
  const report = evaluate(set, CAMPAIGN_OFFERS, { onProgress: (f, note) => bar(0.1 + 0.9 * f, note) });
  const llm = resolveLlmSettings({
    baseUrl: Deno.env.get("LLM_BASE_URL") ?? null,
    apiKey: Deno.env.get("LLM_API_KEY") ?? null,
    model: Deno.env.get("LLM_MODEL") ?? null,
  });
  if (llm.ok && llm.settings) {
    bar(0.99, "LLM baseline");
    await addLlmBaseline(report, set, CAMPAIGN_OFFERS, llm.settings);
  } else {
    report.skipped["llm (profile + cluster)"] = llm.ok
      ? "no LLM configured (set LLM_BASE_URL, LLM_MODEL, LLM_API_KEY)"
      : llm.reason;
  }
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(`${out}/evaluation.json`, JSON.stringify({ seed, users, ...report }, null, 2));
  await Deno.writeTextFile(`${out}/evaluation.html`, renderReportHtml(report));
  bar(1, "done");
  console.log(
    `\nwrote ${out}/evaluation.json and ${out}/evaluation.html in ${
      ((performance.now() - started) / 1000).toFixed(1)
    } s`,
  );
  console.table(Object.fromEntries(
    Object.entries(report.models).map(([name, model]) => [name, {
      qini: +model.qini.toFixed(4),
      auuc: +model.auuc.toFixed(4),
      upliftAtK: +model.upliftAtK.toFixed(4),
      incremental: +model.incrementalConversions.toFixed(1),
    }]),
  ));
  console.log("MAP@7", report.nextProduct.map7);
  console.log("checks", report.checks);
}
