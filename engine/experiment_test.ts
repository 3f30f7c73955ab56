import assert from "node:assert/strict";
import { UserActor } from "../actors/user_actor.ts";
import {
  armOf,
  type ArmOutcome,
  armResults,
  countArms,
  experimentSettings,
  mergeArms,
} from "./experiment.ts";

const ENV = {
  EXPERIMENT_ID: "nbo-2026-12",
  EXPERIMENT_ARMS: "uplift:50,propensity:50",
  EXPERIMENT_START: "2026-12-01T00:00:00Z",
};

Deno.test("experimentSettings reads the experiment and explains every mistake", () => {
  assert.deepEqual(experimentSettings({}), { ok: true, value: null });
  const parsed = experimentSettings(ENV);
  assert.ok(parsed.ok && parsed.value !== null);
  assert.deepEqual(parsed.value, {
    id: "nbo-2026-12",
    arms: [{ strategy: "uplift", weight: 50 }, { strategy: "propensity", weight: 50 }],
    startMs: Date.parse("2026-12-01T00:00:00Z"),
  });
  const cases: [Record<string, string>, RegExp][] = [
    [{ ...ENV, EXPERIMENT_ID: "" }, /EXPERIMENT_ID must be/],
    [{ ...ENV, EXPERIMENT_ID: "drop table;" }, /EXPERIMENT_ID must be/],
    [{ ...ENV, EXPERIMENT_ID: "x".repeat(65) }, /EXPERIMENT_ID must be/],
    [{ EXPERIMENT_ID: "a" }, /EXPERIMENT_ARMS is needed/],
    [{ ...ENV, EXPERIMENT_ARMS: "uplift:100" }, /at least two arms/],
    [{ ...ENV, EXPERIMENT_ARMS: "uplift:50,magic:50" }, /must be one of uplift, propensity, rules/],
    [{ ...ENV, EXPERIMENT_ARMS: "uplift:50,uplift:50" }, /listed twice/],
    [{ ...ENV, EXPERIMENT_ARMS: "uplift:0,rules:10" }, /at least 1/],
    [{ ...ENV, EXPERIMENT_ARMS: "uplift:-1,rules:10" }, /is not <strategy>:<weight>/],
    [{ ...ENV, EXPERIMENT_ARMS: "uplift:1e9,rules:1" }, /is not <strategy>:<weight>/],
    [{ ...ENV, EXPERIMENT_START: "" }, /EXPERIMENT_START must be/],
    [{ ...ENV, EXPERIMENT_START: "yesterday" }, /EXPERIMENT_START must be/],
    [{ ...ENV, EXPERIMENT_START: "2026-12-01" }, /EXPERIMENT_START must be/],
  ];
  for (const [env, reason] of cases) {
    const result = experimentSettings(env);
    assert.ok(!result.ok && reason.test(result.reason), `${JSON.stringify(env)}: ${JSON.stringify(result)}`);
  }
});

Deno.test("armOf is sticky, follows the weights, and differs between experiments", () => {
  const half = experimentSettings(ENV);
  const skewed = experimentSettings({
    ...ENV,
    EXPERIMENT_ID: "other",
    EXPERIMENT_ARMS: "uplift:80,rules:20",
  });
  assert.ok(half.ok && half.value && skewed.ok && skewed.value);
  const users = Array.from({ length: 20_000 }, (_, i) => `b-${String(i).padStart(6, "0")}`);
  const count = (experiment: NonNullable<typeof half.value>) => {
    const counts: Record<string, number> = {};
    for (const userId of users) {
      const arm = armOf(experiment, userId);
      counts[arm] = (counts[arm] ?? 0) + 1;
    }
    return counts;
  };
  const halves = count(half.value);
  assert.ok(Math.abs(halves.uplift / users.length - 0.5) < 0.015, JSON.stringify(halves));
  const eighty = count(skewed.value);
  assert.ok(Math.abs(eighty.uplift / users.length - 0.8) < 0.015, JSON.stringify(eighty));
  assert.equal(eighty.propensity, undefined);
  for (const userId of users.slice(0, 100)) {
    assert.equal(armOf(half.value, userId), armOf(half.value, userId));
  }
  // Arms of one experiment say nothing about another's: about half of the users agree across the two.
  const same = users.filter((userId) =>
    (armOf(half.value!, userId) === "uplift") === (armOf(skewed.value!, userId) === "uplift")
  );
  assert.ok(Math.abs(same.length / users.length - 0.5) < 0.03, `${same.length}`);
});

Deno.test("countArms counts exposure and attributed conversions since the start only; results hide small arms", () => {
  const parsed = experimentSettings(ENV);
  assert.ok(parsed.ok && parsed.value);
  const experiment = parsed.value;
  const start = experiment.startMs;
  const bankActor = (userId: string) => {
    const actor = new UserActor(userId, 0);
    actor.receive({
      type: "event.apply",
      partition: 0,
      offset: 1,
      event: {
        eventId: `${userId}-age`,
        userId,
        type: "profile",
        tsMs: start - 86_400_000,
        item: { id: "age" },
        value: 40,
      },
    } as never);
    return actor;
  };
  const shown = bankActor("b-1");
  shown.receive({ type: "offer.shown", productIds: ["credit_card"], atMs: start + 1_000 } as never);
  const shownBefore = bankActor("b-2");
  shownBefore.receive({ type: "offer.shown", productIds: ["deposit"], atMs: start - 5_000 } as never);
  const idle = bankActor("b-3");
  const shopper = new UserActor("s-1", 0);
  assert.ok(shown.bank !== null, "a profile event makes a bank client");
  const outcomes = countArms(experiment, [shown, shownBefore, idle, shopper]);
  const total = outcomes.reduce((sum, arm) => sum + arm.users, 0);
  assert.equal(total, 3, "the shopper is no bank client");
  const exposed = outcomes.reduce((sum, arm) => sum + arm.exposed, 0);
  assert.equal(exposed, 1, "an impression before the start does not count");
  assert.equal(outcomes.find((arm) => arm.strategy === armOf(experiment, "b-1"))!.impressions, 1);

  const a: ArmOutcome[] = [
    { strategy: "uplift", users: 500, exposed: 400, impressions: 900, converted: 60 },
    { strategy: "propensity", users: 500, exposed: 420, impressions: 950, converted: 42 },
  ];
  const b: ArmOutcome[] = [
    { strategy: "propensity", users: 100, exposed: 80, impressions: 150, converted: 8 },
    { strategy: "uplift", users: 100, exposed: 100, impressions: 210, converted: 15 },
  ];
  const merged = mergeArms(experiment, [a, b]);
  assert.deepEqual(merged.map((arm) => [arm.strategy, arm.users, arm.exposed, arm.converted]), [
    ["uplift", 600, 500, 75],
    ["propensity", 600, 500, 50],
  ]);
  const [upliftResult, propensityResult] = armResults(merged, 10);
  assert.equal(upliftResult.conversionRate, 0.15);
  assert.equal(upliftResult.difference, null, "the first arm is the reference");
  assert.equal(propensityResult.conversionRate, 0.1);
  const difference = propensityResult.difference!;
  assert.ok(Math.abs(difference.value + 0.05) < 1e-12);
  // sqrt(0.1·0.9/500 + 0.15·0.85/500) = 0.02085…; 1.96 of it either side.
  assert.ok(
    Math.abs(difference.high - difference.value - 1.96 * Math.sqrt(0.09 / 500 + 0.1275 / 500)) < 1e-12,
  );
  assert.ok(difference.high < 0, "propensity converts fewer exposed clients than uplift here");
  const small = armResults([
    { strategy: "uplift", users: 5, exposed: 5, impressions: 5, converted: 1 },
    merged[1],
  ], 10);
  assert.equal(small[0].conversionRate, null, "fewer than 10 exposed users show no rate");
  assert.equal(small[1].difference, null);
});
