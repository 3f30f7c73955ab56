import assert from "node:assert/strict";
import { formatReport } from "./report.ts";
import type { ChaosReport } from "./scenario.ts";

function report(passed: boolean): ChaosReport {
  const reads = { total: 10, served: 9, moving: 0, errors: 1, cut: 0, availability: 0.9, p50Ms: 1, p99Ms: 2 };
  const chat = {
    total: 2,
    served: 2,
    moving: 0,
    interrupted: 0,
    errors: 0,
    cut: 0,
    llm: 2,
    template: 0,
    firstByteP50Ms: 1,
    firstByteP99Ms: 1,
    totalP50Ms: 1,
    totalP99Ms: 1,
    totalMaxMs: 1,
    fallbackReasons: {},
    errorSamples: [],
  };
  return {
    faults: [{
      name: "postgres stopped for 10 s",
      recoveryMs: null,
      recoveryAfterEndMs: null,
      reads: {
        ...reads,
        errorSamples: ["node-b read - TypeError: error sending request: connection refused"],
      },
      chat,
    }],
    exactlyOnce: {
      users: 3,
      produced: 30,
      applied: 20,
      lost: 0,
      doubled: 0,
      unknown: 1,
      mismatches: ["u-7: no answer"],
      durableApplied: null,
      durableLost: null,
      durableDoubled: null,
      durableMismatches: [],
    },
    singleActor: {
      viewRounds: 1,
      views: 3,
      violationCounts: { "stale owner": 1 },
      violations: [{
        kind: "stale owner",
        at: Date.parse("2026-11-21T11:39:40Z"),
        nodeId: "node-a",
        partition: 4,
        detail: "node-a claims epoch 3 after node-c claimed epoch 4",
        users: [],
      }],
      usersWithTwoLiveActors: [],
      dualResidencyRounds: 0,
      leaseMoves: 2,
    },
    reads: { ...reads, errorSamples: [] },
    chat,
    load: { eventsPerSecondAchieved: 200 },
    lag: { baselineP95: 1, baselineMax: 2, threshold: 200, drainMs: 100 },
    nodes: [
      { nodeId: "node-a", incarnation: 0, startedAt: "", readyMs: 1, exit: "exit 0" },
      { nodeId: "node-b", incarnation: 1, startedAt: "", readyMs: 1, exit: "crashed: exit 1" },
    ],
    checks: [{ name: "no event lost", ok: passed, detail: "0 lost of 30; 1 users unreadable" }],
    passed,
  } as unknown as ChaosReport;
}

Deno.test("a failed chaos report ends with the evidence: crashed nodes, violations, mismatches, error samples", () => {
  const text = formatReport(report(false));
  const evidence = text.slice(text.indexOf("evidence of the failures"));
  assert.ok(evidence.length > 0 && text.includes("evidence of the failures"));
  assert.match(evidence, /node node-b#1: crashed: exit 1/);
  assert.doesNotMatch(evidence, /node-a#0/);
  assert.match(evidence, /stale owner at 11:39:40 on node-a, partition 4: node-a claims epoch 3/);
  assert.match(evidence, /live count u-7: no answer/);
  assert.match(evidence, /postgres stopped for 10 s, read: node-b read - TypeError/);
  assert.ok(!formatReport(report(true)).includes("evidence of the failures"), "a passing report has none");
});
