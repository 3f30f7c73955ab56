import assert from "node:assert/strict";
import {
  areaUnder,
  incrementalConversions,
  perfectQiniCurve,
  perfectUpliftCurve,
  qiniAucScore,
  qiniCurve,
  upliftAtK,
  upliftAucScore,
  upliftCurve,
  upliftReport,
} from "./metrics.ts";

// Tiny trial: rows sorted by score are 0..5 (scores descending).
const y = [1, 0, 1, 0, 0, 1];
const t = [1, 1, 0, 1, 0, 0];
const s = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4];

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-12, `${a} != ${b}`);

Deno.test("qiniCurve accumulates Y_T − Y_C·N_T/N_C at each row", () => {
  // n=1: 1 - 0; n=2: 1; n=3: 1 - 1·2/1 = -1; n=4: 1 - 1·3/1 = -2; n=5: 1 - 1·3/2 = -0.5; n=6: 1 - 2·3/3 = -1
  const c = qiniCurve(y, s, t);
  assert.deepEqual(c.x, [0, 1, 2, 3, 4, 5, 6]);
  [0, 1, 1, -1, -2, -0.5, -1].forEach((v, i) => close(c.y[i], v));
});

Deno.test("upliftCurve accumulates (Y_T/N_T − Y_C/N_C)·N", () => {
  // n=3: (1/2 - 1/1)·3 = -1.5; n=4: (1/3 - 1)·4 = -8/3; n=5: (1/3 - 1/2)·5 = -5/6; n=6: (1/3 - 2/3)·6 = -2
  const c = upliftCurve(y, s, t);
  [0, 1, 1, -1.5, -8 / 3, -5 / 6, -2].forEach((v, i) => close(c.y[i], v));
});

Deno.test("curves keep one point per run of tied scores", () => {
  const c = qiniCurve([1, 0, 1, 0], [0.5, 0.5, 0.2, 0.2], [1, 0, 1, 0]);
  assert.deepEqual(c.x, [0, 2, 4]);
  close(c.y[1], 1);
  close(c.y[2], 2);
});

Deno.test("qiniAucScore normalises by the perfect and random curves", () => {
  // Perfect score y·t − y·(1−t) = [1,0,-1,0,0,-1]: order (stable asc, reversed) 0, 4, 3, 1, 5, 2
  // Tied runs end at n = 1, 4, 6. Qini there: 1; 1 - 0·1/1 = 1; 1 - 2·3/3 = -1
  const perfect = perfectQiniCurve(y, t);
  assert.deepEqual(perfect.x, [0, 1, 4, 6]);
  [0, 1, 1, -1].forEach((v, i) => close(perfect.y[i], v));
  const perfectArea = 0.5 + 3 + 0;
  const randomArea = (6 * -1) / 2;
  const modelArea = 0.5 + 1 + 0 - 1.5 - 1.25 - 0.75;
  close(areaUnder(perfect), perfectArea);
  close(qiniAucScore(y, s, t), (modelArea - randomArea) / (perfectArea - randomArea));
});

Deno.test("upliftAucScore uses sklift's perfect uplift curve", () => {
  // CR = 2 control responders, TN = 2 treated non-responders, so the summand is t.
  // Perfect score 2·[y=t] + t = [3,1,0,1,2,0]: order 0, 4, 3, 1, 5, 2
  const perfect = perfectUpliftCurve(y, t);
  assert.deepEqual(perfect.x, [0, 1, 2, 4, 6]);
  // n=1: 1·1; n=2: (1 - 0)·2 = 2; n=4: (1/3 - 0)·4 = 4/3; n=6: (1/3 - 2/3)·6 = -2
  [0, 1, 2, 4 / 3, -2].forEach((v, i) => close(perfect.y[i], v));
  const perfectArea = 0.5 + 1.5 + (2 + 4 / 3) + (4 / 3 - 2);
  const randomArea = -6;
  const modelArea = 0.5 + 1 + (1 - 1.5) / 2 + (-1.5 - 8 / 3) / 2 + (-8 / 3 - 5 / 6) / 2 + (-5 / 6 - 2) / 2;
  close(upliftAucScore(y, s, t), (modelArea - randomArea) / (perfectArea - randomArea));
});

Deno.test("upliftAtK compares arms inside the top floor(n·k) rows", () => {
  // Top 4 rows: treated 0,1,3 (1 responder of 3), control 2 (1 of 1)
  close(upliftAtK(y, s, t, 4 / 6 + 1e-9), 1 / 3 - 1);
  close(upliftAtK(y, s, t, 0.5), 1 / 2 - 1);
});

Deno.test("incrementalConversions sums the true uplift of the contacted rows", () => {
  const truth = [0.3, -0.1, 0.2, 0.05, 0, 0.4];
  close(incrementalConversions(y, s, t, 3, truth), 0.4);
  close(incrementalConversions(y, s, t, 3), (1 / 2 - 1) * 3);
  const report = upliftReport(y, s, t, { k: 0.5, trueUplift: truth });
  close(report.oracle!.incrementalConversions, 0.9);
  close(report.qini, qiniAucScore(y, s, t));
});
