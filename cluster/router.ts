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

/** Longest a request waits for the routing table to be refreshed when it has one to fall back on. */
const REFRESH_WAIT_MS = 500;

interface RoutingView {
  leases: Map<number, string | null>;
  nodes: Map<string, NodeRow>;
  at: number;
  /** Postgres did not answer the last refresh: this is the last view read, as of `at`. */
  stale?: boolean;
}

/** Maps users to owning nodes. */
export class ClusterRouter {
  #options: ClusterRouterOptions;
  #view: RoutingView | null = null;
  #expired = false;
  #refreshing: Promise<void> | null = null;

  constructor(options: ClusterRouterOptions) {
    this.#options = options;
  }

  /** The partition of a user. */
  partitionOf(userId: string): number {
    return partitionFor(userId, this.#options.partitionCount);
  }

  /**
   * The user's partition when {@linkcode ClusterRouter.route} would answer
   * "here" without reading the cluster view (this node holds or was assigned
   * the partition), else null.
   */
  localPartition(userId: string): number | null {
    const partition = this.partitionOf(userId);
    return this.#options.ownsPartition(partition) || this.#options.assignedPartition(partition)
      ? partition
      : null;
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
    // While Postgres is away nobody's heartbeat advances: judge the last view as of when it was read.
    const now = view.stale ? view.at : Date.now();
    if (nodeId === this.#options.nodeId) return { local: true, partition };
    if (node && now - node.heartbeatAt.getTime() <= aliveWithin) {
      return { local: false, partition, nodeId: node.nodeId, url: node.httpUrl };
    }
    // No lease yet: fall back to the node the group assigned the partition to.
    for (const candidate of view.nodes.values()) {
      if (
        candidate.assigned.includes(partition) && now - candidate.heartbeatAt.getTime() <= aliveWithin
      ) {
        if (candidate.nodeId === this.#options.nodeId) return { local: true, partition };
        return { local: false, partition, nodeId: candidate.nodeId, url: candidate.httpUrl };
      }
    }
    return { local: false, partition, nodeId: null, url: null };
  }

  /** Refreshes the view on the next request (after a forward found a stale owner). */
  invalidate(): void {
    // The view is kept to route by while Postgres is away.
    this.#expired = true;
  }

  async #current(): Promise<RoutingView> {
    const cacheMs = this.#options.cacheMs ?? 1_000;
    if (this.#view && !this.#expired && Date.now() - this.#view.at < cacheMs) return this.#view;
    this.#refreshing ??= (async () => {
      const [leases, nodes] = await Promise.all([this.#options.store.leases(), this.#options.store.nodes()]);
      this.#view = {
        leases: new Map(leases.map((lease) => [lease.partition, lease.nodeId])),
        nodes: new Map(nodes.map((node) => [node.nodeId, node])),
        at: Date.now(),
      };
      this.#expired = false;
    })().finally(() => {
      this.#refreshing = null;
    });
    const refreshing = this.#refreshing;
    if (this.#view === null) {
      await refreshing;
      return this.#view!;
    }
    // Postgres is away or slow (a stopped server can take many seconds to refuse a busy pool): route by the
    // last view rather than fail or hold the request. A stale guess is safe: the node it reaches serves only
    // what it owns and answers 503 (retry) otherwise.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const fresh = await Promise.race([
      refreshing.then(() => true, () => false),
      new Promise<boolean>((resolve) => timer = setTimeout(resolve, REFRESH_WAIT_MS, false)),
    ]);
    clearTimeout(timer);
    return fresh ? this.#view : { ...this.#view, stale: true };
  }
}
