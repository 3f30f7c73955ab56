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
import { FORWARD_PROOF_HEADER, forwardProof } from "../http/client_address.ts";
import type { Rejected } from "../http/deps.ts";
import { Scheduler } from "../jobs/scheduler.ts";
import { loadDemoDataIfEmpty } from "./demo_data.ts";
import { ModelService } from "./models.ts";
import { createLogger, type Logger } from "../obs/log.ts";
import { Gauge, Registry } from "../obs/metrics.ts";
import { startEmbeddedPostgres } from "../store/embedded_postgres.ts";
import { Store } from "../store/store.ts";
import type { EngineConfig } from "./config.ts";
import { resolveLlmSettings } from "../llm/settings.ts";
import { Explainer } from "../llm/explainer.ts";
import { LlmMetrics } from "../llm/llm_metrics.ts";
import { ChatService } from "./chat_service.ts";
import { NotificationHub } from "./notification_hub.ts";
import { OfferExplainer } from "./offer_explainer.ts";
import { OfferWatch } from "./offer_watch.ts";
import { Recommender } from "./recommender.ts";
import { startRetrieval } from "./retrieval.ts";
import { type EngineRequest, RequestHandler } from "./request_handler.ts";
import { createSecurity } from "./security.ts";
import { UserErasure } from "./user_erasure.ts";
import { RateLimiter } from "../http/rate_limit.ts";
import { rotatePii } from "../store/pii_rotation.ts";

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
  requestId?: string;
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
    ...(letter.requestId ? { requestId: letter.requestId } : {}),
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
    const security = await createSecurity(config, logger);
    let databaseUrl = config.databaseUrl;
    if (databaseUrl === null) {
      const embedded = await startEmbeddedPostgres(`${config.dataDir}/pg`);
      cleanups.unshift(() => embedded.close());
      // The URL carries max=1: PGlite serves one connection (see embedded_postgres.ts).
      databaseUrl = embedded.url;
      logger.log("info", "embedded postgres started", { dataDir: config.dataDir });
    }
    const store = await Store.connect(
      databaseUrl,
      config.databaseUrl === null ? {} : { tls: config.databaseTls },
    );
    cleanups.unshift(() => store.close());
    await store.migrate();

    const bus: EventBus = mode === "kafka"
      ? new KafkaBus({
        brokers: config.kafkaBrokers,
        clientId: config.nodeId,
        sessionTimeoutMs: config.kafkaSessionTimeoutMs,
        security: config.kafkaSecurity,
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
          headers: letter.requestId ? { "x-request-id": letter.requestId } : undefined,
          partition: letter.key === null ? letter.partition % partitionCount : undefined,
        })),
      );
    // Bound once the recommender exists; the supervisor tells it of applied events.
    let offerWatch: OfferWatch | null = null;
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
      onApplied: (event) => offerWatch?.observe(event),
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

    registry.add(
      new Gauge(
        "engine_mailbox_depth",
        "Messages waiting in actor mailboxes",
        (g) => g.set(supervisor.mailboxDepth()),
      ),
    );
    // Consumer lag per owned partition: the log's end minus what the actors consumed, polled every 5 s.
    const lag = new Map<number, number>();
    registry.add(
      new Gauge(
        "engine_consumer_lag",
        "Records on the events topic not yet applied, per owned partition",
        (g) => {
          g.reset();
          for (const [partition, value] of lag) g.set(value, { partition });
        },
      ),
    );
    const lagTimer = setInterval(() => {
      bus.endOffsets(TOPICS.events).then((ends) => {
        const consumed = new Map(
          supervisor.offsets().map((entry) => [entry.partition, entry.consumed ?? entry.durable]),
        );
        lag.clear();
        for (const partition of ownership.owned().keys()) {
          const end = ends.get(partition);
          if (end !== undefined) lag.set(partition, Math.max(0, end - (consumed.get(partition) ?? 0)));
        }
      }).catch(() => {});
    }, 5_000);

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

    const retrieval = await startRetrieval(config, store.sql, logger);
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
    if (retrieval !== null) {
      jobs.add({
        name: "catalog.reindex",
        description: "Full reindex: embed every catalog item again with the on-device model",
        everyMs: 24 * 60 * 60_000,
        jitterMs: 60 * 60_000,
        run: async () => ({ items: await retrieval.reindex() }),
      });
    }
    jobs.add({
      name: "pii.rotate",
      description:
        "Re-encrypt personal data under the current PII key (and seal rows written before encryption)",
      everyMs: 24 * 60 * 60_000,
      jitterMs: 60 * 60_000,
      firstRunAfterMs: 30_000,
      run: async (progress, signal) => ({
        ...(await rotatePii(store.sql, security.vault, { progress, signal })),
      }),
    });
    registry.add(
      new Gauge(
        "engine_erased_events_dropped",
        "Events of erased users dropped because they predate the erasure",
        (g) => g.set(supervisor.erasedEventsDropped),
      ),
    );
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

    const ingest = async (events: UserEvent[], rejected: Rejected[], requestId?: string) => {
      // The request id travels as a Kafka header, so the consumer side (dead letters) can be traced to it.
      const headers = requestId ? { "x-request-id": requestId } : undefined;
      await bus.produce(
        TOPICS.events,
        events.map((event) => {
          const { tsMs: _tsMs, ...wire } = event;
          return {
            key: event.userId,
            value: JSON.stringify(wire),
            partition: partitionFor(event.userId, partitionCount),
            headers,
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
              value: deadLetterValue({
                reason: item.reason,
                key: null,
                value,
                nodeId: config.nodeId,
                requestId,
              }),
              headers,
            };
          }),
        );
      }
    };

    const llmSettings = resolveLlmSettings(config.llm);
    const llmMetrics = new LlmMetrics();
    llmMetrics.register(registry);
    const explainer = Explainer.fromSettings(llmSettings.ok ? llmSettings.settings : null, {
      metrics: llmMetrics,
    });
    const offerExplainer = new OfferExplainer({
      explainer,
      llmConfigured: llmSettings.ok && llmSettings.settings !== null,
      logger,
      now: Date.now,
    });
    const recommender = new Recommender({
      supervisor,
      models,
      explainer: offerExplainer,
      now: Date.now,
      registry,
      experiment: config.experiment,
    });
    const notifications = new NotificationHub({ sql: store.sql, bus, logger });
    offerWatch = new OfferWatch({ supervisor, recommender, hub: notifications, logger, now: Date.now });
    const watch = offerWatch;
    registry.add(
      new Gauge(
        "engine_notifications_published",
        "Offers pushed as notifications by this node",
        (g) => g.set(watch.pushed),
      ),
    );
    registry.add(
      new Gauge(
        "engine_notification_streams",
        "Open notification SSE streams",
        (g) => g.set(notifications.streams),
      ),
    );
    registry.add(
      new Gauge(
        "engine_offer_watch_dropped",
        "Users dropped from a full offer-watch queue",
        (g) => g.set(watch.dropped),
      ),
    );
    const chat = new ChatService({
      supervisor,
      recommender,
      explainer: offerExplainer,
      retrieval,
      sql: store.sql,
      vault: security.vault,
      logger,
      now: Date.now,
      registry,
    });
    const userTokens = security.userTokens;

    // Kafka request/reply; the in-process log of the embedded default has no outside clients to ask.
    let requestConsumer: Consumer | null = null;
    if (mode === "kafka") {
      const requestGroup = `${config.kafkaGroupId}.requests`;
      const requests = new RequestHandler({
        bus,
        logger,
        nodeId: config.nodeId,
        answer: (userId, request) => answerRequest(userId, request),
      });
      registry.add(
        new Gauge("engine_kafka_requests", "Kafka requests by outcome", (g) => {
          g.set(requests.handled, { outcome: "answered" });
          g.set(requests.failed, { outcome: "failed" });
          g.set(requests.unanswerable, { outcome: "no_reply_to" });
        }),
      );
      requestConsumer = await bus.consume({
        topic: TOPICS.requests,
        groupId: requestGroup,
        handlers: {
          onAssignment: async () => {},
          onBatch: async (partition, records) => {
            await requests.handleBatch(records);
            await bus.commit(TOPICS.requests, requestGroup, partition, records[records.length - 1].offset + 1)
              .catch(() => {});
          },
        },
      });
    }
    const answerRequest = async (userId: string, request: EngineRequest): Promise<unknown> => {
      for (let attempt = 0; attempt < 5; attempt++) {
        const route = await router.route(userId);
        if (route.local && await ownership.ensureOwned(route.partition)) {
          if (request.type === "recommend") {
            const result = await recommender.recommend(userId, {
              k: request.k,
              lang: request.lang,
              strategy: recommender.defaultStrategy(userId),
              record: true,
            });
            if (!result.ok) throw new Error(result.reason);
            return result.value;
          }
          const reply: Record<string, unknown> = {};
          let text = "";
          for await (
            const event of chat.turn(userId, {
              message: request.message,
              sessionId: request.sessionId,
              lang: request.lang,
            })
          ) {
            if (event.type === "delta") text += event.data.text;
            else Object.assign(reply, event.data);
          }
          return { ...reply, text };
        }
        if (!route.local && route.url !== null) {
          const headers = {
            authorization: `Bearer ${config.adminToken}`,
            "x-engine-forwarded-by": config.nodeId,
            [FORWARD_PROOF_HEADER]: forwardProof(config.adminToken),
          };
          const response = request.type === "recommend"
            ? await fetch(
              `${route.url}/v1/users/${
                encodeURIComponent(userId)
              }/recommendations?k=${request.k}&lang=${request.lang}`,
              { headers, signal: AbortSignal.timeout(10_000) },
            )
            : await fetch(`${route.url}/v1/chat?userId=${encodeURIComponent(userId)}`, {
              method: "POST",
              headers: { ...headers, "content-type": "application/json" },
              body: JSON.stringify({
                message: request.message,
                sessionId: request.sessionId,
                lang: request.lang,
              }),
              signal: AbortSignal.timeout(15_000),
            });
          if (response.status !== 503) {
            const body = await response.json();
            if (!response.ok) throw new Error(String(body.error ?? `owner answered ${response.status}`));
            return body;
          }
          await response.body?.cancel();
        }
        router.invalidate();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
      throw new Error("the user's partition is moving between nodes; retry");
    };

    if (config.demoData) {
      await loadDemoDataIfEmpty({ store, bus, logger, partitionCount, vault: security.vault });
    }
    // Embed the catalog now rather than on the first retail question.
    const indexing = retrieval?.reindex().catch((error) =>
      logger.log("warn", "catalog index not built", { error: String(error) })
    );

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
      authMode: config.authMode,
      userTokens,
      vault: security.vault,
      pseudonyms: security.pseudonyms,
      privacyKeySources: security.keys.source,
      erasure: new UserErasure({
        supervisor,
        store,
        bus,
        partitionCount,
        logger,
        now: Date.now,
        forget: (userId) => recommender.forget(userId),
      }),
      rateLimiter: new RateLimiter({
        ...config.rateLimits,
        adminToken: () => config.adminToken,
        verify: (token, nowMs) => userTokens.verify(token, nowMs),
        now: Date.now,
      }),
      sql: store.sql,
      recommender,
      notifications,
      chat,
      eventLog: (userId, limit) => store.loadEventLog(userId, limit),
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
        security.stop();
        clearInterval(flushTimer);
        clearInterval(lagTimer);
        clearInterval(sweepTimer);
        await jobs.stop();
        await offerWatch?.stop();
        await indexing;
        await requestConsumer?.stop().catch(() => {});
        await offerExplainer.settle(5_000);
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
