/**
 * {@linkcode EventBus} over Kafka with kafkajs: one producer, consumer groups
 * with `eachBatch`, offsets committed only when Postgres says so.
 *
 * @module
 */

import {
  type Admin,
  type Consumer as KafkaConsumer,
  Kafka,
  type KafkaConfig,
  logLevel,
  type PartitionAssigner,
  PartitionAssigners,
  type Producer,
  type SASLOptions,
} from "kafkajs";
import type { ConsumeOptions, Consumer, EventBus, IncomingRecord, OutgoingRecord } from "./bus.ts";
import { partitionFor } from "./bus.ts";

/** TLS and SASL settings for the Kafka client. */
export interface KafkaSecurity {
  /** TLS to the brokers (PEM texts); false for plaintext. */
  ssl: false | { ca: string | null; cert: string | null; key: string | null; rejectUnauthorized: boolean };
  sasl: null | { mechanism: "plain" | "scram-sha-256" | "scram-sha-512"; username: string; password: string };
}

/** Options for {@linkcode KafkaBus}. */
export interface KafkaBusOptions {
  brokers: string[];
  clientId: string;
  /** Group session timeout; a killed node's partitions move after this. */
  sessionTimeoutMs?: number;
  /** How often group members heartbeat. */
  heartbeatIntervalMs?: number;
  /** Passed to kafkajs; defaults to warnings only. */
  logLevel?: logLevel;
  /** How long a group leader waits before handing out assignments (see {@linkcode patientRoundRobin}). */
  assignDelayMs?: number;
  /** TLS and SASL to the brokers (`KAFKA_SSL*`, `KAFKA_SASL_*`); plaintext without. */
  security?: KafkaSecurity;
}

/** The kafkajs `ssl` and `sasl` client options for {@linkcode KafkaSecurity}. */
export function kafkaClientSecurity(security: KafkaSecurity | undefined): Pick<KafkaConfig, "ssl" | "sasl"> {
  if (!security) return {};
  const out: Pick<KafkaConfig, "ssl" | "sasl"> = {};
  if (security.ssl !== false) {
    const { ca, cert, key, rejectUnauthorized } = security.ssl;
    out.ssl = {
      rejectUnauthorized,
      ...(ca !== null ? { ca: [ca] } : {}),
      ...(cert !== null && key !== null ? { cert, key } : {}),
    };
  }
  if (security.sasl !== null) {
    const { mechanism, username, password } = security.sasl;
    out.sasl = { mechanism, username, password } as SASLOptions;
  }
  return out;
}

/**
 * kafkajs's round-robin assignor, run by the group leader after a short wait.
 * librdkafka's mock coordinator answers SyncGroup only to members already
 * waiting when the leader's assignment arrives and rejects later ones with
 * INVALID_REQUEST; a leader that assigns instantly starves a follower that is a
 * few milliseconds slower (common on a loaded machine). The wait lets followers
 * sync first. A real broker does not need it; it costs that much per rebalance.
 */
export function patientRoundRobin(delayMs: number): PartitionAssigner {
  return (config) => {
    const inner = PartitionAssigners.roundRobin(config);
    return {
      name: inner.name,
      version: inner.version,
      protocol: inner.protocol,
      async assign(group) {
        await new Promise((resolve) => setTimeout(resolve, delayMs));
        return inner.assign(group);
      },
    };
  };
}

const HEADER_DECODER = new TextDecoder();

/** The Kafka implementation of the engine's log. */
export class KafkaBus implements EventBus {
  #kafka: Kafka;
  #producer: Producer;
  #producerReady: Promise<void> | null = null;
  #consumers = new Map<string, KafkaConsumer>();
  #partitionCounts = new Map<string, number>();
  #admin: Promise<Admin> | null = null;
  #options: KafkaBusOptions;
  #healthy = true;

  constructor(options: KafkaBusOptions) {
    this.#options = options;
    this.#kafka = new Kafka({
      clientId: options.clientId,
      brokers: options.brokers,
      logLevel: options.logLevel ?? logLevel.ERROR,
      retry: { retries: 8, initialRetryTime: 200, maxRetryTime: 3_000 },
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      ...kafkaClientSecurity(options.security),
    });
    this.#producer = this.#kafka.producer({ allowAutoTopicCreation: false });
    this.#producer.on(this.#producer.events.DISCONNECT, () => {
      this.#healthy = false;
    });
    this.#producer.on(this.#producer.events.CONNECT, () => {
      this.#healthy = true;
    });
  }

  #connect(): Promise<void> {
    this.#producerReady ??= this.#producer.connect().catch((error) => {
      this.#producerReady = null;
      throw error;
    });
    return this.#producerReady;
  }

  async partitionCount(topic: string): Promise<number> {
    const known = this.#partitionCounts.get(topic);
    if (known !== undefined) return known;
    const admin = this.#kafka.admin();
    await admin.connect();
    try {
      const metadata = await admin.fetchTopicMetadata({ topics: [topic] });
      const count = metadata.topics[0]?.partitions.length ?? 0;
      if (count === 0) throw new Error(`Topic ${topic} has no partitions`);
      this.#partitionCounts.set(topic, count);
      return count;
    } finally {
      await admin.disconnect();
    }
  }

  async endOffsets(topic: string): Promise<Map<number, number>> {
    // One long-lived admin client: lag is polled every few seconds.
    this.#admin ??= (async () => {
      const admin = this.#kafka.admin();
      await admin.connect();
      return admin;
    })();
    let admin: Admin;
    try {
      admin = await this.#admin;
    } catch (error) {
      this.#admin = null;
      throw error;
    }
    const offsets = await admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((entry) => [entry.partition, Number(entry.high)]));
  }

  async produce(topic: string, records: OutgoingRecord[]): Promise<void> {
    if (records.length === 0) return;
    await this.#connect();
    const partitions = await this.partitionCount(topic);
    await this.#producer.send({
      topic,
      acks: -1,
      messages: records.map((record) => ({
        key: record.key,
        value: record.value,
        headers: record.headers,
        // Pin the partition so every node agrees with partitionFor().
        partition: record.partition ??
          (record.key === null ? undefined : partitionFor(record.key, partitions)),
      })),
    });
  }

  async consume(options: ConsumeOptions): Promise<Consumer> {
    const { groupId } = options;
    let stopped = false;
    let current = await this.#startConsumer(options, () => {
      // kafkajs gives up on errors it deems fatal (a SyncGroup rejected mid-rebalance,
      // say). A node that stops consuming would strand its partitions, so start over.
      if (stopped) return;
      setTimeout(async () => {
        if (stopped) return;
        try {
          current = await this.#startConsumer(options, () => {});
        } catch {
          // The next crash report or the readiness probe will show it.
        }
      }, 1_000);
    });
    return {
      stop: async () => {
        stopped = true;
        this.#consumers.delete(groupId);
        await current.disconnect();
      },
    };
  }

  async #startConsumer(options: ConsumeOptions, onFatal: () => void): Promise<KafkaConsumer> {
    const { topic, groupId, handlers } = options;
    const consumer = this.#kafka.consumer({
      groupId,
      sessionTimeout: this.#options.sessionTimeoutMs ?? 10_000,
      rebalanceTimeout: this.#options.sessionTimeoutMs ?? 10_000,
      heartbeatInterval: this.#options.heartbeatIntervalMs ?? 1_000,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 50,
      partitionAssigners: [patientRoundRobin(this.#options.assignDelayMs ?? 500)],
      retry: { retries: 1_000, initialRetryTime: 200, maxRetryTime: 3_000 },
    });
    let assignment: Promise<void> = Promise.resolve();
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      const partitions = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b);
      assignment = assignment.then(() => handlers.onAssignment(partitions)).catch(() => {});
    });
    consumer.on(consumer.events.CRASH, (event) => {
      this.#healthy = false;
      if (!event.payload.restart) {
        this.#consumers.delete(groupId);
        onFatal();
      }
    });
    consumer.on(consumer.events.FETCH, () => {
      this.#healthy = true;
    });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    this.#consumers.set(groupId, consumer);
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: true,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch, heartbeat, isRunning, isStale }) => {
        if (!isRunning() || isStale()) return;
        // The assignment handler runs first, so ownership is settled before applying.
        await assignment;
        const records: IncomingRecord[] = new Array(batch.messages.length);
        for (let i = 0; i < batch.messages.length; i++) {
          const message = batch.messages[i];
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) {
            if (value === undefined) continue;
            headers[name] = typeof value === "string"
              ? value
              : Array.isArray(value)
              ? String(value[0])
              : HEADER_DECODER.decode(value);
          }
          records[i] = {
            partition: batch.partition,
            offset: Number(message.offset),
            key: message.key === null ? null : message.key.toString(),
            value: message.value === null ? "" : message.value.toString(),
            headers,
          };
        }
        await handlers.onBatch(batch.partition, records, heartbeat);
      },
    });
    return consumer;
  }

  async commit(
    topic: string,
    groupId: string,
    partition: number,
    nextOffset: number,
  ): Promise<void> {
    const consumer = this.#consumers.get(groupId);
    if (!consumer) return;
    await consumer.commitOffsets([{
      topic,
      partition,
      offset: String(nextOffset),
    }]);
  }

  healthy(): boolean {
    return this.#healthy;
  }

  async close(): Promise<void> {
    for (const consumer of this.#consumers.values()) {
      await consumer.disconnect();
    }
    this.#consumers.clear();
    if (this.#producerReady) await this.#producer.disconnect();
    const admin = this.#admin;
    this.#admin = null;
    if (admin) await (await admin.catch(() => null))?.disconnect();
  }
}
