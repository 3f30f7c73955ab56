import assert from "node:assert/strict";
import { predictRaw } from "./gbt.ts";
import { fitUplift, Learner, predictUplift, specializeTree } from "./learners.ts";
import { qiniAucScore } from "./metrics.ts";
import { generateRct, splitRct } from "./synthetic_rct.ts";

const [train, test] = splitRct(generateRct(9000, { seed: 11 }), 6000);
const small = { nTrees: 40 };

Deno.test("every learner returns probabilities and an uplift that ranks the truth", () => {
  for (const learner of Object.values(Learner)) {
    const model = fitUplift(train, { learner, params: small, effectParams: small, seed: 3 });
    assert.equal(model.learner, learner);
    assert.equal(model.effect === null, learner === Learner.s || learner === Learner.t);
    const scores = predictUplift(model, test.features);
    assert.equal(scores.length, test.nRows);
    for (const s of scores) assert.ok(s.pControl > 0 && s.pControl < 1 && s.pTreated > 0 && s.pTreated < 1);
    const qini = qiniAucScore(test.outcome, scores.map((s) => s.uplift), test.treatment);
    const oracle = qiniAucScore(test.outcome, test.trueUplift, test.treatment);
    assert.ok(qini > 0.3 * oracle, `${learner}: qini ${qini} vs oracle ${oracle}`);
    if (!model.effect) scores.forEach((s) => assert.equal(s.uplift, s.pTreated - s.pControl));
  }
});

Deno.test("specializeTree resolves the treatment splits of an S-learner", () => {
  const tree = {
    feature: [1, 0, -1, -1, -1],
    threshold: [0.5, 2, 0, 0, 0],
    missingLeft: [0, 1, 0, 0, 0],
    left: [1, 2, -1, -1, -1],
    right: [4, 3, -1, -1, -1],
    value: [0, 0, 10, 20, 30],
  };
  const control = {
    objective: "logistic" as const,
    nFeatures: 1,
    baseScore: 0,
    trees: [specializeTree(tree, 1, 0)],
  };
  const treated = { ...control, trees: [specializeTree(tree, 1, 1)] };
  assert.equal(predictRaw(control, [1]), 10);
  assert.equal(predictRaw(control, [3]), 20);
  assert.equal(predictRaw(control, [NaN]), 10);
  assert.equal(predictRaw(treated, [1]), 30);
  assert.deepEqual(treated.trees[0].feature, [-1]);
});

Deno.test("fitUplift reports progress up to the planned tree count", () => {
  const seen: number[] = [];
  let planned = 0;
  fitUplift(train, {
    learner: Learner.x,
    params: { nTrees: 5 },
    effectParams: { nTrees: 5 },
    onProgress: (done, total) => {
      seen.push(done);
      planned = total;
    },
  });
  assert.equal(planned, 20);
  assert.equal(seen.at(-1), 20);
});
