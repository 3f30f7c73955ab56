/**
 * What the supervisor needs from persistence: bulk snapshot loads and one
 * flush transaction (snapshots, event log rows, partition watermarks, lease
 * fences). `store/store.ts` implements it on Postgres and PGlite.
 *
 * @module
 */

import type { Flush, FlushResult } from "../store/flush.ts";
import type { ErasureMark, StoredSnapshot } from "../store/store.ts";

export type { ErasureMark, Flush, FlushResult, StoredSnapshot };

/** What the supervisor needs from Postgres. */
export interface SnapshotStore {
  loadSnapshots(userIds: string[]): Promise<Map<string, StoredSnapshot>>;
  writeFlush(flush: Flush): Promise<FlushResult>;
}

/** A record the engine could not apply, with the reason, for `events.dlq`. */
export interface DeadLetter {
  partition: number;
  offset: number;
  key: string | null;
  value: string;
  reason: string;
  /** The `x-request-id` the record carried, so a rejected event can be traced to the request that sent it. */
  requestId?: string;
}
