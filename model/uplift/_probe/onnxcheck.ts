import { fitUplift, Learner, predictUplift } from "../learners.ts";
import { exportUpliftOnnx } from "../onnx_export.ts";
import { OnnxUpliftScorer } from "../onnx_scorer.ts";
import { generateRct } from "../synthetic_rct.ts";
const data = generateRct(5000, { seed: 5 });
const test = generateRct(1000, { seed: 6 });
for (let i = 0; i < test.features.length; i += 7) test.features[i] = NaN;
for (const learner of [Learner.s, Learner.t, Learner.x, Learner.dr]) {
  const m = fitUplift(data, { learner, params: { nTrees: 40 }, effectParams: { nTrees: 40 } });
  const ex = exportUpliftOnnx(m);
  if (!ex.ok) throw new Error(ex.reason);
  const l = await OnnxUpliftScorer.load(ex.bytes, { nFeatures: data.nCols });
  if (!l.ok) throw new Error(l.reason);
  const out = await l.scorer.score(test.features);
  const ts = predictUplift(m, test.features);
  let md = 0;
  ts.forEach((p, i) => {
    md = Math.max(
      md,
      Math.abs(p.pControl - out.pControl[i]),
      Math.abs(p.pTreated - out.pTreated[i]),
      Math.abs(p.uplift - out.uplift[i]),
    );
  });
  console.log(learner, "bytes", ex.bytes.length, "max diff", md);
  await l.scorer.release();
}
