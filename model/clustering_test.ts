import assert from "node:assert/strict";
import { assignCluster, trainClusters } from "./clustering.ts";
import { distanceToProfile, medianProfiles } from "./median_profiles.ts";

function blobs(): number[][] {
  let seed = 1;
  const random = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) - 0.5;
  const rows: number[][] = [];
  for (const [x, y] of [[0, 0], [10, 10], [0, 10]]) {
    for (let i = 0; i < 50; i++) rows.push([x + random(), y + random(), Number.NaN]);
  }
  return rows;
}

Deno.test("trainClusters recovers well-separated groups and assigns new points", () => {
  const rows = blobs();
  const model = trainClusters(rows, { k: 3, columns: [0, 1, 2], seed: 3 });
  assert.deepEqual([...model.sizes].sort(), [50, 50, 50]);
  const a = assignCluster(model, [0.1, 0.1, 5]).cluster;
  const b = assignCluster(model, [9.9, 10.2, Number.NaN]).cluster;
  const c = assignCluster(model, [0.2, 9.7, Number.NaN]).cluster;
  assert.equal(new Set([a, b, c]).size, 3);
  assert.deepEqual(
    trainClusters(rows, { k: 3, columns: [0, 1, 2], seed: 3 }),
    model,
    "deterministic by seed",
  );
  assert.throws(() => trainClusters(rows.slice(0, 2), { k: 3, columns: [0] }), RangeError);
});

Deno.test("medianProfiles takes medians over holders and measures distance to them", () => {
  const rows = [[20, 1], [30, 1], [40, 0], [60, 0], [70, 0], [50, 1]];
  const holdsCard = [true, true, false, false, false, true];
  const profiles = medianProfiles(rows, ["card", "rare"], (i, p) => p === "card" && holdsCard[i], [0, 1], 2);
  assert.deepEqual(profiles.medians.card, [30, 1]);
  assert.equal(profiles.holders.card, 3);
  assert.equal(profiles.medians.rare, undefined);
  const near = distanceToProfile(profiles, "card", [30, 1])!;
  const far = distanceToProfile(profiles, "card", [70, 0])!;
  assert.equal(near.distance, 0);
  assert.ok(far.distance > near.distance);
  assert.equal(distanceToProfile(profiles, "rare", [1, 1]), null);
});
