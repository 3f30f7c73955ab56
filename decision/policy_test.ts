import assert from "node:assert/strict";
import { CAMPAIGN_OFFERS } from "../datagen/uplift_truth.ts";
import { DEFAULT_DECISION_POLICY, NON_PERSONAL_PRIOR, resolvePolicy } from "./policy.ts";

Deno.test("DecisionPolicy defaults hold a prior for every campaign offer", () => {
  assert.deepEqual(Object.keys(NON_PERSONAL_PRIOR).sort(), [...CAMPAIGN_OFFERS].sort());
  for (const prior of Object.values(NON_PERSONAL_PRIOR)) {
    assert.ok(prior.pControl >= 0 && prior.pTreated <= 1 && prior.uplift > 0);
  }
  assert.ok(DEFAULT_DECISION_POLICY.sureThingMaxUplift > DEFAULT_DECISION_POLICY.minUplift);
  assert.ok(DEFAULT_DECISION_POLICY.sleepingDogUplift < 0);
});

Deno.test("DecisionPolicy overrides apply and bad values are ignored or clamped", () => {
  const policy = resolvePolicy({
    minUplift: 0.04,
    mmrLambda: 3,
    maxOffers: 2.9,
    sureThingMinPControl: Number.NaN,
    unknown: 5,
  } as Record<string, unknown>);
  assert.equal(policy.minUplift, 0.04);
  assert.equal(policy.mmrLambda, 1);
  assert.equal(policy.maxOffers, 2);
  assert.equal(policy.sureThingMinPControl, DEFAULT_DECISION_POLICY.sureThingMinPControl);
  assert.equal(Object.hasOwn(policy, "unknown"), false);
  assert.equal(resolvePolicy({ maxOffers: -4 }).maxOffers, 0);
  // Infinities mean "never": they turn a rule off.
  const off = resolvePolicy({ sureThingMinPControl: Infinity, minUplift: -Infinity });
  assert.equal(off.sureThingMinPControl, Infinity);
  assert.equal(off.minUplift, -Infinity);
  assert.deepEqual(resolvePolicy(), DEFAULT_DECISION_POLICY);
});
