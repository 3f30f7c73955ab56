/**
 * What the supervisor needs from persistence: bulk snapshot loads and one
 * flush transaction (snapshots, event log rows, partition watermarks, lease
 * fences). `store/store.ts` implements it on Postgres and PGlite.
 *
 * @module
 */

/** A stored snapshot, as the store returns it. */
export interface StoredSnapshot {
  userId: string;
  partition: number;
  offset: number;
  eventsApplied: number;
  state: Uint8Array;
  updatedAt: Date;
}

/** One flush transaction: snapshots, event log rows and partition watermarks. */
export interface Flush {
  topic: string;
  nodeId: string;
  fences: { partition: number; epoch: number }[];
  snapshots: {
    userId: string;
    partition: number;
    offset: number;
    eventsApplied: number;
    state: Uint8Array;
  }[];
  log: {
    eventId: string;
    userId: string;
    type: string;
    ts: string;
    payload: unknown;
    partition: number;
    offset: number;
  }[];
  watermarks: { partition: number; nextOffset: number }[];
}

/** What the supervisor needs from Postgres. */
export interface SnapshotStore {
  loadSnapshots(userIds: string[]): Promise<Map<string, StoredSnapshot>>;
  writeFlush(
    flush: Flush,
  ): Promise<{ ok: true } | { ok: false; reason: "fenced"; partitions: number[] }>;
}

/** A record the engine could not apply, with the reason, for `events.dlq`. */
export interface DeadLetter {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  reason: string;
}
