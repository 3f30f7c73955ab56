import assert from "node:assert/strict";
import { FeatureWindow } from "./feature_window.ts";

const DAY = 86_400_000;
const NOW = Date.parse("2026-11-20T12:00:00Z");

Deno.test("FeatureWindow aggregates 7, 30 and 90 day windows", () => {
  const window = new FeatureWindow();
  window.add("operation", NOW - 100 * DAY, 1000);
  window.add("operation", NOW - 60 * DAY, 300);
  window.add("order", NOW - 20 * DAY, 200);
  window.add("order", NOW - 2 * DAY, 50);
  window.add("view", NOW - 1 * DAY, 0);
  const summary = window.summary(NOW);
  assert.deepEqual(summary.last7, { count: 2, amount: 50 });
  assert.deepEqual(summary.last30, { count: 3, amount: 250 });
  assert.deepEqual(summary.last90, { count: 4, amount: 550 });
  assert.equal(summary.frequency, 5);
  assert.equal(summary.monetary, 1550);
  assert.equal(summary.countsByType.operation, 2);
  assert.ok(Math.abs(summary.recencyDays! - 1) < 1e-9);
  assert.ok(Math.abs(summary.tenureDays! - 100) < 1e-9);
});

Deno.test("FeatureWindow clears buckets as time moves on", () => {
  const window = new FeatureWindow();
  window.add("order", NOW - 10 * DAY, 100);
  window.add("order", NOW + 200 * DAY, 7);
  const later = window.summary(NOW + 200 * DAY);
  assert.deepEqual(later.last90, { count: 1, amount: 7 });
  assert.equal(later.frequency, 2);
});

Deno.test("FeatureWindow round-trips through JSON, keeping 'never' as null", () => {
  const empty = new FeatureWindow();
  assert.equal(empty.summary(NOW).recencyDays, null);
  const restoredEmpty = new FeatureWindow(JSON.parse(JSON.stringify(empty)));
  assert.equal(restoredEmpty.summary(NOW).tenureDays, null);
  const window = new FeatureWindow();
  window.add("operation", NOW - 3 * DAY, 42);
  const restored = new FeatureWindow(JSON.parse(JSON.stringify(window)));
  assert.deepEqual(restored.summary(NOW), window.summary(NOW));
  assert.throws(() => new FeatureWindow([1, 2, 3]), RangeError);
});
