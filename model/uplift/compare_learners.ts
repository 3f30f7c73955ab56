/**
 * Measures the meta-learners on synthetic randomised trials with known uplift (held-out sklift Qini/AUUC,
 * incremental conversions at a 30% budget using the true uplift, RMSE to the true uplift, fit time).
 *
 * Run: `deno task uplift:compare [trainRows] [seeds]`, e.g. `deno task uplift:compare 20000 1,2,3`.
 *
 * @module
 */

import { fitUplift, type FitUpliftOptions, Learner, predictUplift } from "./learners.ts";
import { upliftReport } from "./metrics.ts";
import { generateRct, splitRct } from "./synthetic_rct.ts";

/** Mean held-out figures of one learner over the seeds. */
export interface LearnerFigures {
  learner: Learner;
  qini: number;
  auuc: number;
  incrementalConversions: number;
  rmse: number;
  fitMs: number;
}

/** Mean figures per learner plus the oracle's Qini/AUUC/incremental conversions. */
export interface LearnerComparison {
  learners: LearnerFigures[];
  oracle: { qini: number; auuc: number; incrementalConversions: number };
}

/** Fits each learner on `nTrain` rows and evaluates on `nTest` fresh rows, averaged over `seeds`. */
export function compareLearners(
  options: { nTrain: number; nTest: number; seeds: number[]; learners?: Learner[]; fit?: FitUpliftOptions },
): LearnerComparison {
  const learners = options.learners ?? Object.values(Learner);
  const sums = learners.map((learner) => ({
    learner,
    qini: 0,
    auuc: 0,
    incrementalConversions: 0,
    rmse: 0,
    fitMs: 0,
  }));
  const oracle = { qini: 0, auuc: 0, incrementalConversions: 0 };
  const k = options.seeds.length;
  for (const seed of options.seeds) {
    const [train, test] = splitRct(generateRct(options.nTrain + options.nTest, { seed }), options.nTrain);
    learners.forEach((learner, i) => {
      const started = performance.now();
      const model = fitUplift(train, { ...options.fit, learner, seed });
      const fitMs = performance.now() - started;
      const scores = predictUplift(model, test.features).map((p) => p.uplift);
      const report = upliftReport(test.outcome, scores, test.treatment, { trueUplift: test.trueUplift });
      let squared = 0;
      scores.forEach((s, r) => (squared += (s - test.trueUplift[r]) ** 2));
      const sum = sums[i];
      sum.qini += report.qini / k;
      sum.auuc += report.auuc / k;
      sum.incrementalConversions += report.incrementalConversions / k;
      sum.rmse += Math.sqrt(squared / scores.length) / k;
      sum.fitMs += fitMs / k;
      if (i === 0) {
        oracle.qini += report.oracle!.qini / k;
        oracle.auuc += report.oracle!.auuc / k;
        oracle.incrementalConversions += report.oracle!.incrementalConversions / k;
      }
    });
  }
  return { learners: sums, oracle };
}

if (import.meta.main) {
  const nTrain = Number(Deno.args[0] ?? 20_000);
  const seeds = (Deno.args[1] ?? "1,2,3").split(",").map(Number);
  const result = compareLearners({ nTrain, nTest: 30_000, seeds });
  for (const f of result.learners) {
    console.log(
      `${f.learner.padEnd(2)} qini ${f.qini.toFixed(4)} auuc ${f.auuc.toFixed(4)} ` +
        `incremental@30% ${f.incrementalConversions.toFixed(1)} rmse ${f.rmse.toFixed(4)} fit ${
          f.fitMs.toFixed(0)
        } ms`,
    );
  }
  const o = result.oracle;
  console.log(
    `oracle qini ${o.qini.toFixed(4)} auuc ${o.auuc.toFixed(4)} incremental@30% ${
      o.incrementalConversions.toFixed(1)
    }`,
  );
}
