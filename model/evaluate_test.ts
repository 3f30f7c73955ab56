import assert from "node:assert/strict";
import { generate } from "../datagen/generate.ts";
import { CAMPAIGN_OFFERS } from "../datagen/uplift_truth.ts";
import { evaluate, map7 } from "./evaluate.ts";
import { renderReportHtml } from "./report_html.ts";
import { buildTrainingSet } from "./training_set.ts";

Deno.test("map7 scores rankings like the Santander competition", () => {
  assert.equal(map7([["a", "b", "c"]], [["a"]]), 1);
  assert.equal(map7([["x", "a"]], [["a", "b"]]), 0.25);
  assert.equal(map7([["x", "y"]], [["a"]]), 0);
});

Deno.test({
  name:
    "on held-out generated clients our uplift model matches T/S-learners on Qini and beats propensity-only",
  sanitizeResources: true,
  fn: () => {
    const data = generate({ seed: 42, users: 5000, shoppers: 0, asOf: "2026-11-01T00:00:00.000Z" });
    const set = buildTrainingSet(data);
    const report = evaluate(set, CAMPAIGN_OFFERS);
    const ours = report.models["uplift (x-learner, ours)"];
    const figures = Object.fromEntries(
      Object.entries(report.models).map((
        [name, model],
      ) => [name, [model.qini, model.incrementalConversions]]),
    );
    assert.ok(report.testRows > 3000, `held-out rows: ${report.testRows}`);
    assert.ok(ours.qini >= report.models["t-learner"].qini, JSON.stringify(figures));
    assert.ok(ours.qini >= report.models["s-learner"].qini, JSON.stringify(figures));
    assert.ok(
      ours.incrementalConversions > report.models["propensity only"].incrementalConversions,
      JSON.stringify(figures),
    );
    assert.ok(ours.qini > 0 && ours.qini < report.models.oracle.qini, JSON.stringify(figures));
    assert.ok(report.nextProduct.map7["propensity (ours)"] > report.nextProduct.map7["popularity"]);
    assert.deepEqual(report.checks, {
      atLeastTLearner: true,
      atLeastSLearner: true,
      beatsPropensityOnIncremental: true,
    });
    const html = renderReportHtml(report);
    assert.match(html, /<svg[^>]*aria-label="Qini curves"/);
    assert.ok(html.includes("oracle") && html.includes("MAP@7"));
  },
});
