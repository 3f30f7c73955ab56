import assert from "node:assert/strict";
import { EMBEDDED_CALIBRATION, loadCalibration, loadCalibrationSync } from "./calibration.ts";

Deno.test("the embedded calibration matches the statistics of the sample files", async () => {
  const fromFiles = await loadCalibration();
  assert.equal(fromFiles.source, "files");
  assert.deepEqual({ ...fromFiles, source: "embedded" }, EMBEDDED_CALIBRATION);
  assert.deepEqual(loadCalibrationSync(), fromFiles);
});

Deno.test("loadCalibration falls back to the embedded numbers when files are absent", async () => {
  assert.equal(await loadCalibration("/nonexistent/santander"), EMBEDDED_CALIBRATION);
  assert.equal(loadCalibrationSync("/nonexistent/santander"), EMBEDDED_CALIBRATION);
});

Deno.test("the calibration reflects the sample: students are young, TOP is rich", () => {
  const c = EMBEDDED_CALIBRATION;
  const median = (q: number[]) => q[10];
  assert.ok(median(c.segments["03 - UNIVERSITARIO"].ageQuantiles) < 26);
  assert.ok(median(c.segments["01 - TOP"].ageQuantiles) > 45);
  assert.ok(c.segments["01 - TOP"].renta.mu > c.segments["02 - PARTICULARES"].renta.mu);
  assert.ok(c.holdingRates.ind_cco_fin_ult1 > 0.6);
  assert.ok(c.coHolding.ind_nomina_ult1.ind_nom_pens_ult1 > 0.05, "payroll and pension are held together");
});
