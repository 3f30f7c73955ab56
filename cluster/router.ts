/**
 * Finds the node that owns a user, so any node can answer for any user by
 * forwarding to the owner. The map comes from the lease and membership
 * tables in Postgres, cached for a second.
 *
 * @module
 */

import { partitionFor } from "../bus/bus.ts";

/** A lease row, as the store lists it. */
export interface LeaseRow {
  partition: number;
  nodeId: string | null;
  epoch: number;
}

/** A membership row, as the store lists it. */
export interface NodeRow {
  nodeId: string;
  httpUrl: string;
  startedAt: Date;
  heartbeatAt: Date;
  assigned: number[];
}

/** What the router reads from Postgres. */
export interface ClusterStore {
  leases(): Promise<LeaseRow[]>;
  nodes(): Promise<NodeRow[]>;
}

/** Where a user's requests go. */
export type Route =
  | { local: true; partition: number }
  | { local: false; partition: number; nodeId: string; url: string }
  | { local: false; partition: number; nodeId: null; url: null };

/** Options for {@linkcode ClusterRouter}. */
export interface ClusterRouterOptions {
  store: ClusterStore;
  nodeId: string;
  partitionCount: number;
  /** True when this node holds the partition's lease right now. */
  ownsPartition(partition: number): boolean;
  /** True when the group assigned the partition here (its lease may still be on its way). */
  assignedPartition(partition: number): boolean;
  cacheMs?: number;
  /** A node whose heartbeat is older than this is not routed to. */
  aliveWithinMs?: number;
}

/** Maps users to owning nodes. */
export class ClusterRouter {
  #options: ClusterRouterOptions;
  #view: { leases: Map<number, string | null>; nodes: Map<string, NodeRow>; at: number } | null = null;
  #refreshing: Promise<void> | null = null;

  constructor(options: ClusterRouterOptions) {
    this.#options = options;
  }

  /** The partition of a user. */
  partitionOf(userId: string): number {
    return partitionFor(userId, this.#options.partitionCount);
  }

  /** Where to serve `userId`: here, another node, or nowhere yet (moving). */
  async route(userId: string): Promise<Route> {
    const partition = this.partitionOf(userId);
    if (this.#options.ownsPartition(partition) || this.#options.assignedPartition(partition)) {
      return { local: true, partition };
    }
    const view = await this.#current();
    const nodeId = view.leases.get(partition) ?? null;
    const node = nodeId === null ? undefined : view.nodes.get(nodeId);
    const aliveWithin = this.#options.aliveWithinMs ?? 5_000;
    if (nodeId === this.#options.nodeId) return { local: true, partition };
    if (node && Date.now() - node.heartbeatAt.getTime() <= aliveWithin) {
      return { local: false, partition, nodeId: node.nodeId, url: node.httpUrl };
    }
    // No lease yet: fall back to the node the group assigned the partition to.
    for (const candidate of view.nodes.values()) {
      if (
        candidate.assigned.includes(partition) && Date.now() - candidate.heartbeatAt.getTime() <= aliveWithin
      ) {
        if (candidate.nodeId === this.#options.nodeId) return { local: true, partition };
        return { local: false, partition, nodeId: candidate.nodeId, url: candidate.httpUrl };
      }
    }
    return { local: false, partition, nodeId: null, url: null };
  }

  /** Drops the cached view (after a forward found a stale owner). */
  invalidate(): void {
    this.#view = null;
  }

  async #current() {
    const cacheMs = this.#options.cacheMs ?? 1_000;
    if (this.#view && Date.now() - this.#view.at < cacheMs) return this.#view;
    this.#refreshing ??= (async () => {
      const [leases, nodes] = await Promise.all([this.#options.store.leases(), this.#options.store.nodes()]);
      this.#view = {
        leases: new Map(leases.map((lease) => [lease.partition, lease.nodeId])),
        nodes: new Map(nodes.map((node) => [node.nodeId, node])),
        at: Date.now(),
      };
    })().finally(() => {
      this.#refreshing = null;
    });
    await this.#refreshing;
    return this.#view!;
  }
}
