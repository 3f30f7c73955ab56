/**
 * The partitioned log the engine consumes from and produces to. Kafka
 * (kafkajs) implements it in production and tests; an in-process log
 * implements it for the embedded default. The actor code is the same on both.
 *
 * @module
 */

/** Topic names from the contract in SPEC.md. */
export const TOPICS = {
  events: "events",
  eventsDlq: "events.dlq",
  requests: "requests",
  notifications: "notifications",
  /** Compacted: key userId, null value, one per erased user, for every consumer that keeps user data. */
  usersTombstones: "users.tombstones",
} as const;

/** A record to append. Without `partition`, the key decides it. */
export interface OutgoingRecord {
  key: string | null;
  /** The value; null is a tombstone (on a compacted topic it deletes the key). */
  value: string | null;
  partition?: number;
  headers?: Record<string, string>;
}

/** A record read from one partition. */
export interface IncomingRecord {
  partition: number;
  /** Position in the partition; records of one partition arrive in order. */
  offset: number;
  key: string | null;
  /** The value; a tombstone reads as "". */
  value: string;
  headers: Record<string, string>;
}

/** What the consumer tells its owner. Each callback is awaited before the next. */
export interface ConsumerHandlers {
  /** Partitions this member now owns (a full list, after every rebalance). */
  onAssignment(partitions: number[]): Promise<void>;
  /**
   * A batch from one partition, in offset order. `heartbeat` keeps the group
   * membership alive during long work. Returning means the batch is applied in
   * memory; durability comes later through {@linkcode EventBus.commit}.
   */
  onBatch(
    partition: number,
    records: IncomingRecord[],
    heartbeat: () => Promise<void>,
  ): Promise<void>;
}

/** Options for {@linkcode EventBus.consume}. */
export interface ConsumeOptions {
  topic: string;
  groupId: string;
  handlers: ConsumerHandlers;
}

/** A running consumer. */
export interface Consumer {
  /** Leaves the group; pending batches finish first. */
  stop(): Promise<void>;
}

/** A partitioned, replayable log. */
export interface EventBus {
  /** Partition count of `topic` (fixed for the engine's lifetime). */
  partitionCount(topic: string): Promise<number>;
  /** Appends records and resolves once the log has acknowledged them. */
  produce(topic: string, records: OutgoingRecord[]): Promise<void>;
  /** Joins the consumer group of `groupId` on `topic`. */
  consume(options: ConsumeOptions): Promise<Consumer>;
  /**
   * Records that everything before `nextOffset` in the partition is durable.
   * The engine calls it only after the Postgres transaction that stored the
   * same offset has committed, so the bus never runs ahead of Postgres.
   */
  commit(
    topic: string,
    groupId: string,
    partition: number,
    nextOffset: number,
  ): Promise<void>;
  /** The next offset of every partition of `topic` (its end), for consumer lag. */
  endOffsets(topic: string): Promise<Map<number, number>>;
  /** Whether the bus reaches its brokers right now. */
  healthy(): boolean;
  close(): Promise<void>;
}

/**
 * Java-compatible murmur2, as Kafka's default partitioner uses it, so any
 * Kafka client keyed by `userId` lands on the same partition as the engine.
 */
export function murmur2(bytes: Uint8Array): number {
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  const length = bytes.length;
  let h = (seed ^ length) | 0;
  const length4 = length & ~3;
  for (let i = 0; i < length4; i += 4) {
    let k = (bytes[i] & 0xff) | ((bytes[i + 1] & 0xff) << 8) |
      ((bytes[i + 2] & 0xff) << 16) |
      ((bytes[i + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  switch (length & 3) {
    case 3:
      h ^= (bytes[length4 + 2] & 0xff) << 16;
    // falls through
    case 2:
      h ^= (bytes[length4 + 1] & 0xff) << 8;
    // falls through
    case 1:
      h ^= bytes[length4] & 0xff;
      h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h;
}

const encoder = new TextEncoder();

/** The partition a key belongs to, exactly as Kafka's default partitioner picks it. */
export function partitionFor(key: string, partitions: number): number {
  return (murmur2(encoder.encode(key)) & 0x7fffffff) % partitions;
}
