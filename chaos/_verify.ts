/**
 * What the chaos scenario measures after (and around) the faults: the LLM
 * circuit breakers, every user's applied-event count live and in Postgres
 * against what was produced, and how often partitions changed hands.
 *
 * @module
 */

import { ADMIN_TOKEN } from "../tests/_harness.ts";
import type { ChaosCluster, NodeHandle } from "./_cluster.ts";
import type { ClusterWatch } from "./_watch.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls every ready node's `llm_breaker_state` for `durationMs`; when each was first seen open (2). */
export async function watchBreakers(
  cluster: ChaosCluster,
  durationMs: number,
): Promise<Record<string, number | null>> {
  const opened: Record<string, number | null> = {};
  const deadline = Date.now() + durationMs;
  while (Date.now() < deadline) {
    await Promise.all(
      cluster.live().map(async (handle) => {
        opened[handle.nodeId] ??= null;
        try {
          const response = await fetch(`${handle.node.url}/metrics`, {
            headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
            signal: AbortSignal.timeout(2_000),
          });
          const text = await response.text();
          const state = text.match(/^llm_breaker_state(?:\{[^}]*\})? (\d+)/m);
          if (state && Number(state[1]) === 2) opened[handle.nodeId] ??= Date.now();
        } catch {
          // Counted as not (yet) seen open.
        }
      }),
    );
    await sleep(500);
  }
  return opened;
}

/** Every user's live `eventsApplied` (read through the nodes) against what was produced. */
export async function compareApplied(live: NodeHandle[], produced: Map<string, number>) {
  const read = async () => {
    const counts = new Map<string, number>();
    let index = 0;
    const queue = [...produced.keys()];
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (index < queue.length) {
        const userId = queue[index++];
        const handle = live[index % live.length];
        try {
          const view = await handle.node.json<{ eventsApplied: number }>(`/admin/actors/${userId}`);
          counts.set(userId, view.eventsApplied);
        } catch {
          // Counted as unknown (-1): a mismatch with a reason, not a crash of the scenario.
          counts.set(userId, -1);
        }
      }
    }));
    return counts;
  };
  const diff = (counts: Map<string, number>) => {
    let lost = 0;
    let doubled = 0;
    let applied = 0;
    let unknown = 0;
    const mismatches: string[] = [];
    for (const [userId, count] of produced) {
      const got = counts.get(userId) ?? 0;
      if (got < 0) {
        mismatches.push(`${userId}: no answer`);
        unknown++;
        continue;
      }
      applied += got;
      if (got < count) lost += count - got;
      if (got > count) doubled += got - count;
      if (got !== count) mismatches.push(`${userId}: applied ${got}, produced ${count}`);
    }
    return { applied, lost, doubled, unknown, mismatches };
  };
  // Give the last records time to arrive; then the counts must hold still.
  const deadline = Date.now() + 60_000;
  let result = diff(await read());
  while (result.mismatches.length > 0 && Date.now() < deadline) {
    await sleep(1_000);
    result = diff(await read());
  }
  await sleep(2_000);
  result = diff(await read());
  return { ...result, mismatches: result.mismatches.slice(0, 50) };
}

/** Every user's `events_applied` in `actor_snapshots` (after a graceful stop) against what was produced. */
export async function compareDurable(cluster: ChaosCluster, produced: Map<string, number>) {
  try {
    const rows = await cluster.sql<{ user_id: string; events_applied: string }[]>`
      select user_id, events_applied from actor_snapshots`;
    const stored = new Map(rows.map((row) => [row.user_id, Number(row.events_applied)]));
    let lost = 0;
    let doubled = 0;
    let applied = 0;
    const mismatches: string[] = [];
    for (const [userId, count] of produced) {
      const got = stored.get(userId) ?? 0;
      applied += got;
      if (got < count) lost += count - got;
      if (got > count) doubled += got - count;
      if (got !== count) mismatches.push(`${userId}: snapshot ${got}, produced ${count}`);
    }
    return {
      durableApplied: applied,
      durableLost: lost,
      durableDoubled: doubled,
      durableMismatches: mismatches.slice(0, 50),
    };
  } catch (error) {
    return {
      durableApplied: null,
      durableLost: null,
      durableDoubled: null,
      durableMismatches: [String(error)],
    };
  }
}

/** How many times each value occurs. */
export function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** Lease epoch increments over the watch's Postgres samples: how often partitions changed hands. */
export function countLeaseMoves(watch: ClusterWatch): number {
  let moves = 0;
  let last: number[] | null = null;
  for (const sample of watch.samples) {
    if (sample.epochs === null) continue;
    if (last !== null) {
      for (let i = 0; i < sample.epochs.length; i++) moves += Math.max(0, sample.epochs[i] - last[i]);
    }
    last = sample.epochs;
  }
  return moves;
}
