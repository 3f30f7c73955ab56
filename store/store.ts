/**
 * The engine's Postgres store: one object that owns the connection pool and
 * offers every query the engine runs. Works against a real Postgres server
 * and against embedded PGlite (see `embedded_postgres.ts`) with the same SQL.
 *
 * @module
 */

import { type DatabaseTls, maxFromUrl, openSql, type Sql } from "./_sql.ts";
import { type Flush, type FlushResult, writeFlush } from "./flush.ts";
import {
  acquireLease,
  type AcquireLeaseOptions,
  type AcquireLeaseResult,
  forceLease,
  type Lease,
  leaseEpochs,
  listLeases,
  releaseLease,
} from "./leases.ts";
import {
  type ClusterNode,
  type Heartbeat,
  heartbeat,
  listNodes,
  type ListNodesOptions,
  removeNode,
} from "./membership.ts";
import { migrate, type MigrateResult } from "./migrations.ts";
import { eraseUser } from "./erasure.ts";

/** Options for {@linkcode Store.connect}. */
export type StoreOptions = {
  /**
   * Pool size. Defaults to the URL's `max` search parameter (the embedded
   * PGlite server's URL carries `?max=1`), else 10.
   */
  max?: number;
  /** Seconds before an idle pooled connection closes; default 30, 0 = never. */
  idleTimeoutSeconds?: number;
  /** TLS to the server (`DATABASE_URL`'s `sslmode`, `DATABASE_SSL_CA`). */
  tls?: DatabaseTls;
};

/**
 * Where an erasure cut a user's history: events at or below `throughOffset`
 * of the user's partition, or dated at or before `erasedAtMs`, are never
 * applied again.
 */
export type ErasureMark = { throughOffset: number; erasedAtMs: number };

/**
 * An actor snapshot as read back for activation. An erased user with no
 * newer snapshot comes back as an empty `state` with its `erasure` mark.
 */
export type StoredSnapshot = {
  userId: string;
  partition: number;
  /** Kafka offset of the last event folded into `state`. */
  offset: number;
  eventsApplied: number;
  state: Uint8Array;
  updatedAt: Date;
  /** Set when the user was erased (`erasures`). */
  erasure?: ErasureMark;
};

/** One row of a user's event log. */
export type EventLogEntry = {
  eventId: string;
  userId: string;
  type: string;
  ts: Date;
  payload: unknown;
  partition: number;
  offset: number;
  loggedAt: Date;
};

/** Postgres-backed persistence for snapshots, offsets, leases and members. */
export class Store {
  #sql: Sql;

  private constructor(sql: Sql) {
    this.#sql = sql;
  }

  /**
   * Opens a pool. Nothing is sent until the first query; call
   * {@linkcode Store.ping} or {@linkcode Store.migrate} to fail fast.
   *
   * @param url A `postgres://` URL.
   * @param options Pool settings.
   */
  static connect(url: string, options: StoreOptions = {}): Promise<Store> {
    const sql = openSql(url, {
      max: options.max ?? maxFromUrl(url) ?? 10,
      idleTimeoutSeconds: options.idleTimeoutSeconds ?? 30,
      tls: options.tls,
    });
    return Promise.resolve(new Store(sql));
  }

  /**
   * The underlying postgres.js client, for queries other folders own (users,
   * consents). Prefer adding a method here for anything the engine relies on.
   */
  get sql(): Sql {
    return this.#sql;
  }

  /** Applies pending schema migrations; safe to run from many nodes at once. */
  migrate(): Promise<MigrateResult> {
    return migrate(this.#sql);
  }

  /** Closes every pooled connection, waiting up to five seconds for queries. */
  async close(): Promise<void> {
    await this.#sql.end({ timeout: 5 });
  }

  /** Whether the database answers a trivial query. Never throws. */
  async ping(): Promise<boolean> {
    try {
      await this.#sql`select 1`;
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Loads the snapshots of many users in one query (bulk activation). Users
   * without a snapshot are absent from the map.
   */
  async loadSnapshots(userIds: string[]): Promise<Map<string, StoredSnapshot>> {
    const snapshots = new Map<string, StoredSnapshot>();
    if (userIds.length === 0) return snapshots;
    // Erasure marks come in the same round trip; an erased user is one index probe on a small table.
    const rows = await this.#sql<
      {
        user_id: string;
        partition: number;
        kafka_offset: number;
        events_applied: number;
        state: Uint8Array | null;
        updated_at: Date;
        erased_at: Date | null;
      }[]
    >`
      select user_id, partition, kafka_offset, events_applied, state, updated_at, null::timestamptz as erased_at
      from actor_snapshots where user_id = any(${userIds}::text[])
      union all
      select user_id, partition, through_offset, 0, null, erased_at, erased_at
      from erasures where user_id = any(${userIds}::text[])`;
    const marks = new Map<string, ErasureMark>();
    for (const row of rows) {
      if (row.erased_at !== null) {
        marks.set(row.user_id, { throughOffset: row.kafka_offset, erasedAtMs: row.erased_at.getTime() });
        continue;
      }
      const state = row.state!;
      snapshots.set(row.user_id, {
        userId: row.user_id,
        partition: row.partition,
        offset: row.kafka_offset,
        eventsApplied: row.events_applied,
        // A view, not a copy: postgres.js hands back a Buffer it owns alone.
        state: new Uint8Array(
          state.buffer,
          state.byteOffset,
          state.byteLength,
        ),
        updatedAt: row.updated_at,
      });
    }
    for (const [userId, erasure] of marks) {
      const stored = snapshots.get(userId);
      if (stored) stored.erasure = erasure;
      else {
        snapshots.set(userId, {
          userId,
          partition: -1,
          offset: erasure.throughOffset,
          eventsApplied: 0,
          state: new Uint8Array(0),
          updatedAt: new Date(erasure.erasedAtMs),
          erasure,
        });
      }
    }
    return snapshots;
  }

  /**
   * Writes snapshots, event log rows and watermarks in one fenced transaction.
   * See `flush.ts` for the exactly-once contract.
   */
  writeFlush(flush: Flush): Promise<FlushResult> {
    return writeFlush(this.#sql, flush);
  }

  /** Next offset to consume per partition of `topic`. */
  async readWatermarks(topic: string): Promise<Map<number, number>> {
    const rows = await this.#sql<{ partition: number; next_offset: number }[]>`
      select partition, next_offset from partition_offsets
      where topic = ${topic}`;
    return new Map(rows.map((row) => [row.partition, row.next_offset]));
  }

  /** Takes a partition lease unless a live node holds it; see `leases.ts`. */
  acquireLease(
    partition: number,
    nodeId: string,
    options: AcquireLeaseOptions,
  ): Promise<AcquireLeaseResult> {
    return acquireLease(this.#sql, partition, nodeId, options);
  }

  /** Takes a partition lease unconditionally; returns the new epoch. */
  forceLease(partition: number, nodeId: string): Promise<number> {
    return forceLease(this.#sql, partition, nodeId);
  }

  /** Releases a lease if `nodeId` still holds it at `epoch`. */
  releaseLease(
    partition: number,
    nodeId: string,
    epoch: number,
  ): Promise<boolean> {
    return releaseLease(this.#sql, partition, nodeId, epoch);
  }

  /** Partitions `nodeId` holds, mapped to their current epochs. */
  leaseEpochs(nodeId: string): Promise<Map<number, number>> {
    return leaseEpochs(this.#sql, nodeId);
  }

  /** Every lease, ordered by partition. */
  leases(): Promise<Lease[]> {
    return listLeases(this.#sql);
  }

  /** Upserts this node's membership row with a fresh heartbeat. */
  heartbeat(beat: Heartbeat): Promise<void> {
    return heartbeat(this.#sql, beat);
  }

  /** Known cluster nodes; pass `staleAfterMs` to get `alive` flags. */
  nodes(options: ListNodesOptions = {}): Promise<ClusterNode[]> {
    return listNodes(this.#sql, options);
  }

  /** Deletes a node's membership row; returns whether it existed. */
  removeNode(nodeId: string): Promise<boolean> {
    return removeNode(this.#sql, nodeId);
  }

  /**
   * Erases a user from every table in one transaction (right to erasure) and
   * records the erasure mark; returns the rows deleted per table. See `erasure.ts`.
   */
  eraseUser(userId: string, mark: ErasureMark & { partition: number }): Promise<Record<string, number>> {
    return eraseUser(this.#sql, userId, mark);
  }

  /** A user's most recent events, newest first. */
  async loadEventLog(userId: string, limit: number): Promise<EventLogEntry[]> {
    const rows = await this.#sql<
      {
        event_id: string;
        user_id: string;
        type: string;
        ts: Date;
        payload: unknown;
        partition: number;
        kafka_offset: number;
        logged_at: Date;
      }[]
    >`
      select event_id, user_id, type, ts, payload, partition, kafka_offset,
        logged_at
      from event_log where user_id = ${userId}
      order by ts desc, kafka_offset desc
      limit ${Math.max(0, Math.floor(limit))}`;
    return rows.map((row) => ({
      eventId: row.event_id,
      userId: row.user_id,
      type: row.type,
      ts: row.ts,
      payload: row.payload,
      partition: row.partition,
      offset: row.kafka_offset,
      loggedAt: row.logged_at,
    }));
  }
}

export type {
  AcquireLeaseOptions,
  AcquireLeaseResult,
  ClusterNode,
  Flush,
  FlushResult,
  Heartbeat,
  Lease,
  ListNodesOptions,
  MigrateResult,
};
