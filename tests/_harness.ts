/**
 * Integration-test harness: a 3-broker librdkafka mock cluster opened through
 * FFI, a fresh database on the real Postgres, and engine nodes started as
 * subprocesses exactly as `deno task start` starts them.
 *
 * @module
 */

import { Kafka, logLevel, type Producer } from "kafkajs";
import { TOPICS } from "../bus/bus.ts";
import { MockKafkaCluster } from "../bus/mock_cluster.ts";
import { createTestDatabase } from "../store/_test_database.ts";

/** Token every test engine uses for admin and ingest. */
export const ADMIN_TOKEN = "test-admin-token-0123456789";
const ROOT = new URL("..", import.meta.url).pathname;

/** A free TCP port on loopback. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** Waits until `check` resolves true, polling every `intervalMs`. */
export async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  { timeoutMs = 30_000, intervalMs = 100 } = {},
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown = null;
  while (Date.now() < deadline) {
    try {
      if (await check()) return;
    } catch (error) {
      lastError = error;
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  throw new Error(`Timed out waiting for ${what}${lastError ? `: ${lastError}` : ""}`);
}

/** One record read back from a topic. */
export interface TopicRecord {
  key: string | null;
  value: string;
  headers: Record<string, string>;
}

/** Reads until `done` holds for what `read` answers (every 100 ms, for up to 20 s); returns that answer. */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  what: string,
): Promise<T> {
  const deadline = performance.now() + 20_000;
  while (true) {
    const value = await read();
    if (done(value)) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** One engine subprocess. */
export class EngineNode {
  readonly url: string;
  #process: Deno.ChildProcess;
  #logs: string[] = [];
  #exited: Promise<Deno.CommandStatus>;
  #pump: Promise<void>;

  constructor(readonly nodeId: string, readonly port: number, env: Record<string, string>) {
    this.url = `http://127.0.0.1:${port}`;
    this.#process = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", "main.ts"],
      cwd: ROOT,
      env: {
        PORT: String(port),
        HOST: "127.0.0.1",
        NODE_ID: nodeId,
        ADMIN_TOKEN,
        LOG_LEVEL: "info",
        ...env,
      },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#exited = this.#process.status;
    const collect = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.#logs.push(chunk);
        if (this.#logs.length > 2_000) this.#logs.splice(0, 1_000);
      }
    };
    this.#pump = Promise.all([collect(this.#process.stdout), collect(this.#process.stderr)]).then(() => {});
  }

  /** Resolves when the process exits, however that happens. */
  get exited(): Promise<Deno.CommandStatus> {
    return this.#exited;
  }

  /** Everything the node printed so far. */
  logs(): string {
    return this.#logs.join("");
  }

  /** A fetch against this node with the admin token. */
  request(path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (!headers.has("authorization")) headers.set("authorization", `Bearer ${ADMIN_TOKEN}`);
    return fetch(this.url + path, { ...init, headers, signal: init.signal ?? AbortSignal.timeout(10_000) });
  }

  /**
   * A request returning parsed JSON, throwing on a non-2xx status. Like a real
   * client it honours `503` + `Retry-After` (a partition moving between nodes)
   * for up to 20 s.
   */
  async json<T = Record<string, unknown>>(path: string, init?: RequestInit): Promise<T> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      const response = await this.request(path, init);
      const body = await response.text();
      if (response.status === 503 && response.headers.has("retry-after") && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 250));
        continue;
      }
      if (!response.ok) throw new Error(`${path} answered ${response.status}: ${body}`);
      return JSON.parse(body) as T;
    }
  }

  /** Resolves once `/readyz` answers 200. */
  async ready(timeoutMs = 60_000): Promise<void> {
    await waitFor(`${this.nodeId} ready`, async () => {
      const response = await this.request("/readyz");
      await response.body?.cancel();
      return response.status === 200;
    }, { timeoutMs, intervalMs: 200 }).catch((error) => {
      throw new Error(`${error.message}\n--- ${this.nodeId} logs ---\n${this.logs()}`);
    });
  }

  /** Sends a signal (SIGKILL is `kill -9`) and waits for the exit. */
  async kill(signal: Deno.Signal = "SIGTERM"): Promise<Deno.CommandStatus> {
    try {
      this.#process.kill(signal);
    } catch {
      // Already exited.
    }
    const status = await this.#exited;
    await this.#pump;
    return status;
  }
}

/** A Kafka cluster, a database and helpers to produce and read topics. */
export class Cluster {
  #nodes: EngineNode[] = [];
  #producer: Producer | null = null;
  readonly kafka: Kafka;

  private constructor(
    readonly mock: MockKafkaCluster,
    readonly databaseUrl: string,
    readonly dropDatabase: () => Promise<void>,
    readonly partitions: number,
  ) {
    this.kafka = new Kafka({
      clientId: "test",
      brokers: mock.bootstrapServers.split(","),
      logLevel: logLevel.NOTHING,
      retry: { retries: 10, initialRetryTime: 100, maxRetryTime: 1_000 },
    });
  }

  /** Starts the mock cluster (3 brokers) with the engine's topics and a fresh database. */
  static async start(options: { partitions?: number; brokers?: number } = {}): Promise<Cluster> {
    const partitions = options.partitions ?? 6;
    const mock = MockKafkaCluster.start({
      brokers: options.brokers ?? 3,
      topics: Object.fromEntries(Object.values(TOPICS).map((topic) => [topic, partitions])),
    });
    const database = await createTestDatabase();
    return new Cluster(mock, database.url, database.drop, partitions);
  }

  /** Starts an engine node in Kafka mode against this cluster. */
  async startNode(nodeId: string, env: Record<string, string> = {}, port = freePort()): Promise<EngineNode> {
    const node = new EngineNode(nodeId, port, {
      KAFKA_BROKERS: this.mock.bootstrapServers,
      DATABASE_URL: this.databaseUrl,
      KAFKA_SESSION_TIMEOUT_MS: "6000",
      FLUSH_INTERVAL_MS: "200",
      ...env,
    });
    this.#nodes.push(node);
    await node.ready();
    return node;
  }

  /**
   * Produces raw records to a topic, keyed as given. Like a real producer it
   * retries until the cluster takes them (for up to 60 s), so a retry after a
   * partial failure may append some records twice: the engine's eventId
   * idempotency has to absorb that.
   */
  async produce(
    topic: string,
    records: { key: string | null; value: string; headers?: Record<string, string> }[],
  ): Promise<void> {
    if (!this.#producer) {
      this.#producer = this.kafka.producer();
      await this.#producer.connect();
    }
    const deadline = Date.now() + 60_000;
    for (;;) {
      try {
        await this.#producer.send({ topic, acks: -1, messages: records });
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    }
  }

  /** Reads every record of a topic from the beginning until `count` arrived; throws when they did not. */
  async readTopic(topic: string, count: number, timeoutMs = 20_000): Promise<TopicRecord[]> {
    const seen = await this.readTopicUntil(topic, (records) => records.length >= count, timeoutMs);
    if (seen.length < count) {
      throw new Error(`Timed out waiting for ${count} records on ${topic}: ${seen.length} arrived`);
    }
    return seen;
  }

  /**
   * Reads a topic from the beginning until `done` holds for what arrived, or `timeoutMs` passed; returns
   * what it read either way (the caller judges an incomplete read).
   */
  async readTopicUntil(
    topic: string,
    done: (seen: TopicRecord[]) => boolean,
    timeoutMs: number,
  ): Promise<TopicRecord[]> {
    const consumer = this.kafka.consumer({ groupId: `reader-${crypto.randomUUID()}` });
    const seen: TopicRecord[] = [];
    await consumer.connect();
    try {
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({
        eachMessage: ({ message }) => {
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(message.headers ?? {})) {
            if (value !== undefined) headers[name] = String(value);
          }
          seen.push({
            key: message.key?.toString() ?? null,
            value: message.value?.toString() ?? "",
            headers,
          });
          return Promise.resolve();
        },
      });
      await waitFor(`the records on ${topic}`, () => done(seen), { timeoutMs }).catch(() => {});
      return seen;
    } finally {
      await consumer.disconnect();
    }
  }

  /** Stops every node, the producer, the brokers and drops the database. */
  async close(): Promise<void> {
    await Promise.all(this.#nodes.map((node) => node.kill("SIGTERM")));
    await this.#producer?.disconnect();
    this.mock.close();
    await this.dropDatabase();
  }
}

/** A valid event with sensible defaults. */
export function makeEvent(userId: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    eventId: crypto.randomUUID(),
    userId,
    type: "order",
    ts: new Date(Date.now() - 60_000).toISOString(),
    context: { channel: "mobile", location: "msk" },
    item: { id: "sku-1", category: "dairy", brand: "brand-a", price: 120 },
    ...overrides,
  };
}
