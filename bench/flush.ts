/**
 * Snapshot flush rate: many dirty actors written by `Supervisor.flush()` in
 * its fenced transactions (snapshots, event log rows, watermarks). The
 * baseline is a plain bulk `insert ... select from unnest(...)` of the same
 * number of rows with the same state bytes into a scratch table of the same
 * shape, in transactions of the same size.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import { encodeSnapshot } from "../actors/user_actor.ts";
import { ratio, round } from "./_stats.ts";
import { indexes, openSupervisorFixture } from "./_supervisor_fixture.ts";

/** Options for {@linkcode runFlushBench}. */
export interface FlushBenchOptions {
  /** Dirty actors to flush. */
  actors: number;
  /** Events applied to each before the first flush. */
  eventsPerActor: number;
}

/** One timed write of `rows` snapshots. */
export interface FlushTiming {
  rows: number;
  seconds: number;
  rowsPerSecond: number;
}

/** What {@linkcode runFlushBench} reports. */
export interface FlushResult {
  /** First flush: new snapshots plus the event log rows of orders and operations. */
  flush: FlushTiming & { eventLogRows: number; stateBytesMean: number };
  /** Second flush after one view per actor: snapshot upserts only. */
  snapshotOnlyFlush: FlushTiming;
  /** Plain `insert ... unnest` of the same rows and bytes, 5,000 rows per transaction. */
  insertBaseline: FlushTiming;
  ratio: number | null;
  snapshotOnlyRatio: number | null;
}

function timing(rows: number, started: number): FlushTiming {
  const seconds = (performance.now() - started) / 1000;
  return { rows, seconds: round(seconds, 3), rowsPerSecond: Math.round(rows / seconds) };
}

/** Runs the flush measurement. */
export async function runFlushBench(options: FlushBenchOptions): Promise<FlushResult> {
  const fixture = await openSupervisorFixture("bench_flush", options.actors);
  try {
    const { store, pool } = fixture;
    const supervisor = fixture.createSupervisor();
    const all = indexes(options.actors, true);
    await fixture.feed(supervisor, all, options.eventsPerActor);
    if (supervisor.dirtyCount() !== options.actors) throw new Error("Every actor should be dirty");

    let started = performance.now();
    await supervisor.flush();
    const first = timing(options.actors, started);
    const [{ count: eventLogRows }] = await store.sql<{ count: number }[]>`select count(*) from event_log`;

    // Views are not written to the event log, so this flush writes snapshots only.
    await fixture.feed(supervisor, all, 1, { onlyViews: true });
    started = performance.now();
    await supervisor.flush();
    const second = timing(options.actors, started);

    const states: string[] = [];
    const ids: string[] = [];
    const partitions: number[] = [];
    let stateBytes = 0;
    for (let i = 0; i < options.actors; i++) {
      const actor = supervisor.peek(pool.ids[i])!;
      const state = encodeSnapshot(actor.toSnapshot());
      stateBytes += state.byteLength;
      ids.push(actor.userId);
      partitions.push(actor.partition);
      states.push(Buffer.from(state.buffer, state.byteOffset, state.byteLength).toString("base64"));
    }
    await store.sql`
      create table flush_baseline (
        user_id text primary key,
        partition int not null,
        kafka_offset bigint not null,
        events_applied bigint not null,
        state bytea not null,
        updated_at timestamptz not null default now()
      )`;
    const chunk = 5_000;
    started = performance.now();
    for (let from = 0; from < options.actors; from += chunk) {
      const to = Math.min(options.actors, from + chunk);
      await store.sql.begin(async (tx) => {
        await tx`
          insert into flush_baseline (user_id, partition, kafka_offset, events_applied, state, updated_at)
          select u.user_id, u.partition, 1, 5, decode(u.state, 'base64'), now()
          from unnest(
            ${ids.slice(from, to)}::text[],
            ${partitions.slice(from, to)}::int[],
            ${states.slice(from, to)}::text[]
          ) as u(user_id, partition, state)`;
      });
    }
    const baseline = timing(options.actors, started);
    return {
      flush: { ...first, eventLogRows, stateBytesMean: round(stateBytes / options.actors, 1) },
      snapshotOnlyFlush: second,
      insertBaseline: baseline,
      ratio: ratio(first.rowsPerSecond, baseline.rowsPerSecond),
      snapshotOnlyRatio: ratio(second.rowsPerSecond, baseline.rowsPerSecond),
    };
  } finally {
    await fixture.close();
  }
}
