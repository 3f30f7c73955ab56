/**
 * Servers the serving benchmarks measure, each in its own process: output is
 * drained into a bounded log, CPU time is read from `/proc`, and `stop()`
 * sends SIGTERM, then SIGKILL if the process lingers.
 *
 * @module
 */

import type { BaselineKind } from "./_baseline_server.ts";

const ROOT = new URL("..", import.meta.url).pathname;
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system, all threads) a process has used so far, or NaN off Linux. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name, which is in parentheses and may hold spaces.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return Number.NaN;
  }
}

/** A free TCP port on loopback. */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/** One server child process. */
export class ServerProcess {
  readonly name: string;
  #child: Deno.ChildProcess;
  #lines: string[] = [];
  #pump: Promise<void>;
  #exited: Promise<Deno.CommandStatus>;
  #exitCode: number | null = null;
  #listeners: ((line: string) => void)[] = [];

  constructor(name: string, args: string[], env: Record<string, string>) {
    this.name = name;
    this.#child = new Deno.Command(Deno.execPath(), {
      args,
      cwd: ROOT,
      env,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#exited = this.#child.status.then((status) => {
      this.#exitCode = status.code;
      return status;
    });
    const collect = async (stream: ReadableStream<Uint8Array>) => {
      let partial = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        const lines = (partial + chunk).split("\n");
        partial = lines.pop()!;
        for (const line of lines) {
          this.#lines.push(line);
          for (const listener of this.#listeners) listener(line);
        }
        if (this.#lines.length > 2_000) this.#lines.splice(0, 1_000);
      }
      if (partial) this.#lines.push(partial);
    };
    this.#pump = Promise.all([collect(this.#child.stdout), collect(this.#child.stderr)]).then(() => {});
  }

  /** The process id. */
  get pid(): number {
    return this.#child.pid;
  }

  /** CPU seconds used so far. */
  cpuSeconds(): number {
    return cpuSeconds(this.pid);
  }

  /** The last lines it printed. */
  logs(lines = 60): string {
    return this.#lines.slice(-lines).join("\n");
  }

  /** Resolves with the first printed line `match` maps to a value; fails if the process exits first. */
  waitForLine<T>(match: (line: string) => T | undefined, timeoutMs: number): Promise<T> {
    const found = Promise.withResolvers<T>();
    const check = (line: string) => {
      const value = match(line);
      if (value !== undefined) found.resolve(value);
    };
    for (const line of this.#lines) check(line);
    this.#listeners.push(check);
    const timer = setTimeout(
      () => found.reject(new Error(`${this.name}: timed out\n${this.logs()}`)),
      timeoutMs,
    );
    void this.#exited.then((status) =>
      found.reject(new Error(`${this.name} exited with ${status.code}\n${this.logs()}`))
    );
    return found.promise.finally(() => {
      clearTimeout(timer);
      this.#listeners = this.#listeners.filter((listener) => listener !== check);
    });
  }

  /** Throws when the process has exited. */
  assertRunning(): void {
    if (this.#exitCode !== null) {
      throw new Error(`${this.name} exited with ${this.#exitCode}\n${this.logs()}`);
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process and its output are done. */
  async stop(graceMs = 10_000): Promise<void> {
    const signal = (name: Deno.Signal) => {
      try {
        this.#child.kill(name);
      } catch {
        // Already exited.
      }
    };
    if (this.#exitCode === null) signal("SIGTERM");
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([this.#exited, new Promise((resolve) => timer = setTimeout(resolve, graceMs))]);
    clearTimeout(timer);
    if (this.#exitCode === null) signal("SIGKILL");
    await this.#exited;
    await this.#pump;
  }
}

/** A baseline server ({@linkcode BaselineKind}) and its URL. */
export async function startBaseline(
  kind: BaselineKind,
  env: Record<string, string> = {},
): Promise<{ process: ServerProcess; url: string }> {
  const process = new ServerProcess(`baseline ${kind}`, [
    "run",
    "--allow-all",
    "bench/_baseline_server.ts",
    kind,
  ], env);
  try {
    const port = await process.waitForLine((line) => {
      try {
        const parsed = JSON.parse(line) as { port?: unknown };
        return typeof parsed.port === "number" ? parsed.port : undefined;
      } catch {
        return undefined;
      }
    }, 60_000);
    return { process, url: `http://127.0.0.1:${port}` };
  } catch (error) {
    await process.stop(1_000);
    throw error;
  }
}
