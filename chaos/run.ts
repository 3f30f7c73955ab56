/**
 * `deno task chaos [--short] [--seed N]`: runs the chaos scenario
 * (`chaos/scenario.ts`), prints a summary and writes the JSON report to
 * `chaos/results/latest.json` (`short.json` with `--short`, or the path in
 * `CHAOS_REPORT`). `CHAOS_SHORT=1` is the same as `--short`. Exits 1 when a
 * check failed.
 *
 * @module
 */

import { closeOpenClusters } from "./_cluster.ts";
import { formatReport } from "./report.ts";
import { PRESETS, runChaos } from "./scenario.ts";

if (import.meta.main) {
  const args = Deno.args;
  const short = args.includes("--short") || Deno.env.get("CHAOS_SHORT") === "1";
  const seedAt = args.indexOf("--seed");
  const seed = seedAt >= 0 ? Number(args[seedAt + 1]) : 42;
  if (!Number.isInteger(seed)) throw new RangeError("--seed must be an integer");
  const preset = PRESETS[short ? "short" : "full"];
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, async () => {
      console.error(`chaos: ${signal}: stopping the nodes and removing the private Postgres`);
      await closeOpenClusters();
      Deno.exit(130);
    });
  }
  const log = (line: string) => console.error(`${new Date().toISOString().slice(11, 19)} ${line}`);
  const path = Deno.env.get("CHAOS_REPORT") ??
    new URL(`./results/${short ? "short" : "latest"}.json`, import.meta.url).pathname;
  const logDir = `${path.replace(/\.json$/, "")}-logs`;
  const report = await runChaos({ ...preset, seed, log, logDir });
  await Deno.mkdir(path.slice(0, path.lastIndexOf("/")) || ".", { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(report, null, 2) + "\n");
  console.log(formatReport(report));
  console.log(
    `\n${report.seconds} s (${report.mode}); ${
      report.passed ? "every check held" : "CHECKS FAILED"
    }; JSON in ${path}`,
  );
  if (!report.passed) Deno.exitCode = 1;
}
