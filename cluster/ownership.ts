/**
 * Partition ownership: Kafka's group assignment says which partitions this
 * node should own; a lease row in Postgres (with an epoch that fences stale
 * writers) says when it may. A node activates actors of a partition only
 * while it holds the lease, so one user has one live actor at a time.
 *
 * @module
 */

/** What ownership needs from Postgres. */
export interface LeaseStore {
  acquireLease(
    partition: number,
    nodeId: string,
    options: { staleAfterMs: number },
  ): Promise<{ ok: true; epoch: number } | { ok: false; holder: string }>;
  forceLease(partition: number, nodeId: string): Promise<number>;
  releaseLease(partition: number, nodeId: string, epoch: number): Promise<boolean>;
  leaseEpochs(nodeId: string): Promise<Map<number, number>>;
  heartbeat(node: { nodeId: string; httpUrl: string; startedAt: Date; assigned: number[] }): Promise<void>;
  removeNode(nodeId: string): Promise<unknown>;
}

/** What ownership asks of the supervisor when partitions move. */
export interface PartitionHost {
  releasePartitions(partitions: ReadonlySet<number>): Promise<void>;
  dropPartitions(partitions: ReadonlySet<number>): void;
}

/** Options for {@linkcode PartitionOwnership}. */
export interface OwnershipOptions {
  store: LeaseStore;
  nodeId: string;
  httpUrl: string;
  /** A lease whose holder has not heartbeated for this long may be taken. */
  staleAfterMs?: number;
  /** How long to wait for a live holder to hand a partition over before forcing it. */
  handoverTimeoutMs?: number;
  heartbeatMs?: number;
  /**
   * Longest one heartbeat (the upsert and the lease check) may take (default 5 s). A query on a connection
   * the network silently dropped would otherwise hold the heartbeat for the minutes TCP takes to notice,
   * and with it every later heartbeat and the check for leases another node took.
   */
  heartbeatTimeoutMs?: number;
  onLog?: (message: string, fields: Record<string, unknown>) => void;
}

/** Tracks and enforces which partitions this node owns. */
export class PartitionOwnership {
  #options: OwnershipOptions;
  #host: PartitionHost | null = null;
  #assigned = new Set<number>();
  #owned = new Map<number, number>();
  #acquiring = new Map<number, Promise<boolean>>();
  #startedAt = new Date();
  #timer: ReturnType<typeof setInterval> | undefined;
  #beating: Promise<void> | null = null;
  #stopped = false;

  constructor(options: OwnershipOptions) {
    this.#options = options;
  }

  /** Connects the supervisor that holds the partitions' actors. */
  attach(host: PartitionHost): void {
    this.#host = host;
  }

  /** The lease epoch held for `partition`, or undefined when not owned. */
  epochOf(partition: number): number | undefined {
    return this.#owned.get(partition);
  }

  /** Partitions assigned to this node by the group. */
  assigned(): number[] {
    return [...this.#assigned].sort((a, b) => a - b);
  }

  /** Whether the group assigned `partition` to this node (its lease may still be on its way). */
  isAssigned(partition: number): boolean {
    return this.#assigned.has(partition);
  }

  /** Partitions whose lease this node holds, with epochs. */
  owned(): Map<number, number> {
    return new Map(this.#owned);
  }

  /** Applies a new group assignment: releases what was revoked (flush, passivate, unlease). */
  async onAssignment(partitions: number[]): Promise<void> {
    const next = new Set(partitions);
    const revoked = new Set([...this.#owned.keys()].filter((partition) => !next.has(partition)));
    this.#assigned = next;
    this.#options.onLog?.("partitions assigned", { partitions, revoked: [...revoked] });
    if (revoked.size > 0) await this.#release(revoked);
    void this.#beat();
    // Take leases right away so ownership (and routing) is settled before traffic.
    for (const partition of next) void this.ensureOwned(partition);
  }

  async #release(partitions: Set<number>): Promise<void> {
    try {
      await this.#host?.releasePartitions(partitions);
    } catch (error) {
      // Unflushed state is rebuilt by the next owner from Kafka; drop it here.
      this.#host?.dropPartitions(partitions);
      this.#options.onLog?.("release flush failed", { error: String(error) });
    }
    // Stop owning every one of them at once, in the same step as their actors were dropped: while a lease
    // release waits on Postgres, a request must not activate an actor of a partition already given up.
    const epochs = new Map<number, number>();
    for (const partition of partitions) {
      const epoch = this.#owned.get(partition);
      this.#owned.delete(partition);
      if (epoch !== undefined) epochs.set(partition, epoch);
    }
    for (const [partition, epoch] of epochs) {
      await this.#options.store.releaseLease(partition, this.#options.nodeId, epoch).catch(() => false);
    }
  }

  /**
   * Resolves true once this node holds the lease for an assigned partition, or
   * false when the partition is not (or no longer) assigned here.
   */
  ensureOwned(partition: number, heartbeat?: () => Promise<void>): Promise<boolean> {
    if (this.#owned.has(partition)) return Promise.resolve(true);
    if (!this.#assigned.has(partition) || this.#stopped) return Promise.resolve(false);
    let pending = this.#acquiring.get(partition);
    if (!pending) {
      pending = this.#acquire(partition, heartbeat).finally(() => this.#acquiring.delete(partition));
      this.#acquiring.set(partition, pending);
    }
    return pending;
  }

  async #acquire(partition: number, heartbeat?: () => Promise<void>): Promise<boolean> {
    const { store, nodeId } = this.#options;
    const staleAfterMs = this.#options.staleAfterMs ?? 5_000;
    const handoverMs = this.#options.handoverTimeoutMs ?? 15_000;
    let deadline = Date.now() + handoverMs;
    let delay = 25;
    while (this.#assigned.has(partition) && !this.#stopped) {
      try {
        const result = Date.now() < deadline
          ? await store.acquireLease(partition, nodeId, { staleAfterMs })
          : { ok: true as const, epoch: await store.forceLease(partition, nodeId) };
        if (result.ok) {
          this.#owned.set(partition, result.epoch);
          this.#options.onLog?.("lease acquired", { partition, epoch: result.epoch });
          return true;
        }
      } catch (error) {
        // Postgres did not answer, so the holder could not hand the partition over either: its time to do so
        // starts again (forcing the lease now would leave it serving the partition beside this node).
        deadline = Date.now() + handoverMs;
        this.#options.onLog?.("lease attempt failed", { partition, error: String(error) });
      }
      await heartbeat?.().catch(() => {});
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 250);
    }
    return false;
  }

  /** Starts heartbeating and self-fencing. */
  start(): void {
    const every = this.#options.heartbeatMs ?? 1_000;
    void this.#beat();
    this.#timer = setInterval(() => void this.#beat(), every);
  }

  #beat(): Promise<void> {
    this.#beating ??= this.#heartbeat().finally(() => {
      this.#beating = null;
    });
    return this.#beating;
  }

  async #heartbeat(): Promise<void> {
    if (this.#stopped) return;
    const { store, nodeId, httpUrl } = this.#options;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeoutMs = this.#options.heartbeatTimeoutMs ?? 5_000;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`heartbeat took over ${timeoutMs} ms`)), timeoutMs);
    });
    // Only leases held before the lease table is read can be judged by it: one acquired while the read is
    // on its way is missing from the answer without being lost (found by the suite: a node called its
    // brand-new lease lost, dropped it, and never became ready).
    const before = new Map(this.#owned);
    try {
      const held = await Promise.race([
        (async () => {
          await store.heartbeat({ nodeId, httpUrl, startedAt: this.#startedAt, assigned: this.assigned() });
          return await store.leaseEpochs(nodeId);
        })(),
        deadline,
      ]);
      const lost = new Set<number>();
      for (const [partition, epoch] of before) {
        if (this.#owned.get(partition) === epoch && held.get(partition) !== epoch) lost.add(partition);
      }
      if (lost.size > 0) {
        // Another node forced the lease: this node's copy is stale; stop serving it.
        for (const partition of lost) this.#owned.delete(partition);
        this.#host?.dropPartitions(lost);
        this.#options.onLog?.("lease lost", { partitions: [...lost] });
      }
    } catch (error) {
      this.#options.onLog?.("heartbeat failed", { error: String(error) });
    } finally {
      clearTimeout(timer);
    }
  }

  /** Called by the supervisor when a flush found its lease taken. */
  fenced(partition: number): void {
    this.#owned.delete(partition);
  }

  /** Releases every partition (after the consumer left the group) and leaves the cluster. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#beating;
    this.#stopped = true;
    this.#assigned.clear();
    await Promise.allSettled([...this.#acquiring.values()]);
    await this.#release(new Set(this.#owned.keys()));
    await this.#options.store.removeNode(this.#options.nodeId).catch(() => {});
  }
}
