import { fitUplift, Learner, predictUplift } from "../learners.ts";
import { upliftReport } from "../metrics.ts";
import { generateRct, splitRct } from "../synthetic_rct.ts";
const nTrain = Number(Deno.args[0] ?? 20000), nTest = 30000;
const seeds = (Deno.args[1] ?? "1,2,3").split(",").map(Number);
const sums: Record<string, number[]> = {};
for (const seed of seeds) {
  const [train, test] = splitRct(generateRct(nTrain + nTest, { seed }), nTrain);
  let line = `seed ${seed}:`;
  for (const learner of (Deno.env.get("LEARNERS") ?? "s,t,x,dr").split(",") as Learner[]) {
    const t0 = performance.now();
    const m = fitUplift(train, { learner, seed, ...JSON.parse(Deno.env.get("OPTS") ?? "{}") });
    const ms = performance.now() - t0;
    const u = predictUplift(m, test.features).map((p) => p.uplift);
    const rep = upliftReport(test.outcome, u, test.treatment, { trueUplift: test.trueUplift });
    let se = 0;
    for (let i = 0; i < u.length; i++) se += (u[i] - test.trueUplift[i]) ** 2;
    const vals = [rep.qini, rep.auuc, rep.incrementalConversions, Math.sqrt(se / u.length), ms];
    (sums[learner] ??= [0, 0, 0, 0, 0]).forEach((_, i) => sums[learner][i] += vals[i] / seeds.length);
    line += ` ${learner}: qini ${rep.qini.toFixed(4)} auuc ${rep.auuc.toFixed(4)} inc ${
      rep.incrementalConversions.toFixed(0)
    } rmse ${vals[3].toFixed(4)} ${ms.toFixed(0)}ms |`;
    if (learner === "s") {
      line += ` oracle qini ${rep.oracle!.qini.toFixed(4)} auuc ${rep.oracle!.auuc.toFixed(4)} inc ${
        rep.oracle!.incrementalConversions.toFixed(0)
      } |`;
    }
  }
  console.log(line);
}
for (const [k, v] of Object.entries(sums)) {
  console.log(
    k,
    "mean qini",
    v[0].toFixed(4),
    "auuc",
    v[1].toFixed(4),
    "inc",
    v[2].toFixed(1),
    "rmse",
    v[3].toFixed(4),
    "ms",
    v[4].toFixed(0),
  );
}
