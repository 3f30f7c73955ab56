/**
 * The librdkafka mock cluster in a process of its own, as Kafka would run:
 * the chaos scenario sets its brokers down and up over the child's stdin, and
 * a crash of the mock (it has asserted inside librdkafka under group churn)
 * ends that process only, so the scenario can still report what happened.
 *
 * Run directly (`deno run --allow-all chaos/kafka_process.ts`) it is the child:
 * it prints `KAFKA_BROKERS=…`, then takes `down <broker>`, `up <broker>` and
 * `exit` lines, answering `ok` or `error <reason>` to each.
 *
 * @module
 */

import { TOPICS } from "../bus/bus.ts";
import { MockKafkaCluster } from "../bus/mock_cluster.ts";

/** The parent's handle on the child process. */
export class KafkaProcess {
  readonly bootstrapServers: string;
  #child: Deno.ChildProcess;
  #writer: WritableStreamDefaultWriter<Uint8Array>;
  #lines: AsyncIterator<string>;
  #stderr: string[] = [];
  #status: Promise<Deno.CommandStatus>;
  /** How the process ended (while it should have been running), or null. */
  exit: { at: number; code: number; signal: string | null; stderr: string } | null = null;
  #closing = false;

  private constructor(child: Deno.ChildProcess, bootstrapServers: string, lines: AsyncIterator<string>) {
    this.#child = child;
    this.bootstrapServers = bootstrapServers;
    this.#lines = lines;
    this.#writer = child.stdin.getWriter();
    void (async () => {
      for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
        this.#stderr.push(chunk);
        if (this.#stderr.length > 200) this.#stderr.splice(0, 100);
      }
    })().catch(() => {});
    this.#status = child.status.then((status) => {
      if (!this.#closing) {
        this.exit = {
          at: Date.now(),
          code: status.code,
          signal: status.signal,
          stderr: this.#stderr.join("").slice(-2_000),
        };
      }
      return status;
    });
  }

  /** Starts the child with `brokers` brokers and the engine's topics of `partitions` partitions. */
  static async start(options: { brokers: number; partitions: number }): Promise<KafkaProcess> {
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-all", new URL(import.meta.url).pathname],
      env: { MOCK_BROKERS: String(options.brokers), MOCK_PARTITIONS: String(options.partitions) },
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    const lines = child.stdout.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter())[
      Symbol.asyncIterator
    ]();
    const first = await lines.next();
    const match = first.done ? null : /^KAFKA_BROKERS=(.+)$/.exec(first.value);
    if (match === null) {
      child.kill("SIGKILL");
      await child.status;
      throw new Error(`The Kafka mock process did not start: ${first.done ? "no output" : first.value}`);
    }
    return new KafkaProcess(child, match[1], lines);
  }

  /** Makes a broker refuse connections, as if it had crashed. */
  setBrokerDown(broker: number): Promise<void> {
    return this.#command(`down ${broker}`);
  }

  /** Brings a broker back. */
  setBrokerUp(broker: number): Promise<void> {
    return this.#command(`up ${broker}`);
  }

  async #command(line: string): Promise<void> {
    if (this.exit !== null) throw new Error("The Kafka mock process has exited");
    await this.#writer.write(new TextEncoder().encode(`${line}\n`));
    const answer = await this.#lines.next();
    if (answer.done) throw new Error("The Kafka mock process has exited");
    if (answer.value !== "ok") throw new Error(`Kafka mock: ${answer.value}`);
  }

  /** Stops the child. */
  async close(): Promise<void> {
    this.#closing = true;
    await this.#writer.write(new TextEncoder().encode("exit\n")).catch(() => {});
    await this.#writer.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, 5_000);
    await this.#status;
    clearTimeout(timer);
  }
}

function lineSplitter(): TransformStream<string, string> {
  let buffer = "";
  return new TransformStream({
    transform(chunk, controller) {
      buffer += chunk;
      const parts = buffer.split("\n");
      buffer = parts.pop()!;
      for (const part of parts) controller.enqueue(part);
    },
    flush(controller) {
      if (buffer) controller.enqueue(buffer);
    },
  });
}

if (import.meta.main) {
  const cluster = MockKafkaCluster.start({
    brokers: Number(Deno.env.get("MOCK_BROKERS") ?? 3),
    topics: Object.fromEntries(
      Object.values(TOPICS).map((topic) => [topic, Number(Deno.env.get("MOCK_PARTITIONS") ?? 12)]),
    ),
  });
  console.log(`KAFKA_BROKERS=${cluster.bootstrapServers}`);
  for await (
    const line of Deno.stdin.readable.pipeThrough(new TextDecoderStream()).pipeThrough(lineSplitter())
  ) {
    const [command, argument] = line.trim().split(/\s+/);
    if (command === "exit") break;
    try {
      if (command === "down") cluster.setBrokerDown(Number(argument));
      else if (command === "up") cluster.setBrokerUp(Number(argument));
      else throw new Error(`unknown command ${JSON.stringify(command)}`);
      console.log("ok");
    } catch (error) {
      console.log(`error ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  cluster.close();
}
