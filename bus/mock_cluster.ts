/**
 * A real Kafka wire-protocol cluster for tests and local development:
 * librdkafka's mock cluster, opened with `Deno.dlopen`.
 *
 * @module
 */

const LIBRARY_PATHS = [
  Deno.env.get("LIBRDKAFKA_PATH"),
  "/usr/lib/x86_64-linux-gnu/librdkafka.so.1",
  "/usr/lib/aarch64-linux-gnu/librdkafka.so.1",
  "librdkafka.so.1",
].filter((path): path is string => Boolean(path));

const SYMBOLS = {
  rd_kafka_conf_new: { parameters: [], result: "pointer" },
  rd_kafka_conf_set: {
    parameters: ["pointer", "buffer", "buffer", "buffer", "usize"],
    result: "i32",
  },
  rd_kafka_new: {
    parameters: ["i32", "pointer", "buffer", "usize"],
    result: "pointer",
  },
  rd_kafka_destroy: { parameters: ["pointer"], result: "void" },
  rd_kafka_mock_cluster_new: {
    parameters: ["pointer", "i32"],
    result: "pointer",
  },
  rd_kafka_mock_cluster_destroy: { parameters: ["pointer"], result: "void" },
  rd_kafka_mock_cluster_bootstraps: {
    parameters: ["pointer"],
    result: "pointer",
  },
  rd_kafka_mock_topic_create: {
    parameters: ["pointer", "buffer", "i32", "i32"],
    result: "i32",
  },
  rd_kafka_mock_broker_set_down: {
    parameters: ["pointer", "i32"],
    result: "i32",
  },
  rd_kafka_mock_broker_set_up: {
    parameters: ["pointer", "i32"],
    result: "i32",
  },
  rd_kafka_err2str: { parameters: ["i32"], result: "pointer" },
} as const;

type Library = Deno.DynamicLibrary<typeof SYMBOLS>;

function openLibrary(): Library {
  const errors: string[] = [];
  for (const path of LIBRARY_PATHS) {
    try {
      return Deno.dlopen(path, SYMBOLS);
    } catch (error) {
      errors.push(`${path}: ${(error as Error).message}`);
    }
  }
  throw new Error(
    `Cannot open librdkafka (install the Debian package librdkafka1): ${errors.join("; ")}`,
  );
}

function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${text}\0`);
}

/** Options for {@linkcode MockKafkaCluster.start}. */
export interface MockKafkaClusterOptions {
  /** Number of brokers; ids are 1..brokers. Default 3. */
  brokers?: number;
  /** Topics to create, with their partition counts. */
  topics?: Record<string, number>;
}

/**
 * An in-process librdkafka mock cluster. It speaks the real Kafka protocol
 * (metadata, produce, fetch, consumer groups, offsets) on loopback ports and
 * lets tests set brokers down and up.
 */
export class MockKafkaCluster {
  #library: Library;
  #handle: Deno.PointerObject;
  #cluster: Deno.PointerObject;
  #closed = false;
  /** Broker count; broker ids run from 1 to this number. */
  readonly brokerCount: number;
  /** Comma-separated `host:port` list for client `brokers` settings. */
  readonly bootstrapServers: string;

  private constructor(
    library: Library,
    handle: Deno.PointerObject,
    cluster: Deno.PointerObject,
    brokerCount: number,
  ) {
    this.#library = library;
    this.#handle = handle;
    this.#cluster = cluster;
    this.brokerCount = brokerCount;
    const bootstraps = library.symbols.rd_kafka_mock_cluster_bootstraps(
      cluster,
    );
    if (bootstraps === null) {
      throw new Error("Mock cluster returned no bootstrap servers");
    }
    this.bootstrapServers = new Deno.UnsafePointerView(bootstraps).getCString();
  }

  /** Starts a cluster and creates the requested topics. */
  static start(options: MockKafkaClusterOptions = {}): MockKafkaCluster {
    const brokers = options.brokers ?? 3;
    const library = openLibrary();
    const symbols = library.symbols;
    const errorText = new Uint8Array(512);
    const conf = symbols.rd_kafka_conf_new();
    // The handle only hosts the mock cluster; keep it quiet.
    symbols.rd_kafka_conf_set(
      conf,
      cString("log_level"),
      cString("0"),
      errorText,
      512n,
    );
    const handle = symbols.rd_kafka_new(0, conf, errorText, 512n);
    if (handle === null) {
      library.close();
      throw new Error(
        `rd_kafka_new failed: ${new TextDecoder().decode(errorText).split("\0")[0]}`,
      );
    }
    const cluster = symbols.rd_kafka_mock_cluster_new(handle, brokers);
    if (cluster === null) {
      symbols.rd_kafka_destroy(handle);
      library.close();
      throw new Error("rd_kafka_mock_cluster_new failed");
    }
    const mock = new MockKafkaCluster(library, handle, cluster, brokers);
    for (const [topic, partitions] of Object.entries(options.topics ?? {})) {
      mock.createTopic(topic, partitions);
    }
    return mock;
  }

  /** Creates a topic; the mock cluster replicates it on up to 3 brokers. */
  createTopic(topic: string, partitions: number): void {
    const replication = Math.min(3, this.brokerCount);
    const code = this.#library.symbols.rd_kafka_mock_topic_create(
      this.#cluster,
      cString(topic),
      partitions,
      replication,
    );
    this.#check(code, `create topic ${topic}`);
  }

  /** Makes a broker refuse connections, as if it had crashed. */
  setBrokerDown(brokerId: number): void {
    this.#check(
      this.#library.symbols.rd_kafka_mock_broker_set_down(
        this.#cluster,
        brokerId,
      ),
      `set broker ${brokerId} down`,
    );
  }

  /** Brings a broker set down by {@linkcode setBrokerDown} back. */
  setBrokerUp(brokerId: number): void {
    this.#check(
      this.#library.symbols.rd_kafka_mock_broker_set_up(
        this.#cluster,
        brokerId,
      ),
      `set broker ${brokerId} up`,
    );
  }

  /** Stops every broker and releases the library. */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#library.symbols.rd_kafka_mock_cluster_destroy(this.#cluster);
    this.#library.symbols.rd_kafka_destroy(this.#handle);
    this.#library.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }

  #check(code: number, what: string): void {
    if (code === 0) return;
    const text = this.#library.symbols.rd_kafka_err2str(code);
    const reason = text === null ? `code ${code}` : new Deno.UnsafePointerView(text).getCString();
    throw new Error(`Mock Kafka cannot ${what}: ${reason}`);
  }
}
