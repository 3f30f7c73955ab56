/**
 * A private, throwaway Postgres server for fault injection: `initdb` into a
 * temporary directory and `postgres` on a free loopback port with its socket
 * in that directory. The chaos scenario stops and starts this server; the
 * shared server on 5432 that every other test uses is never touched.
 *
 * As root, the server runs as the `postgres` user (Postgres refuses to run as
 * root), which then owns the directory. The binaries come from `PG_BIN`, else
 * the newest `/usr/lib/postgresql/<version>/bin`, else the `PATH`.
 *
 * @module
 */

import postgres from "postgres";

/** Options for {@linkcode PrivatePostgres.start}. */
export interface PrivatePostgresOptions {
  /** Directory of `initdb`, `postgres` and `pg_ctl` (default: found, see the module docs). */
  binDir?: string;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string | number>;
}

const ROOT_USER = "postgres";

function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

function findBinDir(): string {
  const configured = Deno.env.get("PG_BIN");
  if (configured) return configured;
  try {
    const versions = [...Deno.readDirSync("/usr/lib/postgresql")]
      .map((entry) => entry.name)
      .filter((name) => /^\d+$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
    for (const version of versions) {
      const dir = `/usr/lib/postgresql/${version}/bin`;
      try {
        Deno.statSync(`${dir}/postgres`);
        return dir;
      } catch {
        // Not a server package; try the next version.
      }
    }
  } catch {
    // No Debian layout; fall back to the PATH.
  }
  return "";
}

async function userIds(name: string): Promise<{ uid: number; gid: number }> {
  const output = await new Deno.Command("id", { args: ["-u", name], stdout: "piped", stderr: "null" })
    .output();
  const group = await new Deno.Command("id", { args: ["-g", name], stdout: "piped", stderr: "null" })
    .output();
  if (!output.success || !group.success) {
    throw new Error(`Running Postgres as root needs a "${name}" user to run it as`);
  }
  const decode = (bytes: Uint8Array) => Number(new TextDecoder().decode(bytes).trim());
  return { uid: decode(output.stdout), gid: decode(group.stdout) };
}

/** A Postgres server of its own, in a temporary directory. */
export class PrivatePostgres {
  readonly port: number;
  /** Superuser URL of the `postgres` database on this server. */
  readonly url: string;
  #dir: string;
  #binDir: string;
  #asUser: string | null;
  #settings: Record<string, string | number>;
  #process: Deno.ChildProcess | null = null;
  #log: string[] = [];
  #destroyed = false;

  private constructor(dir: string, binDir: string, asUser: string | null, options: PrivatePostgresOptions) {
    this.#dir = dir;
    this.#binDir = binDir;
    this.#asUser = asUser;
    this.#settings = options.settings ?? {};
    this.port = freePort();
    this.url = `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Creates the cluster with `initdb` and starts the server; resolves once it accepts queries. */
  static async start(options: PrivatePostgresOptions = {}): Promise<PrivatePostgres> {
    const binDir = options.binDir ?? findBinDir();
    const asUser = Deno.uid() === 0 ? ROOT_USER : null;
    const dir = await Deno.makeTempDir({ prefix: "private-pg-" });
    if (asUser !== null) {
      const { uid, gid } = await userIds(asUser);
      await Deno.chown(dir, uid, gid);
    }
    const server = new PrivatePostgres(dir, binDir, asUser, options);
    try {
      const init = await server.#run("initdb", [
        "-D",
        `${dir}/data`,
        "-U",
        "postgres",
        "-A",
        "trust",
        "-E",
        "UTF8",
        "--locale=C",
        "--no-sync",
      ]);
      if (!init.success) throw new Error(`initdb failed: ${init.text}`);
      await server.resume();
      return server;
    } catch (error) {
      await server.destroy();
      throw error;
    }
  }

  /** Whether the server process is running (it may still be starting or stopping). */
  get running(): boolean {
    return this.#process !== null;
  }

  /** The last lines the server printed. */
  logs(): string {
    return this.#log.join("");
  }

  /** Starts the server after {@linkcode stop}; resolves once it accepts queries. */
  async resume(timeoutMs = 30_000): Promise<void> {
    if (this.#destroyed) throw new Error("The server was destroyed");
    if (this.#process !== null) return;
    const settings: Record<string, string | number> = {
      listen_addresses: "127.0.0.1",
      port: this.port,
      unix_socket_directories: this.#dir,
      max_connections: 300,
      fsync: "off",
      // Commits stay synchronous: exactly-once relies on a commit being durable once acknowledged.
      synchronous_commit: "on",
      log_min_messages: "warning",
      ...this.#settings,
    };
    const args = ["-D", `${this.#dir}/data`];
    for (const [name, value] of Object.entries(settings)) args.push("-c", `${name}=${value}`);
    const command = this.#command("postgres", args);
    const child = new Deno.Command(command.program, {
      args: command.args,
      cwd: this.#dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).spawn();
    this.#process = child;
    const collect = async (stream: ReadableStream<Uint8Array>) => {
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        this.#log.push(chunk);
        if (this.#log.length > 400) this.#log.splice(0, 200);
      }
    };
    void Promise.all([collect(child.stdout), collect(child.stderr)]).catch(() => {});
    void child.status.then(() => {
      if (this.#process === child) this.#process = null;
    });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.#accepting()) return;
      if (this.#process === null) throw new Error(`Postgres exited at start:\n${this.logs()}`);
      if (Date.now() > deadline) {
        throw new Error(`Postgres did not start in ${timeoutMs} ms:\n${this.logs()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /**
   * Stops the server the way an operator or a crash would: `fast` (`pg_ctl
   * stop -m fast`: clients are disconnected, the data stays consistent) or
   * `immediate` (no checkpoint; the next start runs crash recovery).
   */
  async stop(mode: "fast" | "immediate" = "fast"): Promise<void> {
    const child = this.#process;
    if (child === null) return;
    const result = await this.#run("pg_ctl", [
      "stop",
      "-D",
      `${this.#dir}/data`,
      "-m",
      mode,
      "-w",
      "-t",
      "30",
    ]);
    if (!result.success) {
      // pg_ctl could not do it (no pid file yet); the process is ours to end.
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }
    await child.status;
    this.#process = null;
  }

  /** Stops the server if it runs and removes its directory. Safe to call more than once. */
  async destroy(): Promise<void> {
    if (this.#destroyed) return;
    this.#destroyed = true;
    await this.stop("immediate").catch(() => {});
    await Deno.remove(this.#dir, { recursive: true }).catch(() => {});
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.destroy();
  }

  async #accepting(): Promise<boolean> {
    const sql = postgres(this.url, { max: 1, connect_timeout: 2, idle_timeout: 1, onnotice: () => {} });
    try {
      await sql`select 1`;
      return true;
    } catch {
      return false;
    } finally {
      await sql.end({ timeout: 1 }).catch(() => {});
    }
  }

  #command(binary: string, args: string[]): { program: string; args: string[] } {
    const program = this.#binDir ? `${this.#binDir}/${binary}` : binary;
    if (this.#asUser === null) return { program, args };
    return { program: "runuser", args: ["-u", this.#asUser, "--", program, ...args] };
  }

  async #run(binary: string, args: string[]): Promise<{ success: boolean; text: string }> {
    const command = this.#command(binary, args);
    const output = await new Deno.Command(command.program, {
      args: command.args,
      cwd: this.#dir,
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    const decoder = new TextDecoder();
    return { success: output.success, text: decoder.decode(output.stdout) + decoder.decode(output.stderr) };
  }
}
