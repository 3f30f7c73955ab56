/**
 * Partition leases with fencing epochs.
 *
 * A node owns a Kafka partition while its `partition_leases` row names it.
 * Every takeover bumps the row's epoch, and {@linkcode writeFlush} refuses to
 * write for an epoch that is no longer current, so a node that was presumed
 * dead (paused, partitioned) cannot overwrite the new owner's snapshots.
 *
 * All liveness comparisons use the database clock (`now()`), never the
 * caller's, so clock skew between engine nodes cannot steal a lease.
 *
 * @module
 */

import type { Sql } from "./_sql.ts";

/** Options for {@linkcode acquireLease}. */
export type AcquireLeaseOptions = {
  /** A holder whose last heartbeat is older than this is presumed dead. */
  staleAfterMs: number;
};

/** Result of {@linkcode acquireLease}. */
export type AcquireLeaseResult =
  | { ok: true; epoch: number }
  | { ok: false; reason: "held"; holder: string };

/** One row of `partition_leases`. */
export type Lease = { partition: number; nodeId: string | null; epoch: number };

/**
 * Takes a partition's lease unless a live node holds it.
 *
 * It succeeds, setting the holder and bumping the epoch, when the lease row is
 * missing, unheld, already held by `nodeId` (a restart must still fence its
 * own previous incarnation), or held by a node whose heartbeat is older than
 * `staleAfterMs` or which has no `cluster_nodes` row at all. Staleness counts
 * from the later of the heartbeat and the database server's start: while
 * Postgres was down nobody could heartbeat, so after a restart every node
 * gets `staleAfterMs` to show it is alive before its leases can be taken
 * (a node still handing a partition over would otherwise serve it beside
 * the new owner).
 *
 * @param sql A postgres.js client.
 * @param partition Partition number.
 * @param nodeId The node asking for the lease.
 * @param options Staleness threshold.
 */
export async function acquireLease(
  sql: Sql,
  partition: number,
  nodeId: string,
  options: AcquireLeaseOptions,
): Promise<AcquireLeaseResult> {
  const staleAfterSeconds = Math.max(0, options.staleAfterMs) / 1000;
  return await sql.begin(async (tx): Promise<AcquireLeaseResult> => {
    await tx`
      insert into partition_leases (partition, node_id, epoch)
      values (${partition}, null, 0)
      on conflict (partition) do nothing`;
    const taken = await tx<{ epoch: number }[]>`
      update partition_leases as l set
        node_id = ${nodeId},
        epoch = l.epoch + 1,
        acquired_at = now()
      where l.partition = ${partition}
        and (
          l.node_id is null
          or l.node_id = ${nodeId}
          or not exists (
            select 1 from cluster_nodes as n
            where n.node_id = l.node_id
              -- A restarted server gives every node time to heartbeat again before its leases go.
              and greatest(n.heartbeat_at, pg_postmaster_start_time())
                >= now() - make_interval(secs => ${staleAfterSeconds}::float8)
          )
        )
      returning l.epoch`;
    if (taken.length === 1) return { ok: true, epoch: taken[0].epoch };
    const [row] = await tx<{ node_id: string | null }[]>`
      select node_id from partition_leases where partition = ${partition}`;
    return { ok: false, reason: "held", holder: row?.node_id ?? "" };
  });
}

/**
 * Takes a partition's lease unconditionally with the epoch bumped by one.
 * Used by operators and by the single-node embedded mode.
 *
 * @returns The new epoch.
 */
export async function forceLease(
  sql: Sql,
  partition: number,
  nodeId: string,
): Promise<number> {
  const [row] = await sql<{ epoch: number }[]>`
    insert into partition_leases (partition, node_id, epoch, acquired_at)
    values (${partition}, ${nodeId}, 1, now())
    on conflict (partition) do update set
      node_id = excluded.node_id,
      epoch = partition_leases.epoch + 1,
      acquired_at = excluded.acquired_at
    returning epoch`;
  return row.epoch;
}

/**
 * Gives a lease up, but only if `nodeId` still holds it at `epoch`. The epoch
 * is kept, so the next holder's epoch is still higher than any before.
 *
 * @returns Whether the lease was released.
 */
export async function releaseLease(
  sql: Sql,
  partition: number,
  nodeId: string,
  epoch: number,
): Promise<boolean> {
  const result = await sql`
    update partition_leases set node_id = null, acquired_at = null
    where partition = ${partition} and node_id = ${nodeId} and epoch = ${epoch}`;
  return result.count === 1;
}

/**
 * The partitions a node holds, with their current epochs. A node compares
 * this with what it believes it owns to fence itself after a takeover.
 */
export async function leaseEpochs(
  sql: Sql,
  nodeId: string,
): Promise<Map<number, number>> {
  const rows = await sql<{ partition: number; epoch: number }[]>`
    select partition, epoch from partition_leases where node_id = ${nodeId}`;
  return new Map(rows.map((row) => [row.partition, row.epoch]));
}

/** Every lease row, ordered by partition. */
export async function listLeases(sql: Sql): Promise<Lease[]> {
  const rows = await sql<
    { partition: number; node_id: string | null; epoch: number }[]
  >`select partition, node_id, epoch from partition_leases order by partition`;
  return rows.map((row) => ({
    partition: row.partition,
    nodeId: row.node_id,
    epoch: row.epoch,
  }));
}
