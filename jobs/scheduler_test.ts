import assert from "node:assert/strict";
import { Scheduler } from "./scheduler.ts";

Deno.test("Scheduler runs jobs on schedule, reports progress and outcomes", async () => {
  const scheduler = new Scheduler();
  let runs = 0;
  let seenProgress = -1;
  scheduler.add({
    name: "tick",
    description: "counts",
    everyMs: 20,
    firstRunAfterMs: 1,
    run: (progress) => {
      runs++;
      progress(0.5, "half");
      seenProgress = scheduler.list()[0].progress ?? -1;
      return Promise.resolve({ runs });
    },
  });
  scheduler.add({
    name: "broken",
    description: "fails",
    everyMs: 60_000,
    run: () => Promise.reject(new Error("model file missing")),
  });
  scheduler.start();
  await new Promise((resolve) => setTimeout(resolve, 120));
  assert.ok(runs >= 2, `ran ${runs} times`);
  assert.equal(seenProgress, 0.5);
  assert.equal(await scheduler.runNow("broken"), true);
  assert.equal(await scheduler.runNow("missing"), false);
  const [tick, broken] = scheduler.list();
  assert.equal(tick.state, "idle");
  assert.ok(tick.lastOutcome?.ok);
  assert.ok(tick.nextRunAt !== null);
  assert.deepEqual(broken.lastOutcome, { ok: false, reason: "model file missing" });
  assert.equal(broken.failures, 1);
  await scheduler.stop();
});

Deno.test("Scheduler shares one run between concurrent manual triggers", async () => {
  const scheduler = new Scheduler();
  let runs = 0;
  scheduler.add({
    name: "slow",
    description: "takes a while",
    everyMs: 60_000,
    run: async () => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return {};
    },
  });
  await Promise.all([scheduler.runNow("slow"), scheduler.runNow("slow")]);
  assert.equal(runs, 1);
  await scheduler.stop();
});
