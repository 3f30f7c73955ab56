/**
 * Activation from a snapshot: snapshots of many users are written through a
 * real supervisor's flush, then a fresh supervisor activates them one at a
 * time (one Postgres round trip plus decode each). The baseline is a bare
 * `select 1` on the same pool, timed the same way and interleaved with it.
 *
 * @module
 */

import { type LatencySummary, ratio, summarize } from "./_stats.ts";
import { indexes, openSupervisorFixture } from "./_supervisor_fixture.ts";

/** SPEC target: activation p99 in milliseconds. */
export const ACTIVATION_TARGET_P99_MS = 5;

/** Options for {@linkcode runActivationBench}. */
export interface ActivationBenchOptions {
  /** Users with a stored snapshot. */
  users: number;
  /** Events folded into each snapshot. */
  eventsPerUser: number;
  /** Timed activations (at most `users`). */
  activations: number;
}

/** What {@linkcode runActivationBench} reports. */
export interface ActivationResult {
  snapshotsStored: number;
  activation: LatencySummary;
  selectOneBaseline: LatencySummary;
  ratioP50: number | null;
  ratioP99: number | null;
  target: { p99Ms: number };
  met: boolean;
}

/** Runs the activation measurement. */
export async function runActivationBench(options: ActivationBenchOptions): Promise<ActivationResult> {
  const fixture = await openSupervisorFixture("bench_activation", options.users);
  try {
    const writer = fixture.createSupervisor();
    await fixture.feed(writer, indexes(options.users), options.eventsPerUser);
    await writer.flush();
    const [{ count }] = await fixture.store.sql<{ count: number }[]>`select count(*) from actor_snapshots`;
    if (count !== options.users) throw new Error(`Expected ${options.users} snapshots, found ${count}`);

    // A restarted node: nothing resident, everything comes from Postgres.
    const reader = fixture.createSupervisor();
    const order = indexes(options.users, true);
    const activations = Math.min(options.activations, options.users);
    const warmup = Math.min(200, Math.floor(activations / 10));
    const activationMs: number[] = [];
    const selectMs: number[] = [];
    for (let i = 0; i < activations; i++) {
      const userId = fixture.pool.ids[order[i]];
      let started = performance.now();
      const actor = await reader.activate(userId);
      const activated = performance.now() - started;
      if (actor.eventsApplied !== options.eventsPerUser) {
        throw new Error(`${userId} came back without its events`);
      }
      started = performance.now();
      await fixture.store.sql`select 1`;
      const selected = performance.now() - started;
      // The first round trips open pooled connections; keep them out of both figures.
      if (i < warmup) continue;
      activationMs.push(activated);
      selectMs.push(selected);
    }
    const activation = summarize(activationMs);
    const selectOneBaseline = summarize(selectMs);
    return {
      snapshotsStored: count,
      activation,
      selectOneBaseline,
      ratioP50: ratio(activation.p50, selectOneBaseline.p50),
      ratioP99: ratio(activation.p99, selectOneBaseline.p99),
      target: { p99Ms: ACTIVATION_TARGET_P99_MS },
      met: activation.p99 <= ACTIVATION_TARGET_P99_MS,
    };
  } finally {
    await fixture.close();
  }
}
