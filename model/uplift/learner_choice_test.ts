import assert from "node:assert/strict";
import { compareLearners } from "./compare_learners.ts";
import { DEFAULT_LEARNER, Learner } from "./learners.ts";

Deno.test("the default learner ranks uplift at least as well as the T- and S-learner", () => {
  // Fixed seeds and enough rows that the averaged comparison is stable; DR is measured by compare_learners.ts.
  const result = compareLearners({
    nTrain: 20_000,
    nTest: 20_000,
    seeds: [1, 2, 3],
    learners: [DEFAULT_LEARNER, Learner.t, Learner.s],
  });
  const [shipped, t, s] = result.learners;
  console.log(
    result.learners.map((f) => `${f.learner}: qini ${f.qini.toFixed(4)} auuc ${f.auuc.toFixed(4)}`).join(
      "; ",
    ),
  );
  assert.ok(shipped.qini >= t.qini, `qini ${shipped.qini} < T ${t.qini}`);
  assert.ok(shipped.qini >= s.qini, `qini ${shipped.qini} < S ${s.qini}`);
  assert.ok(shipped.auuc >= t.auuc && shipped.auuc >= s.auuc, "AUUC below T or S");
  assert.ok(shipped.incrementalConversions >= Math.max(t.incrementalConversions, s.incrementalConversions));
  assert.ok(shipped.qini <= result.oracle.qini && shipped.qini > 0.7 * result.oracle.qini);
});
