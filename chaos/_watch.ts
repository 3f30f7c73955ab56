/**
 * Watches the cluster during the chaos scenario, independently of the
 * engine's own view of itself:
 *
 * - **Ownership and lag**, from the private Postgres every 250 ms: who holds
 *   each partition's lease (and its epoch), which nodes heartbeat and what
 *   the group assigned them, and the durable watermark of every partition
 *   against the end offset the load producer saw acknowledged. Ownership is
 *   **complete** when every partition's lease is held by a running node that
 *   heartbeats (within 5 s) and is the only running node assigned that
 *   partition, and every running node has partitions assigned. **Lag** is the sum over partitions of end offset minus
 *   durable watermark: events produced but not yet applied and snapshotted.
 *   Lease epochs must never go down.
 * - **One live actor per user**, from every ready node's
 *   `/admin/actors?scope=node` every 300 ms: each view lists the node's
 *   resident actors, the partitions it holds with their lease epochs, and the
 *   node's clock when the view was taken. Two violations are possible:
 *   1. an actor resident in a partition its node does not hold;
 *   2. a node still claiming a partition at epoch `e` in a view taken *after*
 *      another node was seen claiming it at a higher epoch. Both then held a
 *      live copy of the partition's users at the same moment (a stale owner
 *      serving beside the new one). A claim seen *before* the newer one is a
 *      clean handover, not an overlap: leases are released before they are
 *      taken again.
 *   A user resident on two nodes within one sampling round is counted apart
 *   (`dualResidencyRounds`) and is no violation unless rule 2 says so: the
 *   views of one round are taken milliseconds apart and can straddle a
 *   handover.
 *
 * @module
 */

import { ADMIN_TOKEN } from "../tests/_harness.ts";
import type { ChaosCluster, NodeHandle } from "./_cluster.ts";
import type { EventLoad } from "./_load.ts";

/** One Postgres sample. */
export interface ClusterSample {
  at: number;
  /** False when Postgres did not answer; the other fields are then null. */
  postgres: boolean;
  ownershipComplete: boolean | null;
  lag: number | null;
  epochs: number[] | null;
  holders: (string | null)[] | null;
}

/** A breach of "one live actor per user". */
export interface ActorViolation {
  kind: "resident without lease" | "stale owner" | "same epoch on two nodes" | "epoch went down";
  at: number;
  nodeId: string;
  partition: number;
  detail: string;
  users: string[];
}

interface NodeView {
  nodeId: string;
  at: number;
  ownedEpochs: Record<string, number>;
  actors: { userId: string; partition: number }[];
}

interface Claim {
  epoch: number;
  incarnation: number;
  nodeId: string;
  firstSeenAt: number;
}

const ALIVE_WITHIN_SECONDS = 5;

/** Samples Postgres and the nodes until stopped. */
export class ClusterWatch {
  readonly samples: ClusterSample[] = [];
  readonly violations: ActorViolation[] = [];
  viewRounds = 0;
  views = 0;
  /** Rounds in which some user was resident on two nodes (see the module docs). */
  dualResidencyRounds = 0;
  #cluster: ChaosCluster;
  #load: EventLoad;
  #running = false;
  #loops: Promise<void>[] = [];
  /** Every epoch claimed per partition, with the first time it was seen. */
  #claims = new Map<number, Claim[]>();
  #lastEpochs: number[] | null = null;
  #usersWithTwoActors = new Set<string>();

  constructor(cluster: ChaosCluster, load: EventLoad) {
    this.#cluster = cluster;
    this.#load = load;
  }

  /** Distinct users seen with two live actors (rule 2). */
  get usersWithTwoLiveActors(): string[] {
    return [...this.#usersWithTwoActors].sort();
  }

  start(): void {
    this.#running = true;
    this.#loops.push(this.#every(250, () => this.#samplePostgres()));
    this.#loops.push(this.#every(300, () => this.#sampleNodes()));
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#loops);
    this.#loops = [];
  }

  /** Takes one Postgres sample now (also used by waits). */
  latest(): ClusterSample | undefined {
    return this.samples.at(-1);
  }

  async #every(ms: number, run: () => Promise<void>): Promise<void> {
    while (this.#running) {
      const started = performance.now();
      await run();
      await new Promise((resolve) => setTimeout(resolve, Math.max(10, ms - (performance.now() - started))));
    }
  }

  async #samplePostgres(): Promise<void> {
    const at = Date.now();
    const partitions = this.#cluster.partitions;
    try {
      const sql = this.#cluster.sql;
      const [leases, nodes, offsets] = await Promise.all([
        sql<{ partition: number; node_id: string | null; epoch: string }[]>`
          select partition, node_id, epoch from partition_leases order by partition`,
        sql<{ node_id: string; assigned: number[]; alive: boolean }[]>`
          select node_id, assigned,
            heartbeat_at >= now() - make_interval(secs => ${ALIVE_WITHIN_SECONDS}) as alive
          from cluster_nodes`,
        sql<{ partition: number; next_offset: string }[]>`
          select partition, next_offset from partition_offsets where topic = 'events'`,
      ]);
      const running = new Set(this.#cluster.running().map((handle) => handle.nodeId));
      const members = new Map(nodes.map((node) => [node.node_id, node]));
      const holders: (string | null)[] = new Array(partitions).fill(null);
      const epochs: number[] = new Array(partitions).fill(0);
      for (const lease of leases) {
        if (lease.partition < partitions) {
          holders[lease.partition] = lease.node_id;
          epochs[lease.partition] = Number(lease.epoch);
        }
      }
      // Each partition assigned to exactly one running node, which holds its lease; every running node in.
      const assignees = new Map<number, number>();
      for (const node of nodes) {
        if (!running.has(node.node_id)) continue;
        for (const partition of node.assigned) assignees.set(partition, (assignees.get(partition) ?? 0) + 1);
      }
      const complete = holders.every((holder, partition) => {
        if (holder === null || !running.has(holder) || assignees.get(partition) !== 1) return false;
        const member = members.get(holder);
        return member !== undefined && member.alive && member.assigned.includes(partition);
      }) && [...running].every((nodeId) => {
        const member = members.get(nodeId);
        return member !== undefined && member.alive && member.assigned.length > 0;
      });
      const durable = new Map(offsets.map((row) => [row.partition, Number(row.next_offset)]));
      let lag = 0;
      for (const [partition, end] of this.#load.endOffsets) {
        lag += Math.max(0, end - (durable.get(partition) ?? 0));
      }
      this.#checkEpochs(at, epochs, holders);
      this.samples.push({ at, postgres: true, ownershipComplete: complete, lag, epochs, holders });
    } catch {
      this.samples.push({
        at,
        postgres: false,
        ownershipComplete: null,
        lag: null,
        epochs: null,
        holders: null,
      });
    }
  }

  #checkEpochs(at: number, epochs: number[], holders: (string | null)[]): void {
    const last = this.#lastEpochs;
    if (last !== null) {
      for (let partition = 0; partition < epochs.length; partition++) {
        if (epochs[partition] < last[partition]) {
          this.violations.push({
            kind: "epoch went down",
            at,
            nodeId: holders[partition] ?? "",
            partition,
            detail: `lease epoch ${last[partition]} -> ${epochs[partition]}`,
            users: [],
          });
        }
      }
    }
    this.#lastEpochs = epochs;
  }

  async #sampleNodes(): Promise<void> {
    const handles = this.#cluster.live();
    const views = await Promise.all(handles.map(async (handle) => {
      try {
        const response = await fetch(`${handle.node.url}/admin/actors?scope=node&limit=10000`, {
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
          signal: AbortSignal.timeout(3_000),
        });
        if (!response.ok) {
          await response.body?.cancel();
          return null;
        }
        return { handle, view: await response.json() as NodeView };
      } catch {
        // A node being killed does not answer; that is the fault, not a finding.
        return null;
      }
    }));
    const answered = views.filter((entry) => entry !== null);
    if (answered.length === 0) return;
    this.viewRounds++;
    this.views += answered.length;
    const residentOn = new Map<string, number>();
    for (const { handle, view } of answered) {
      this.#checkView(handle, view);
      for (const actor of view.actors) residentOn.set(actor.userId, (residentOn.get(actor.userId) ?? 0) + 1);
    }
    if ([...residentOn.values()].some((count) => count > 1)) this.dualResidencyRounds++;
  }

  #checkView(handle: NodeHandle, view: NodeView): void {
    const owned = new Map(
      Object.entries(view.ownedEpochs).map(([partition, epoch]) => [Number(partition), epoch]),
    );
    const byPartition = new Map<number, string[]>();
    for (const actor of view.actors) {
      const users = byPartition.get(actor.partition) ?? [];
      users.push(actor.userId);
      byPartition.set(actor.partition, users);
    }
    for (const [partition, users] of byPartition) {
      if (!owned.has(partition)) {
        this.violations.push({
          kind: "resident without lease",
          at: view.at,
          nodeId: view.nodeId,
          partition,
          detail: `${users.length} actors resident without the partition's lease`,
          users: users.slice(0, 20),
        });
      }
    }
    for (const [partition, epoch] of owned) {
      const claims = this.#claims.get(partition) ?? [];
      this.#claims.set(partition, claims);
      for (const claim of claims) {
        if (claim.incarnation === handle.incarnation) continue;
        if (claim.epoch === epoch) {
          this.violations.push({
            kind: "same epoch on two nodes",
            at: view.at,
            nodeId: view.nodeId,
            partition,
            detail: `${view.nodeId} and ${claim.nodeId} both claim epoch ${epoch}`,
            users: (byPartition.get(partition) ?? []).slice(0, 20),
          });
        } else if (claim.epoch > epoch && claim.firstSeenAt < view.at) {
          const users = byPartition.get(partition) ?? [];
          for (const user of users) this.#usersWithTwoActors.add(user);
          this.violations.push({
            kind: "stale owner",
            at: view.at,
            nodeId: view.nodeId,
            partition,
            detail: `${view.nodeId} still holds epoch ${epoch} ${
              view.at - claim.firstSeenAt
            } ms after ${claim.nodeId} was seen holding epoch ${claim.epoch}`,
            users: users.slice(0, 20),
          });
        }
      }
      const mine = claims.find((claim) => claim.incarnation === handle.incarnation && claim.epoch === epoch);
      if (!mine) {
        claims.push({ epoch, incarnation: handle.incarnation, nodeId: view.nodeId, firstSeenAt: view.at });
      }
    }
  }
}
