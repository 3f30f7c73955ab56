/**
 * The fenced flush: snapshots, event log rows and Kafka watermarks written in
 * one transaction. This is the heart of exactly-once processing — a partition's
 * consumed offset is committed together with the actor state it produced, and
 * only while the writer still holds the partition's lease at the same epoch.
 *
 * @module
 */

import { Buffer } from "node:buffer";
import type { Sql, TransactionSql } from "./_sql.ts";

/** Lease the writer believes it holds; checked inside the flush transaction. */
export type Fence = { partition: number; epoch: number };

/** One actor's serialised state as of a Kafka offset. */
export type SnapshotWrite = {
  userId: string;
  partition: number;
  /** Offset of the last event folded into `state`. */
  offset: number;
  eventsApplied: number;
  state: Uint8Array;
};

/** One applied event, kept for history and deduplicated on `eventId`. */
export type EventLogWrite = {
  eventId: string;
  userId: string;
  type: string;
  /** ISO-8601 timestamp of the event. */
  ts: string;
  payload: unknown;
  partition: number;
  offset: number;
};

/** Next Kafka offset to consume for a partition; never moves backwards. */
export type Watermark = { partition: number; nextOffset: number };

/** Everything one node writes in one flush. */
export type Flush = {
  topic: string;
  nodeId: string;
  /** Every partition touched below must be fenced here. */
  fences: Fence[];
  snapshots: SnapshotWrite[];
  log: EventLogWrite[];
  watermarks: Watermark[];
};

/** Result of {@linkcode writeFlush}. */
export type FlushResult =
  | { ok: true }
  | { ok: false; reason: "fenced"; partitions: number[] };

/** Thrown inside the transaction to roll it back; never escapes this file. */
class FencedError extends Error {
  partitions: number[];
  constructor(partitions: number[]) {
    super("Flush fenced by a newer lease");
    this.name = "FencedError";
    this.partitions = partitions;
  }
}

/**
 * Writes a flush in one transaction, or nothing at all.
 *
 * First it reads the lease rows of all fenced partitions `for share` (a
 * concurrent lease takeover waits for this flush, and vice versa). If any
 * lease is missing or now names another node or epoch, the transaction rolls
 * back and the stale partitions are returned. Otherwise snapshots are upserted,
 * log rows inserted (duplicates ignored) and watermarks raised with
 * `greatest(old, new)`, each as a single `unnest` statement so that ten
 * thousand rows cost three round trips.
 *
 * @param sql A postgres.js client.
 * @param flush The rows to write and the leases they depend on.
 */
export async function writeFlush(sql: Sql, flush: Flush): Promise<FlushResult> {
  try {
    await sql.begin(async (tx) => {
      await checkFences(tx, flush.nodeId, flush.fences);
      await upsertSnapshots(tx, flush.snapshots);
      await insertLog(tx, flush.log);
      await raiseWatermarks(tx, flush.topic, flush.watermarks);
    });
    return { ok: true };
  } catch (error) {
    if (error instanceof FencedError) {
      return { ok: false, reason: "fenced", partitions: error.partitions };
    }
    throw error;
  }
}

async function checkFences(
  tx: TransactionSql,
  nodeId: string,
  fences: Fence[],
): Promise<void> {
  if (fences.length === 0) return;
  const partitions = fences.map((fence) => fence.partition);
  const rows = await tx<
    { partition: number; node_id: string | null; epoch: number }[]
  >`
    select partition, node_id, epoch from partition_leases
    where partition = any(${partitions}::int[])
    order by partition
    for share`;
  const held = new Map(rows.map((row) => [row.partition, row]));
  const stale = fences
    .filter((fence) => {
      const row = held.get(fence.partition);
      return row === undefined || row.node_id !== nodeId ||
        row.epoch !== fence.epoch;
    })
    .map((fence) => fence.partition);
  if (stale.length > 0) throw new FencedError(stale);
}

async function upsertSnapshots(
  tx: TransactionSql,
  snapshots: SnapshotWrite[],
): Promise<void> {
  if (snapshots.length === 0) return;
  const rows = lastPerKey(snapshots, (snapshot) => snapshot.userId);
  // Every state goes in one bytea parameter, cut apart in SQL by offsets. postgres.js
  // sends parameters as text: an array of states would be base64- or hex-encoded and
  // then escaped element by element (a regex pass over every byte); one buffer is
  // hex-encoded natively in a single step and decoded by Postgres just as fast.
  const { blob, starts, lengths } = concatenate(rows.map((row) => row.state));
  await tx`
    insert into actor_snapshots
      (user_id, partition, kafka_offset, events_applied, state, updated_at)
    select u.user_id, u.partition, u.kafka_offset, u.events_applied,
      substring(b.blob from u.start for u.length), now()
    from unnest(
      ${rows.map((row) => row.userId)}::text[],
      ${rows.map((row) => row.partition)}::int[],
      ${rows.map((row) => row.offset)}::bigint[],
      ${rows.map((row) => row.eventsApplied)}::bigint[],
      ${starts}::int[],
      ${lengths}::int[]
    ) as u(user_id, partition, kafka_offset, events_applied, start, length),
    (select ${blob}::bytea as blob) as b
    on conflict (user_id) do update set
      partition = excluded.partition,
      kafka_offset = excluded.kafka_offset,
      events_applied = excluded.events_applied,
      state = excluded.state,
      updated_at = excluded.updated_at`;
}

async function insertLog(tx: TransactionSql, log: EventLogWrite[]): Promise<void> {
  if (log.length === 0) return;
  // One JSON document for all rows (sent as text: a json parameter would be stringified
  // again): a single native stringify, where a text[] of payloads would be stringified
  // row by row and then escaped quote by quote.
  const rows = JSON.stringify(log.map((row) => ({
    event_id: row.eventId,
    user_id: row.userId,
    type: row.type,
    ts: row.ts,
    payload: row.payload ?? null,
    partition: row.partition,
    kafka_offset: row.offset,
  })));
  await tx`
    insert into event_log
      (event_id, user_id, type, ts, payload, partition, kafka_offset)
    select u.event_id, u.user_id, u.type, u.ts,
      -- A JSON null field reads as SQL null; the column keeps it as the JSON value null.
      coalesce(u.payload, 'null'::jsonb), u.partition, u.kafka_offset
    from json_to_recordset(${rows}::text::json) as u(
      event_id text, user_id text, type text, ts timestamptz, payload jsonb,
      partition int, kafka_offset bigint)
    on conflict do nothing`;
}

async function raiseWatermarks(
  tx: TransactionSql,
  topic: string,
  watermarks: Watermark[],
): Promise<void> {
  if (watermarks.length === 0) return;
  const rows = [
    ...new Map(
      watermarks.map((mark) => [mark.partition, mark.nextOffset] as const)
        .sort((a, b) => a[1] - b[1]),
    ),
  ];
  await tx`
    insert into partition_offsets (topic, partition, next_offset, updated_at)
    select ${topic}, u.partition, u.next_offset, now()
    from unnest(
      ${rows.map(([partition]) => partition)}::int[],
      ${rows.map(([, nextOffset]) => nextOffset)}::bigint[]
    ) as u(partition, next_offset)
    on conflict (topic, partition) do update set
      next_offset = greatest(partition_offsets.next_offset, excluded.next_offset),
      updated_at = excluded.updated_at`;
}

/** `on conflict do update` rejects a key twice in one statement; keep the last. */
function lastPerKey<T>(rows: T[], key: (row: T) => string): T[] {
  const byKey = new Map<string, T>();
  for (const row of rows) byKey.set(key(row), row);
  return byKey.size === rows.length ? rows : [...byKey.values()];
}

/** States laid end to end, with 1-based starts as SQL's `substring` counts. */
function concatenate(states: Uint8Array[]): { blob: Buffer; starts: number[]; lengths: number[] } {
  let total = 0;
  for (const state of states) total += state.byteLength;
  const blob = Buffer.allocUnsafe(total);
  const starts = new Array<number>(states.length);
  const lengths = new Array<number>(states.length);
  let at = 0;
  for (let i = 0; i < states.length; i++) {
    blob.set(states[i], at);
    starts[i] = at + 1;
    lengths[i] = states[i].byteLength;
    at += lengths[i];
  }
  return { blob, starts, lengths };
}
