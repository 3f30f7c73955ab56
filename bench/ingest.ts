/**
 * Ingest throughput: events pre-produced to a 3-broker librdkafka mock
 * cluster, consumed once by a raw kafkajs `eachBatch` loop that only
 * `JSON.parse`s each value (the baseline), then by the real engine
 * (`startEngine`: KafkaBus, PartitionOwnership, Supervisor, Postgres store)
 * in a fresh consumer group, until every event is applied to its actor.
 *
 * @module
 */

import { TOPICS } from "../bus/bus.ts";
import { makeEventJson, makeUserPool } from "./_events.ts";
import { startBenchEngine, startBenchKafka } from "./_kafka.ts";
import { ratio, round, sleep, waitUntil } from "./_stats.ts";

/** SPEC target: events per second per node. */
export const INGEST_TARGET_EVENTS_PER_SECOND = 50_000;
/** SPEC aim: engine throughput against the raw kafkajs loop. */
export const INGEST_TARGET_RATIO = 0.4;

/** Options for {@linkcode runIngestBench}. */
export interface IngestBenchOptions {
  events: number;
  users: number;
  partitions: number;
}

/** One consumer's throughput. */
export interface Throughput {
  /** Records per second from the first record handled to the last. */
  perSecond: number;
  /** Records per second from the consumer's start (group join included). */
  wallPerSecond: number;
  seconds: number;
  wallSeconds: number;
}

/** What {@linkcode runIngestBench} reports. */
export interface IngestResult {
  events: number;
  users: number;
  partitions: number;
  produceSeconds: number;
  rawKafkajs: Throughput;
  engine: Throughput & { applied: number; deadLetters: number; residentActors: number };
  ratio: number | null;
  target: { eventsPerSecond: number; ratio: number };
  met: boolean;
}

function throughput(count: number, startedAt: number, firstAt: number, doneAt: number): Throughput {
  const seconds = (doneAt - firstAt) / 1000;
  const wallSeconds = (doneAt - startedAt) / 1000;
  return {
    perSecond: Math.round(count / seconds),
    wallPerSecond: Math.round(count / wallSeconds),
    seconds: round(seconds, 3),
    wallSeconds: round(wallSeconds, 3),
  };
}

/** Runs the ingest measurement. */
export async function runIngestBench(options: IngestBenchOptions): Promise<IngestResult> {
  const { events, users, partitions } = options;
  const kafka = startBenchKafka(partitions);
  try {
    const pool = makeUserPool(users, partitions);
    const producer = kafka.kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    let produceStarted = performance.now();
    const chunk = 10_000;
    const inFlight = new Set<Promise<unknown>>();
    for (let from = 0; from < events; from += chunk) {
      const messages = [];
      for (let i = from; i < Math.min(events, from + chunk); i++) {
        const index = Math.floor(Math.random() * users);
        const userId = pool.ids[index];
        messages.push({ key: userId, value: makeEventJson(userId), partition: pool.partitions[index] });
      }
      if (from === 0) produceStarted = performance.now();
      const sent = producer.send({ topic: TOPICS.events, acks: -1, messages }).finally(() =>
        inFlight.delete(sent)
      );
      inFlight.add(sent);
      if (inFlight.size >= 3) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const produceSeconds = round((performance.now() - produceStarted) / 1000, 3);
    await producer.disconnect();

    const admin = kafka.kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(TOPICS.events).finally(() => admin.disconnect());
    if (offsets.some((entry) => entry.low !== "0")) {
      throw new Error("The mock cluster dropped old records (about 5 MB per partition); use more partitions");
    }
    const ends = new Map(offsets.map((entry) => [entry.partition, Number(entry.high)]));
    const total = [...ends.values()].reduce((sum, high) => sum + high, 0);
    if (total !== events) throw new Error(`Produced ${events} events but the topic holds ${total}`);

    // Baseline: the same fetch settings as KafkaBus, and nothing but JSON.parse per record.
    const consumer = kafka.kafka.consumer({
      groupId: `raw-${crypto.randomUUID()}`,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 50,
    });
    const rawStarted = performance.now();
    let rawFirst = 0;
    let rawLast = 0;
    let consumed = 0;
    let sink = 0;
    await consumer.connect();
    await consumer.subscribe({ topic: TOPICS.events, fromBeginning: true });
    await consumer.run({
      autoCommit: false,
      partitionsConsumedConcurrently: 4,
      eachBatch: async ({ batch }) => {
        if (rawFirst === 0) rawFirst = performance.now();
        for (const message of batch.messages) {
          const value = JSON.parse(message.value!.toString());
          sink += value.eventId.length;
        }
        consumed += batch.messages.length;
        if (consumed >= events && rawLast === 0) rawLast = performance.now();
        await Promise.resolve();
      },
    });
    await waitUntil("the raw consumer to read every event", () => rawLast > 0, { timeoutMs: 120_000 });
    await consumer.disconnect();
    if (sink === 0) throw new Error("The raw consumer parsed nothing");
    const rawKafkajs = throughput(events, rawStarted, rawFirst, rawLast);

    const engineStarted = performance.now();
    let engineFirst = 0;
    const node = await startBenchEngine(kafka.brokers, partitions, {
      beforeApply: () => {
        if (engineFirst === 0) engineFirst = performance.now();
      },
    });
    try {
      const done = () =>
        node.engine.supervisor.offsets().filter((entry) => entry.consumed === ends.get(entry.partition))
          .length ===
          partitions;
      await waitUntil("the engine to apply every event", done, { timeoutMs: 180_000, intervalMs: 5 });
      const engineDone = performance.now();
      // Counters are bumped after a batch settles; give the last one a moment.
      await sleep(50);
      const { applied, deadLetters } = node.counters();
      if (applied + deadLetters < events) throw new Error(`Engine applied ${applied} of ${events} events`);
      const engine = {
        ...throughput(events, engineStarted, engineFirst, engineDone),
        applied,
        deadLetters,
        residentActors: node.engine.supervisor.size,
      };
      const engineRatio = ratio(engine.perSecond, rawKafkajs.perSecond);
      return {
        events,
        users,
        partitions,
        produceSeconds,
        rawKafkajs,
        engine,
        ratio: engineRatio,
        target: { eventsPerSecond: INGEST_TARGET_EVENTS_PER_SECOND, ratio: INGEST_TARGET_RATIO },
        met: engine.perSecond >= INGEST_TARGET_EVENTS_PER_SECOND && (engineRatio ?? 0) >= INGEST_TARGET_RATIO,
      };
    } finally {
      await node.stop();
    }
  } finally {
    kafka.close();
  }
}
