/**
 * Wires one engine node: Postgres (or embedded PGlite), the log (Kafka or the
 * in-process log), partition ownership, the supervisor, the consumer and the
 * HTTP application. `stop()` shuts down gracefully: leave the group, flush,
 * release leases.
 *
 * @module
 */

import type { Hono } from "hono";
import { createSupervisorMetrics } from "../actors/supervisor_metrics.ts";
import { type DeadLetter, Supervisor } from "../actors/supervisor.ts";
import { type Consumer, type EventBus, partitionFor, TOPICS } from "../bus/bus.ts";
import { KafkaBus } from "../bus/kafka_bus.ts";
import { LocalLog } from "../bus/local_log.ts";
import { PartitionOwnership } from "../cluster/ownership.ts";
import { ClusterRouter } from "../cluster/router.ts";
import type { UserEvent } from "../domain/event.ts";
import { createApp } from "../http/app.ts";
import type { Rejected } from "../http/deps.ts";
import { Scheduler } from "../jobs/scheduler.ts";
import { loadDemoDataIfEmpty } from "./demo_data.ts";
import { ModelService } from "./models.ts";
import { createLogger, type Logger } from "../obs/log.ts";
import { Gauge, Registry } from "../obs/metrics.ts";
import { startEmbeddedPostgres } from "../store/embedded_postgres.ts";
import { Store } from "../store/store.ts";
import type { EngineConfig } from "./config.ts";

/** Test hooks; production passes none. */
export interface EngineHooks {
  /** Fault injection: throw to make an actor crash on an event. */
  beforeApply?: (event: UserEvent) => void;
}

/** A running engine node. */
export interface Engine {
  config: EngineConfig;
  app: Hono;
  supervisor: Supervisor;
  ownership: PartitionOwnership;
  store: Store;
  bus: EventBus;
  registry: Registry;
  logger: Logger;
  jobs: Scheduler;
  partitionCount: number;
  stop(): Promise<void>;
}

/** Dead letters keep the original record, capped so one giant record cannot break the DLQ. */
const MAX_DLQ_VALUE_CHARS = 256 * 1024;

function deadLetterValue(letter: {
  reason: string;
  partition?: number;
  offset?: number;
  key: string | null;
  value: string;
  nodeId: string;
}): string {
  const truncated = letter.value.length > MAX_DLQ_VALUE_CHARS;
  return JSON.stringify({
    reason: letter.reason,
    source: letter.partition === undefined ? "http" : { partition: letter.partition, offset: letter.offset },
    key: letter.key,
    value: truncated ? letter.value.slice(0, MAX_DLQ_VALUE_CHARS) : letter.value,
    truncated,
    originalLength: letter.value.length,
    nodeId: letter.nodeId,
    at: new Date().toISOString(),
  });
}

/** Ready to serve: partitions were assigned and every one of them is leased here. */
function assignedAndLeased(ownership: PartitionOwnership): boolean {
  const assigned = ownership.assigned();
  return assigned.length > 0 && assigned.every((partition) => ownership.epochOf(partition) !== undefined);
}

/** Starts one engine node. */
export async function startEngine(config: EngineConfig, hooks: EngineHooks = {}): Promise<Engine> {
  const logger = createLogger({ nodeId: config.nodeId }, config.logLevel);
  const mode = config.kafkaBrokers.length > 0 ? "kafka" : "embedded";
  const cleanups: (() => Promise<void>)[] = [];
  try {
    let databaseUrl = config.databaseUrl;
    if (databaseUrl === null) {
      const embedded = await startEmbeddedPostgres(`${config.dataDir}/pg`);
      cleanups.unshift(() => embedded.close());
      // The URL carries max=1: PGlite serves one connection (see embedded_postgres.ts).
      databaseUrl = embedded.url;
      logger.log("info", "embedded postgres started", { dataDir: config.dataDir });
    }
    const store = await Store.connect(databaseUrl);
    cleanups.unshift(() => store.close());
    await store.migrate();

    const bus: EventBus = mode === "kafka"
      ? new KafkaBus({
        brokers: config.kafkaBrokers,
        clientId: config.nodeId,
        sessionTimeoutMs: config.kafkaSessionTimeoutMs,
      })
      : await LocalLog.open({
        dir: `${config.dataDir}/log`,
        partitions: config.embeddedPartitions,
        topics: Object.values(TOPICS),
      });
    cleanups.unshift(() => bus.close());
    const partitionCount = await bus.partitionCount(TOPICS.events);

    const models = await ModelService.start({
      store,
      logger,
      dataDir: config.dataDir,
      enabled: config.models,
    });
    cleanups.unshift(() => models.close());
    const registry = new Registry();
    const ownership = new PartitionOwnership({
      store,
      nodeId: config.nodeId,
      httpUrl: config.publicUrl,
      handoverTimeoutMs: config.kafkaSessionTimeoutMs + 5_000,
      onLog: (message, fields) => logger.log("info", message, fields),
    });
    const produceDeadLetters = (letters: DeadLetter[]) =>
      bus.produce(
        TOPICS.eventsDlq,
        letters.map((letter) => ({
          key: letter.key,
          value: deadLetterValue({ ...letter, nodeId: config.nodeId }),
          partition: letter.key === null ? letter.partition % partitionCount : undefined,
        })),
      );
    const supervisor = new Supervisor({
      store,
      nodeId: config.nodeId,
      topic: TOPICS.events,
      partitionCount,
      epochOf: (partition) => ownership.epochOf(partition),
      deadLetter: produceDeadLetters,
      onDurable: (partition, nextOffset) => {
        bus.commit(TOPICS.events, config.kafkaGroupId, partition, nextOffset).catch((error) =>
          logger.log("debug", "offset commit failed", { partition, error: String(error) })
        );
      },
      onFenced: (partition) => ownership.fenced(partition),
      metrics: createSupervisorMetrics(registry),
      idleMs: config.actorIdleMs,
      maxResident: config.maxResidentActors,
      maxResidentBytes: config.maxResidentBytes,
      maxFailures: config.maxActorFailures,
      beforeApply: hooks.beforeApply,
    });
    ownership.attach(supervisor);
    ownership.start();
    registry.add(new Gauge("engine_resident_actors", "Actors in memory", (g) => g.set(supervisor.size)));
    registry.add(
      new Gauge(
        "engine_resident_bytes",
        "Estimated bytes held by actors",
        (g) => g.set(supervisor.residentBytes()),
      ),
    );
    registry.add(
      new Gauge(
        "engine_dirty_actors",
        "Actors waiting for a snapshot",
        (g) => g.set(supervisor.dirtyCount()),
      ),
    );
    registry.add(
      new Gauge(
        "engine_owned_partitions",
        "Partitions whose lease this node holds",
        (g) => g.set(ownership.owned().size),
      ),
    );
    registry.add(
      new Gauge("engine_snapshot_lag_offsets", "Consumed but not yet durable offsets per partition", (g) => {
        g.reset();
        for (const { partition, consumed, durable } of supervisor.offsets()) {
          if (consumed !== null) g.set(consumed - (durable ?? 0), { partition });
        }
      }),
    );

    let flushFailures = 0;
    const flushTimer = setInterval(() => {
      supervisor.flush().then(() => {
        flushFailures = 0;
      }).catch((error) => {
        flushFailures++;
        logger.log(flushFailures === 1 ? "warn" : "debug", "snapshot flush failed, will retry", {
          error: String(error),
        });
      });
    }, config.flushIntervalMs);
    const sweepTimer = setInterval(() => supervisor.sweep(), 1_000);

    const jobs = new Scheduler({ onLog: (message, fields) => logger.log("warn", message, fields) });
    jobs.add({
      name: "profile.long_term",
      description: "Long-term profile pass over resident actors: decay preference weights, expire sessions",
      everyMs: 20 * 60_000,
      jitterMs: 10 * 60_000,
      run: async (_progress, signal) => ({
        actors: await supervisor.broadcast(() => ({ type: "profile.refresh", nowMs: Date.now() }), signal),
      }),
    });
    jobs.add({
      name: "vectors.recompute",
      description: "Score resident actors (uplift, propensity, cluster, profile distances) into user_scores",
      everyMs: 90 * 60_000,
      jitterMs: 30 * 60_000,
      run: (progress, signal) => models.recomputeVectors(supervisor, progress, signal),
    });
    jobs.add({
      name: "model.retrain",
      description:
        "Daily reindex and retrain from Postgres (features, clusters, uplift, propensity) in a child process",
      everyMs: 24 * 60 * 60_000,
      jitterMs: 60 * 60_000,
      run: (progress, signal) => models.retrain(progress, signal),
    });
    jobs.start();

    let consumer: Consumer | null = null;
    consumer = await bus.consume({
      topic: TOPICS.events,
      groupId: config.kafkaGroupId,
      handlers: {
        onAssignment: (partitions) => ownership.onAssignment(partitions),
        onBatch: async (partition, records, heartbeat) => {
          if (!(await ownership.ensureOwned(partition, heartbeat))) return;
          await supervisor.applyBatch(partition, records);
        },
      },
    });

    const router = new ClusterRouter({
      store,
      nodeId: config.nodeId,
      partitionCount,
      ownsPartition: (partition) => ownership.epochOf(partition) !== undefined,
      assignedPartition: (partition) => ownership.isAssigned(partition),
    });

    const ingest = async (events: UserEvent[], rejected: Rejected[]) => {
      await bus.produce(
        TOPICS.events,
        events.map((event) => {
          const { tsMs: _tsMs, ...wire } = event;
          return {
            key: event.userId,
            value: JSON.stringify(wire),
            partition: partitionFor(event.userId, partitionCount),
          };
        }),
      );
      if (rejected.length > 0) {
        await bus.produce(
          TOPICS.eventsDlq,
          rejected.map((item) => {
            let value: string;
            try {
              value = JSON.stringify(item.raw) ?? String(item.raw);
            } catch {
              value = String(item.raw);
            }
            return {
              key: null,
              value: deadLetterValue({ reason: item.reason, key: null, value, nodeId: config.nodeId }),
            };
          }),
        );
      }
    };

    if (config.demoData) await loadDemoDataIfEmpty({ store, bus, logger, partitionCount });

    const app = createApp({
      nodeId: config.nodeId,
      mode,
      partitionCount,
      adminToken: config.adminToken,
      ingestToken: config.ingestToken,
      supervisor,
      ownership,
      router,
      cluster: store,
      registry,
      logger,
      jobs,
      models,
      ingest,
      readiness: async () => ({
        postgres: await store.ping(),
        log: bus.healthy(),
        partitions: assignedAndLeased(ownership),
      }),
      now: Date.now,
    });

    let stopping: Promise<void> | null = null;
    const stop = () =>
      stopping ??= (async () => {
        logger.log("info", "stopping");
        clearInterval(flushTimer);
        clearInterval(sweepTimer);
        await jobs.stop();
        await consumer?.stop().catch((error) =>
          logger.log("warn", "consumer stop failed", { error: String(error) })
        );
        await supervisor.flush().catch((error) =>
          logger.log("warn", "final flush failed", { error: String(error) })
        );
        await ownership.stop();
        for (const cleanup of cleanups) await cleanup().catch(() => {});
        logger.log("info", "stopped");
      })();

    logger.log("info", "engine started", { mode, partitionCount });
    return { config, app, supervisor, ownership, store, bus, registry, logger, jobs, partitionCount, stop };
  } catch (error) {
    for (const cleanup of cleanups) await cleanup().catch(() => {});
    throw error;
  }
}
