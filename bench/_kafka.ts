/**
 * Kafka plumbing shared by the ingest and latency benchmarks: a librdkafka
 * mock cluster with the engine's topics, a quiet kafkajs client, and the
 * engine itself started in-process exactly as `deno task start` wires it.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import { TOPICS } from "../bus/bus.ts";
import { MockKafkaCluster } from "../bus/mock_cluster.ts";
import type { UserEvent } from "../domain/event.ts";
import { loadConfig } from "../engine/config.ts";
import { type Engine, startEngine } from "../engine/engine.ts";
import { createTestDatabase, type TestDatabase } from "../store/_test_database.ts";
import { waitUntil } from "./_stats.ts";

/** A mock cluster with every engine topic, and a kafkajs client for it. */
export interface BenchKafka {
  mock: MockKafkaCluster;
  kafka: Kafka;
  brokers: string[];
  close(): void;
}

/** Starts a 3-broker mock cluster with the engine's topics of `partitions` partitions each. */
export function startBenchKafka(partitions: number): BenchKafka {
  const mock = MockKafkaCluster.start({
    brokers: 3,
    topics: Object.fromEntries(Object.values(TOPICS).map((topic) => [topic, partitions])),
  });
  const brokers = mock.bootstrapServers.split(",");
  const kafka = new Kafka({ clientId: "bench", brokers, logLevel: logLevel.NOTHING });
  return { mock, kafka, brokers, close: () => mock.close() };
}

/** An engine node running in this process, with its throwaway database. */
export interface BenchEngine {
  engine: Engine;
  database: TestDatabase;
  /** The engine's `engine_events_applied_total` and `engine_dead_letters_total`. */
  counters(): { applied: number; deadLetters: number };
  stop(): Promise<void>;
}

function counter(text: string, name: string): number {
  const match = text.match(new RegExp(`^${name} (\\d+)`, "m"));
  return match === null ? 0 : Number(match[1]);
}

/**
 * Starts the real engine (`startEngine(loadConfig(env))`) against `brokers` and
 * a fresh database, in a new consumer group so it reads from the beginning,
 * and waits until it holds the leases of all `partitions`. `env` adds or
 * overrides configuration variables.
 */
export async function startBenchEngine(
  brokers: string[],
  partitions: number,
  hooks: { beforeApply?: (event: UserEvent) => void } = {},
  env: Record<string, string> = {},
): Promise<BenchEngine> {
  const database = await createTestDatabase({ prefix: "bench_engine" });
  let engine: Engine;
  try {
    engine = await startEngine(
      loadConfig({
        KAFKA_BROKERS: brokers.join(","),
        DATABASE_URL: database.url,
        NODE_ID: "bench-node",
        KAFKA_GROUP_ID: `bench-${crypto.randomUUID()}`,
        ADMIN_TOKEN: "bench-admin-token",
        LOG_LEVEL: "warn",
        PORT: "0",
        // Ingest figures are about the engine's backbone; loading onnxruntime-web in this process also
        // stops the paced producer's Web Worker from posting back (seen with Deno 2.9).
        MODELS: "off",
        ...env,
      }),
      hooks,
    );
  } catch (error) {
    await database.drop();
    throw error;
  }
  const stop = async () => {
    await engine.stop();
    await database.drop();
  };
  try {
    await waitUntil("the engine to own every partition", () => engine.ownership.owned().size === partitions, {
      timeoutMs: 60_000,
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    engine,
    database,
    counters() {
      const text = engine.registry.render();
      return {
        applied: counter(text, "engine_events_applied_total"),
        deadLetters: counter(text, "engine_dead_letters_total"),
      };
    },
    stop,
  };
}
