/**
 * Cluster membership: each engine node upserts a heartbeat row in
 * `cluster_nodes`; peers read the table to see who is alive and which
 * partitions each node says it has.
 *
 * `heartbeat_at` is always set from the database clock so that liveness
 * comparisons (here and in lease takeover) never depend on node clocks.
 *
 * @module
 */

import type { Sql } from "./_sql.ts";

/** What a node reports about itself on every heartbeat. */
export type Heartbeat = {
  nodeId: string;
  /** Base URL peers use to reach the node's HTTP API. */
  httpUrl: string;
  startedAt: Date;
  /** Partitions the node currently consumes. */
  assigned: number[];
};

/** One row of `cluster_nodes`. */
export type ClusterNode = {
  nodeId: string;
  httpUrl: string;
  startedAt: Date;
  heartbeatAt: Date;
  assigned: number[];
  /** Present only when {@linkcode listNodes} was given `staleAfterMs`. */
  alive?: boolean;
};

/** Options for {@linkcode listNodes}. */
export type ListNodesOptions = {
  /** When set, each node gets `alive` = heartbeat no older than this. */
  staleAfterMs?: number;
};

/**
 * Records that a node is alive, creating its row on first call.
 *
 * @param sql A postgres.js client.
 * @param beat The node's self-description.
 */
export async function heartbeat(sql: Sql, beat: Heartbeat): Promise<void> {
  await sql`
    insert into cluster_nodes
      (node_id, http_url, started_at, heartbeat_at, assigned)
    values (
      ${beat.nodeId}, ${beat.httpUrl}, ${beat.startedAt}, now(),
      ${beat.assigned}::int[]
    )
    on conflict (node_id) do update set
      http_url = excluded.http_url,
      started_at = excluded.started_at,
      heartbeat_at = excluded.heartbeat_at,
      assigned = excluded.assigned`;
}

/**
 * Lists known nodes ordered by id, optionally flagging the live ones.
 *
 * @param sql A postgres.js client.
 * @param options Liveness threshold.
 */
export async function listNodes(
  sql: Sql,
  options: ListNodesOptions = {},
): Promise<ClusterNode[]> {
  const staleAfterSeconds = options.staleAfterMs === undefined
    ? null
    : Math.max(0, options.staleAfterMs) / 1000;
  const rows = await sql<
    {
      node_id: string;
      http_url: string;
      started_at: Date;
      heartbeat_at: Date;
      assigned: number[];
      alive: boolean | null;
    }[]
  >`
    select node_id, http_url, started_at, heartbeat_at, assigned,
      case when ${staleAfterSeconds}::float8 is null then null
        else heartbeat_at >= now() - make_interval(secs => ${staleAfterSeconds}::float8)
      end as alive
    from cluster_nodes
    order by node_id`;
  return rows.map((row) => {
    const node: ClusterNode = {
      nodeId: row.node_id,
      httpUrl: row.http_url,
      startedAt: row.started_at,
      heartbeatAt: row.heartbeat_at,
      assigned: row.assigned,
    };
    if (row.alive !== null) node.alive = row.alive;
    return node;
  });
}

/**
 * Deletes a node's row, e.g. on graceful shutdown. Its leases become takeable
 * at once, because a holder without a row counts as dead.
 *
 * @returns Whether a row was deleted.
 */
export async function removeNode(sql: Sql, nodeId: string): Promise<boolean> {
  const result = await sql`delete from cluster_nodes where node_id = ${nodeId}`;
  return result.count === 1;
}
