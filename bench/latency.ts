/**
 * Event-to-state latency: a worker produces events at a steady rate to the
 * mock Kafka cluster, stamping each event id with its send time; the real
 * engine, running in this process, stamps each event when its actor applies
 * it (the `beforeApply` hook, called right before `UserActor.receive`). The
 * difference, after a warm-up, is the latency from producer to actor state.
 * The baseline is the same traffic read by a raw kafkajs loop.
 *
 * @module
 */

import { TOPICS } from "../bus/bus.ts";
import { startBenchEngine, startBenchKafka } from "./_kafka.ts";
import type { PacedProducerReport, PacedProducerRequest } from "./_paced_producer.ts";
import { type LatencySummary, ratio, summarize, waitUntil } from "./_stats.ts";

/** SPEC target: p99 event-to-state latency at 20k events/s. */
export const LATENCY_TARGET_P99_MS = 100;

/** Options for {@linkcode runLatencyBench}. */
export interface LatencyBenchOptions {
  eventsPerSecond: number;
  /** Sends before this are not measured (actors activate, the JIT warms up). */
  warmupMs: number;
  measureMs: number;
  users: number;
  partitions: number;
  /** Extra engine configuration variables (e.g. `FLUSH_INTERVAL_MS`), for experiments. */
  engineEnv?: Record<string, string>;
  /** Skip the raw kafkajs baseline (experiments only). */
  skipBaseline?: boolean;
}

/** What {@linkcode runLatencyBench} reports. */
export interface LatencyResult {
  targetRate: number;
  /** Events per second the producer achieved in the measured window. */
  achievedRate: number;
  measuredEvents: number;
  /** Measured events never applied before the deadline (should be zero). */
  missing: number;
  latencyMs: LatencySummary;
  users: number;
  partitions: number;
  /** The same traffic read by a raw kafkajs `eachBatch` loop that only parses (stamped per record). */
  rawKafkajs: { achievedRate: number; missing: number; latencyMs: LatencySummary };
  ratioP50: number | null;
  ratioP99: number | null;
  target: { p99Ms: number; eventsPerSecond: number };
  met: boolean;
}

/** High-resolution wall clock, comparable across workers. */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Runs the paced producer worker to the end; returns each event id's send time and when sending began. */
async function producePaced(
  brokers: string[],
  options: LatencyBenchOptions,
): Promise<{ sentAt: Map<string, number>; sent: number; started: number }> {
  const worker = new Worker(new URL("./_paced_producer.ts", import.meta.url), { type: "module" });
  try {
    const sentAt = new Map<string, number>();
    const finished = Promise.withResolvers<{ sent: number }>();
    worker.onmessage = (message: MessageEvent<PacedProducerReport>) => {
      const report = message.data;
      if (report.type === "sent") {
        for (const eventId of report.eventIds) sentAt.set(eventId, report.sentAt);
      } else if (report.type === "done") {
        finished.resolve(report);
      } else {
        finished.reject(new Error(`Paced producer failed: ${report.message}`));
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      finished.reject(new Error(`Paced producer crashed: ${event.message}`));
    };
    const started = nowMs();
    const request: PacedProducerRequest = {
      brokers,
      partitions: options.partitions,
      users: options.users,
      eventsPerSecond: options.eventsPerSecond,
      durationMs: options.warmupMs + options.measureMs,
    };
    worker.postMessage(request);
    const { sent } = await finished.promise;
    return { sentAt, sent, started };
  } finally {
    worker.terminate();
  }
}

/** Latencies of the events sent after the warm-up. */
function window(
  sentAt: Map<string, number>,
  appliedAt: Map<string, number>,
  windowStart: number,
): { latencyMs: LatencySummary; measured: number; missing: number; achievedRate: number } {
  const latencies: number[] = [];
  let measured = 0;
  let missing = 0;
  let firstSent = Infinity;
  let lastSent = 0;
  for (const [eventId, at] of sentAt) {
    if (at < windowStart) continue;
    measured++;
    firstSent = Math.min(firstSent, at);
    lastSent = Math.max(lastSent, at);
    const applied = appliedAt.get(eventId);
    if (applied === undefined) missing++;
    else latencies.push(applied - at);
  }
  return {
    latencyMs: summarize(latencies),
    measured,
    missing,
    achievedRate: Math.round(measured / ((lastSent - firstSent) / 1000)),
  };
}

/** The baseline: a raw kafkajs consumer that only parses each value, stamped per record. */
async function rawBaseline(options: LatencyBenchOptions): Promise<LatencyResult["rawKafkajs"]> {
  const kafka = startBenchKafka(options.partitions);
  try {
    const consumer = kafka.kafka.consumer({
      groupId: `raw-${crypto.randomUUID()}`,
      maxBytesPerPartition: 4 * 1024 * 1024,
      maxWaitTimeInMs: 50,
    });
    const appliedAt = new Map<string, number>();
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => {
      joined = true;
    });
    await consumer.connect();
    try {
      await consumer.subscribe({ topic: TOPICS.events, fromBeginning: true });
      await consumer.run({
        autoCommit: false,
        partitionsConsumedConcurrently: 4,
        eachBatch: async ({ batch }) => {
          for (const message of batch.messages) {
            const value = JSON.parse(message.value!.toString());
            appliedAt.set(value.eventId, nowMs());
          }
          await Promise.resolve();
        },
      });
      await waitUntil("the raw consumer to join", () => joined, { timeoutMs: 60_000 });
      const { sentAt, sent, started } = await producePaced(kafka.brokers, options);
      await waitUntil("the raw consumer to read every event", () => appliedAt.size >= sent, {
        timeoutMs: 30_000,
        intervalMs: 20,
      }).catch(() => {});
      const result = window(sentAt, appliedAt, started + options.warmupMs);
      return { achievedRate: result.achievedRate, missing: result.missing, latencyMs: result.latencyMs };
    } finally {
      await consumer.disconnect();
    }
  } finally {
    kafka.close();
  }
}

/** Runs the latency measurement: the raw kafkajs baseline first, then the engine, each on a fresh cluster. */
export async function runLatencyBench(options: LatencyBenchOptions): Promise<LatencyResult> {
  const rawKafkajs = options.skipBaseline
    ? { achievedRate: 0, missing: 0, latencyMs: summarize([]) }
    : await rawBaseline(options);
  const kafka = startBenchKafka(options.partitions);
  try {
    const appliedAt = new Map<string, number>();
    const node = await startBenchEngine(kafka.brokers, options.partitions, {
      beforeApply: (event) => {
        appliedAt.set(event.eventId, nowMs());
      },
    }, options.engineEnv);
    try {
      const { sentAt, sent, started } = await producePaced(kafka.brokers, options);
      // The hook's map, not the metrics: rendering gauges walks every resident actor.
      await waitUntil("the engine to apply every sent event", () => appliedAt.size >= sent, {
        timeoutMs: 30_000,
        intervalMs: 20,
      }).catch(() => {});
      const result = window(sentAt, appliedAt, started + options.warmupMs);
      return {
        targetRate: options.eventsPerSecond,
        achievedRate: result.achievedRate,
        measuredEvents: result.measured,
        missing: result.missing,
        latencyMs: result.latencyMs,
        users: options.users,
        partitions: options.partitions,
        rawKafkajs,
        ratioP50: ratio(result.latencyMs.p50, rawKafkajs.latencyMs.p50),
        ratioP99: ratio(result.latencyMs.p99, rawKafkajs.latencyMs.p99),
        target: { p99Ms: LATENCY_TARGET_P99_MS, eventsPerSecond: 20_000 },
        met: result.missing === 0 && result.latencyMs.p99 <= LATENCY_TARGET_P99_MS &&
          result.achievedRate >= 0.95 * options.eventsPerSecond,
      };
    } finally {
      await node.stop();
    }
  } finally {
    kafka.close();
  }
}
