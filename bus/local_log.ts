/**
 * The embedded default {@linkcode EventBus}: a single-node, in-process
 * partitioned log. Appends are group-committed to one file per
 * topic-partition and `fdatasync`ed before `produce` resolves; consumers see
 * only durable records and wake on append, without polling.
 *
 * @module
 */

import type { ConsumeOptions, Consumer, EventBus, IncomingRecord, OutgoingRecord } from "./bus.ts";
import { partitionFor } from "./bus.ts";
import { CommittedOffsets, encodeRecord, SegmentFile } from "./_segment_file.ts";

/** Options for {@linkcode LocalLog.open}. */
export interface LocalLogOptions {
  /** Directory for the log files; `null` keeps everything in memory. */
  dir: string | null;
  /** Partitions per topic, the same for every topic. */
  partitions: number;
  /** Topics to create up front; others are created on first use. */
  topics?: string[];
}

const MAX_BATCH = 5000;
const RETRY_MS = 1000;
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

interface Partition {
  index: number;
  /** Absolute offset of `records[0]`. */
  base: number;
  /** Durable records, visible to consumers. */
  records: IncomingRecord[];
  file: SegmentFile | null;
  wakers: Set<() => void>;
}

interface Pending {
  partition: Partition;
  record: OutgoingRecord;
  /** Set on the last record of a `produce` call only. */
  settle?: (error?: unknown) => void;
}

/** An in-process partitioned log implementing {@linkcode EventBus}. */
export class LocalLog implements EventBus {
  #dir: string | null;
  #partitions: number;
  #offsets: CommittedOffsets;
  #topics = new Map<string, Promise<Partition[]>>();
  #roundRobin = new Map<string, number>();
  #active = new Set<string>(); // "groupId\ntopic" of running consumers
  #consumers = new Set<Consumer>();
  #pending: Pending[] = [];
  #flushChain: Promise<void> = Promise.resolve();
  #flushScheduled = false;
  #closed = false;

  private constructor(
    dir: string | null,
    partitions: number,
    offsets: CommittedOffsets,
  ) {
    this.#dir = dir;
    this.#partitions = partitions;
    this.#offsets = offsets;
  }

  /** Opens the log, reloading and compacting the files under `dir` if given. */
  static async open(options: LocalLogOptions): Promise<LocalLog> {
    const { dir, partitions } = options;
    if (!Number.isInteger(partitions) || partitions < 1) {
      throw new RangeError(
        `Partition count must be a positive integer, got ${partitions}`,
      );
    }
    const topics = new Set(options.topics ?? []);
    if (dir !== null) {
      await Deno.mkdir(dir, { recursive: true });
      for await (const entry of Deno.readDir(dir)) {
        const match = /^([A-Za-z0-9._-]+)-(\d+)\.log$/.exec(entry.name);
        if (!match) continue;
        if (Number(match[2]) >= partitions) {
          throw new Error(
            `File ${entry.name} does not fit ${partitions} partitions`,
          );
        }
        topics.add(match[1]);
      }
    }
    const log = new LocalLog(dir, partitions, await CommittedOffsets.load(dir));
    await Promise.all([...topics].map((topic) => log.#topic(topic)));
    return log;
  }

  partitionCount(_topic: string): Promise<number> {
    return Promise.resolve(this.#partitions);
  }

  async produce(topic: string, records: OutgoingRecord[]): Promise<void> {
    this.#assertOpen();
    const partitions = await this.#topic(topic);
    const pending = records.map((record): Pending => {
      let index = record.partition;
      if (index === undefined) {
        index = record.key === null
          ? this.#nextRoundRobin(topic)
          : partitionFor(record.key, this.#partitions);
      } else {
        this.#assertPartition(topic, index);
      }
      return { partition: partitions[index], record };
    });
    if (this.#dir === null) return this.#apply(pending);
    if (pending.length === 0) return;
    const done = new Promise<void>((resolve, reject) => {
      pending[pending.length - 1].settle = (error) => error === undefined ? resolve() : reject(error);
    });
    this.#pending.push(...pending);
    if (!this.#flushScheduled) {
      // Everything produced until this flush starts shares its write and fdatasync.
      this.#flushScheduled = true;
      this.#flushChain = this.#flushChain.then(() => this.#flush());
    }
    return done;
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    this.#assertOpen();
    const { topic, groupId, handlers } = options;
    const member = `${groupId}\n${topic}`;
    if (this.#active.has(member)) {
      throw new Error(
        `Group ${groupId} already consumes ${topic} in this process`,
      );
    }
    const partitions = await this.#topic(topic);
    this.#active.add(member);
    const indexes = partitions.map((partition) => partition.index);
    try {
      await handlers.onAssignment(indexes);
    } catch (error) {
      this.#active.delete(member);
      throw error;
    }
    let stopped = false;
    const wakers = new Set<() => void>();
    const wait = (partition: Partition, ms?: number) =>
      new Promise<void>((resolve) => {
        const timer = ms === undefined ? undefined : setTimeout(wake, ms);
        function wake() {
          clearTimeout(timer);
          wakers.delete(wake);
          partition.wakers.delete(wake);
          resolve();
        }
        wakers.add(wake);
        partition.wakers.add(wake);
      });
    const heartbeat = () => Promise.resolve();
    const run = async (partition: Partition) => {
      let next = this.#offsets.get(topic, partition.index, groupId) ?? 0;
      while (!stopped) {
        next = Math.max(next, partition.base); // compacted away: start at the earliest
        const from = next - partition.base;
        if (from >= partition.records.length) {
          await wait(partition);
          continue;
        }
        const batch = partition.records.slice(from, from + MAX_BATCH);
        try {
          await handlers.onBatch(partition.index, batch, heartbeat);
          next += batch.length;
        } catch (error) {
          console.error(
            `LocalLog: onBatch failed on ${topic}[${partition.index}], retrying`,
            error,
          );
          await wait(partition, RETRY_MS);
        }
      }
    };
    const loops = Promise.all(partitions.map(run));
    const consumer: Consumer = {
      stop: async () => {
        stopped = true;
        for (const wake of [...wakers]) wake();
        await loops;
        this.#active.delete(member);
        this.#consumers.delete(consumer);
      },
    };
    this.#consumers.add(consumer);
    return consumer;
  }

  async commit(
    topic: string,
    groupId: string,
    partition: number,
    nextOffset: number,
  ): Promise<void> {
    this.#assertOpen();
    this.#assertPartition(topic, partition);
    if (!Number.isSafeInteger(nextOffset) || nextOffset < 0) {
      throw new RangeError(
        `Offset must be a non-negative integer, got ${nextOffset}`,
      );
    }
    const partitions = await this.#topic(topic);
    this.#offsets.set(topic, partition, groupId, nextOffset);
    this.#trim(topic, partitions[partition]);
    await this.#offsets.save();
  }

  healthy(): boolean {
    return !this.#closed;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    await Promise.all([...this.#consumers].map((consumer) => consumer.stop()));
    this.#closed = true;
    await this.#flushChain;
    await this.#offsets.settled();
    for (const partitions of this.#topics.values()) {
      for (const partition of await partitions) partition.file?.close();
    }
  }

  async endOffsets(topic: string): Promise<Map<number, number>> {
    this.#assertOpen();
    const partitions = await this.#topic(topic);
    return new Map(
      partitions.map((partition) => [partition.index, partition.base + partition.records.length]),
    );
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error("LocalLog is closed");
  }

  #assertPartition(topic: string, index: number): void {
    if (!Number.isInteger(index) || index < 0 || index >= this.#partitions) {
      throw new RangeError(
        `Partition ${index} is out of range for topic ${topic}`,
      );
    }
  }

  #topic(topic: string): Promise<Partition[]> {
    let partitions = this.#topics.get(topic);
    if (partitions !== undefined) return partitions;
    if (!TOPIC_NAME.test(topic)) {
      throw new Error(`Bad topic name ${JSON.stringify(topic)}`);
    }
    partitions = Promise.all(
      Array.from(
        { length: this.#partitions },
        async (_, index): Promise<Partition> => {
          const wakers = new Set<() => void>();
          if (this.#dir === null) {
            return {
              index,
              base: 0,
              records: [],
              file: null,
              wakers,
            };
          }
          const path = `${this.#dir}/${topic}-${index}.log`;
          const loaded = await SegmentFile.open(
            path,
            this.#offsets.min(topic, index) ?? 0,
          );
          const base = loaded.baseOffset;
          const records = loaded.records.map((
            { k, v, h },
            i,
          ): IncomingRecord => ({
            partition: index,
            offset: base + i,
            key: k,
            value: v ?? "",
            headers: h,
          }));
          return { index, base, records, file: loaded.file, wakers };
        },
      ),
    );
    this.#topics.set(topic, partitions);
    return partitions;
  }

  #nextRoundRobin(topic: string): number {
    const next = this.#roundRobin.get(topic) ?? 0;
    this.#roundRobin.set(topic, (next + 1) % this.#partitions);
    return next;
  }

  /** Makes records visible to consumers and wakes them. */
  #apply(pending: Pending[]): void {
    const touched = new Set<Partition>();
    for (const { partition, record } of pending) {
      partition.records.push({
        partition: partition.index,
        offset: partition.base + partition.records.length,
        key: record.key,
        value: record.value ?? "",
        headers: record.headers ?? {},
      });
      touched.add(partition);
    }
    for (const partition of touched) {
      for (const wake of [...partition.wakers]) wake();
    }
  }

  /** Group commit: one write and one `fdatasync` per touched file for everything pending. */
  async #flush(): Promise<void> {
    this.#flushScheduled = false;
    const batch = this.#pending;
    this.#pending = [];
    const lines = new Map<Partition, string[]>();
    for (const { partition, record } of batch) {
      let list = lines.get(partition);
      if (list === undefined) lines.set(partition, list = []);
      list.push(
        encodeRecord({
          k: record.key,
          v: record.value,
          h: record.headers ?? {},
        }),
      );
    }
    const files = [...lines].map(([partition, list]) => ({
      file: partition.file!,
      size: partition.file!.size,
      data: list.join(""),
    }));
    try {
      await Promise.all(files.map(({ file, data }) => file.append(data)));
    } catch (error) {
      // All or nothing: undo the files that made it, so no offset is handed out twice.
      await Promise.allSettled(
        files.map(({ file, size }) => file.truncate(size)),
      );
      for (const entry of batch) entry.settle?.(error);
      return;
    }
    this.#apply(batch);
    for (const entry of batch) entry.settle?.();
  }

  /** Drops records every group has committed from memory; files keep them until compaction. */
  #trim(topic: string, partition: Partition): void {
    let keepFrom = this.#offsets.min(topic, partition.index) ?? 0;
    for (const member of this.#active) {
      // A running group that has not committed here yet still needs everything.
      const [groupId, activeTopic] = member.split("\n");
      if (
        activeTopic === topic &&
        this.#offsets.get(topic, partition.index, groupId) === undefined
      ) {
        keepFrom = 0;
      }
    }
    const drop = Math.min(keepFrom, partition.base + partition.records.length) -
      partition.base;
    if (drop > 0) {
      partition.records.splice(0, drop);
      partition.base += drop;
    }
  }
}
