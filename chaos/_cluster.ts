/**
 * The chaos scenario's cluster: a 3-broker librdkafka mock cluster (FFI), a
 * private Postgres server of its own (so it can be stopped without touching
 * the shared one), the fake OpenAI-compatible server, and engine nodes as
 * subprocesses started exactly as `deno task start` starts them.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import postgres from "postgres";
import { type FakeOpenAiServer, startFakeOpenAi } from "../llm/_fake_openai_server.ts";
import { reconnectBackoffSeconds } from "../store/_sql.ts";
import { EngineNode, freePort } from "../tests/_harness.ts";
import { KafkaProcess } from "./kafka_process.ts";
import { PrivatePostgres } from "./private_postgres.ts";

/** Settings of the engine nodes. */
export const NODE_ENV = {
  KAFKA_SESSION_TIMEOUT_MS: "6000",
  FLUSH_INTERVAL_MS: "200",
  LLM_MODEL: "qwen2.5-7b-instruct",
  LOG_LEVEL: "info",
  // Every probe request comes from this one address; the per-IP and per-user buckets still run on each.
  RATE_LIMIT_IP_PER_MIN: "10000000",
  RATE_LIMIT_USER_PER_MIN: "10000000",
} as const;

/** One incarnation of an engine node (a restart is a new incarnation with the same node id). */
export interface NodeHandle {
  nodeId: string;
  node: EngineNode;
  /** Position in {@linkcode ChaosCluster.handles}: tells incarnations of one node id apart. */
  incarnation: number;
  startedAt: number;
  /** When it first answered `/readyz`; null while it starts. */
  readyAt: number | null;
  /** When it was killed or stopped; null while it runs. */
  endedAt: number | null;
  /** How it ended: "killed", "exit 0", …; null while it runs. */
  exit: string | null;
}

const openClusters = new Set<ChaosCluster>();

/** Closes every cluster still open (for a run interrupted by a signal). */
export async function closeOpenClusters(): Promise<void> {
  await Promise.all([...openClusters].map((cluster) => cluster.close().catch(() => {})));
}

/** Everything the scenario runs against. */
export class ChaosCluster {
  readonly kafka: Kafka;
  readonly sql: postgres.Sql;
  #handles: NodeHandle[] = [];
  /** Told when a node's process ends although nobody stopped or killed it (a crash). */
  onUnexpectedExit: ((handle: NodeHandle, status: Deno.CommandStatus) => void) | null = null;

  private constructor(
    readonly mock: KafkaProcess,
    readonly database: PrivatePostgres,
    readonly llm: FakeOpenAiServer,
    readonly partitions: number,
  ) {
    this.kafka = new Kafka({
      clientId: "chaos",
      brokers: mock.bootstrapServers.split(","),
      logLevel: logLevel.NOTHING,
      retry: { retries: 5, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
    // The probes' own connection: short timeouts, so a stopped server shows as unreachable at once.
    this.sql = postgres(this.database.url, {
      max: 2,
      connect_timeout: 2,
      idle_timeout: 5,
      // The engine's own reconnect backoff: postgres.js's default grows to 20 s, so after the Postgres fault
      // the probe itself stayed blind for up to 20 s and the recovery it measured was its own.
      backoff: reconnectBackoffSeconds,
      onnotice: () => {},
    });
  }

  /** Starts the brokers, the private Postgres and the fake LLM. */
  static async start(options: { partitions: number }): Promise<ChaosCluster> {
    const database = await PrivatePostgres.start();
    let mock: KafkaProcess | null = null;
    try {
      mock = await KafkaProcess.start({ brokers: 3, partitions: options.partitions });
      const llm = startFakeOpenAi();
      const cluster = new ChaosCluster(mock, database, llm, options.partitions);
      openClusters.add(cluster);
      return cluster;
    } catch (error) {
      await mock?.close();
      await database.destroy();
      throw error;
    }
  }

  /** Every incarnation started so far, oldest first. */
  get handles(): readonly NodeHandle[] {
    return this.#handles;
  }

  /** The incarnations running now and ready for traffic. */
  live(): NodeHandle[] {
    return this.#handles.filter((handle) => handle.endedAt === null && handle.readyAt !== null);
  }

  /** The incarnations running now, ready or still starting. */
  running(): NodeHandle[] {
    return this.#handles.filter((handle) => handle.endedAt === null);
  }

  /** Starts an engine node and waits until it is ready (its partitions leased). */
  async startNode(nodeId: string): Promise<NodeHandle> {
    const node = new EngineNode(nodeId, freePort(), {
      KAFKA_BROKERS: this.mock.bootstrapServers,
      DATABASE_URL: this.database.url,
      LLM_BASE_URL: this.llm.baseUrl,
      ...NODE_ENV,
    });
    const handle: NodeHandle = {
      nodeId,
      node,
      incarnation: this.#handles.length,
      startedAt: Date.now(),
      readyAt: null,
      endedAt: null,
      exit: null,
    };
    this.#handles.push(handle);
    void node.exited.then((status) => {
      // A kill or a stop marks the handle first; anything else is the process ending on its own.
      if (handle.endedAt !== null) return;
      handle.endedAt = Date.now();
      handle.exit = `crashed: ${status.signal ? `signal ${status.signal}` : `exit ${status.code}`}`;
      this.onUnexpectedExit?.(handle, status);
    });
    try {
      await node.ready(90_000);
      handle.readyAt = Date.now();
    } catch (error) {
      handle.endedAt = Date.now();
      handle.exit = "failed to start";
      await node.kill("SIGKILL");
      throw error;
    }
    return handle;
  }

  /** `kill -9` of a running node. */
  async kill(handle: NodeHandle): Promise<void> {
    handle.endedAt = Date.now();
    handle.exit = "killed";
    const status = await handle.node.kill("SIGKILL");
    if (status.signal !== "SIGKILL") {
      throw new Error(`${handle.nodeId} exited before the kill: ${status.code}`);
    }
  }

  /** Stops every node gracefully (final flush), then the brokers, the LLM and Postgres. */
  async close(): Promise<void> {
    if (!openClusters.delete(this)) return;
    await this.stopNodes();
    await this.sql.end({ timeout: 2 }).catch(() => {});
    await this.mock.close();
    await this.llm.close();
    await this.database.destroy();
  }

  /** SIGTERM to every running node (a graceful stop flushes every dirty actor). */
  async stopNodes(): Promise<void> {
    await Promise.all(
      this.running().map(async (handle) => {
        handle.endedAt = Date.now();
        const status = await handle.node.kill("SIGTERM");
        handle.exit = status.signal ? `signal ${status.signal}` : `exit ${status.code}`;
      }),
    );
  }
}
