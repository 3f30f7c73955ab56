/**
 * An HTTP load generator, run as its own process so its work does not share
 * the measured server's event loop: `K` keep-alive connections, each a loop
 * that sends one request, waits for the whole response and sends the next,
 * cycling through a list of requests for a fixed time. It reads a
 * {@linkcode LoadRequest} as JSON on stdin and prints a {@linkcode LoadReport}
 * as JSON on stdout.
 *
 * Two clients: `raw` writes pre-encoded HTTP/1.1 requests on `Deno.connect`
 * sockets and parses the status line, `Content-Length` or chunked framing
 * itself (a few microseconds per request, so a fast server is not measured
 * through a slow client); `fetch` uses `fetch()` with its keep-alive pool.
 *
 * @module
 */

import { cpuSeconds } from "./_server_process.ts";
import { type LatencySummary, round, summarize } from "./_stats.ts";

/** One request in the cycle. */
export interface LoadTarget {
  /** Path and query, e.g. `/v1/users/b-000001/recommendations?k=3`. */
  path: string;
  headers?: Record<string, string>;
}

/** What the generator is asked to do. */
export interface LoadRequest {
  /** `http://host:port` of the server. */
  base: string;
  targets: LoadTarget[];
  /** Concurrent connections (one request in flight on each). */
  connections: number;
  /** Requests in this window are sent but not counted. */
  warmupMs: number;
  durationMs: number;
  /** Default `raw`. */
  client?: "raw" | "fetch";
}

/** What the generator prints. */
export interface LoadReport {
  client: "raw" | "fetch";
  connections: number;
  seconds: number;
  requests: number;
  perSecond: number;
  latencyMs: LatencySummary;
  /** Non-2xx answers by status, and `network` for failed connections or requests. */
  errors: Record<string, number>;
  meanResponseBytes: number;
  /** CPU cores the generator itself used while measuring (near 1 means it may be the bottleneck). */
  clientCpu: number;
}

const encoder = new TextEncoder();
const latin1 = new TextDecoder("latin1");
const CR = 13;
const LF = 10;

/** One keep-alive HTTP/1.1 connection with a hand-rolled response parser. */
class RawConnection {
  #conn: Deno.TcpConn;
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  static async open(hostname: string, port: number): Promise<RawConnection> {
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    return new RawConnection(conn);
  }

  close(): void {
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
  }

  /** Sends one request and reads its whole response. */
  async exchange(request: Uint8Array): Promise<{ status: number; bodyBytes: number; close: boolean }> {
    let written = 0;
    while (written < request.length) written += await this.#conn.write(request.subarray(written));
    const headerEnd = await this.#until(() => this.#find4());
    const head = latin1.decode(this.#buffer.subarray(this.#start, headerEnd));
    this.#start = headerEnd + 4;
    const status = Number(head.slice(9, 12));
    const close = /\r\nconnection:\s*close/i.test(head);
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (length) {
      const bytes = Number(length[1]);
      await this.#until(() => this.#end - this.#start >= bytes ? 0 : -1);
      this.#start += bytes;
      return { status, bodyBytes: bytes, close };
    }
    if (!/\r\ntransfer-encoding:\s*chunked/i.test(head)) throw new Error("response without length framing");
    let bodyBytes = 0;
    for (;;) {
      const lineEnd = await this.#until(() => this.#findCrlf());
      const size = parseInt(latin1.decode(this.#buffer.subarray(this.#start, lineEnd)), 16);
      if (!Number.isFinite(size)) throw new Error("bad chunk size");
      this.#start = lineEnd + 2;
      await this.#until(() => this.#end - this.#start >= size + 2 ? 0 : -1);
      this.#start += size + 2;
      bodyBytes += size;
      if (size === 0) return { status, bodyBytes, close };
    }
  }

  /** Reads until `found()` is not -1 and returns its value. */
  async #until(found: () => number): Promise<number> {
    for (;;) {
      const at = found();
      if (at !== -1) return at;
      if (this.#start === this.#end) this.#start = this.#end = 0;
      if (this.#end === this.#buffer.length) {
        const live = this.#buffer.subarray(this.#start, this.#end);
        const grown = new Uint8Array(Math.max(this.#buffer.length, live.length * 2));
        grown.set(live);
        this.#buffer = grown;
        this.#end = live.length;
        this.#start = 0;
      }
      const read = await this.#conn.read(this.#buffer.subarray(this.#end));
      if (read === null) throw new Error("connection closed by the server");
      this.#end += read;
    }
  }

  #find4(): number {
    const buffer = this.#buffer;
    for (let i = this.#start; i + 3 < this.#end; i++) {
      if (buffer[i] === CR && buffer[i + 1] === LF && buffer[i + 2] === CR && buffer[i + 3] === LF) return i;
    }
    return -1;
  }

  #findCrlf(): number {
    const buffer = this.#buffer;
    for (let i = this.#start; i + 1 < this.#end; i++) {
      if (buffer[i] === CR && buffer[i + 1] === LF) return i;
    }
    return -1;
  }
}

/** Runs the load and returns the report. */
export async function runLoad(request: LoadRequest): Promise<LoadReport> {
  if (request.targets.length === 0) throw new RangeError("no targets");
  const client = request.client ?? "raw";
  const base = new URL(request.base);
  const hostname = base.hostname;
  const port = Number(base.port || 80);
  const encoded = request.targets.map((target) => {
    const lines = [`GET ${target.path} HTTP/1.1`, `host: ${base.host}`];
    for (const [name, value] of Object.entries(target.headers ?? {})) lines.push(`${name}: ${value}`);
    return encoder.encode(lines.join("\r\n") + "\r\n\r\n");
  });
  const urls = request.targets.map((target) => new URL(target.path, base).toString());
  const headers = request.targets.map((target) => new Headers(target.headers ?? {}));

  const started = performance.now();
  const measureFrom = started + request.warmupMs;
  const measureTo = measureFrom + request.durationMs;
  const latencies: number[] = [];
  const errors: Record<string, number> = {};
  let bodyBytes = 0;
  const count = (key: string) => errors[key] = (errors[key] ?? 0) + 1;
  const record = (sent: number, status: number, bytes: number) => {
    const done = performance.now();
    if (sent < measureFrom || done > measureTo) return;
    latencies.push(done - sent);
    bodyBytes += bytes;
    if (status < 200 || status > 299) count(String(status));
  };

  const rawLoop = async (index: number) => {
    let connection: RawConnection | null = null;
    let next = (index * 7919) % encoded.length;
    try {
      while (performance.now() < measureTo) {
        const target = encoded[next];
        next = (next + 1) % encoded.length;
        const sent = performance.now();
        try {
          connection ??= await RawConnection.open(hostname, port);
          const answer = await connection.exchange(target);
          record(sent, answer.status, answer.bodyBytes);
          if (answer.close) {
            connection.close();
            connection = null;
          }
        } catch {
          if (sent >= measureFrom) count("network");
          connection?.close();
          connection = null;
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
      }
    } finally {
      connection?.close();
    }
  };
  const httpClient = client === "fetch"
    ? Deno.createHttpClient({ poolMaxIdlePerHost: request.connections })
    : null;
  const fetchLoop = async (index: number) => {
    let next = (index * 7919) % urls.length;
    while (performance.now() < measureTo) {
      const at = next;
      next = (next + 1) % urls.length;
      const sent = performance.now();
      try {
        const response = await fetch(urls[at], { headers: headers[at], client: httpClient! });
        const body = await response.arrayBuffer();
        record(sent, response.status, body.byteLength);
      } catch {
        if (sent >= measureFrom) count("network");
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }
  };
  const loop = client === "raw" ? rawLoop : fetchLoop;
  let cpuAtStart = Number.NaN;
  const cpuTimer = setTimeout(() => cpuAtStart = cpuSeconds(Deno.pid), request.warmupMs);
  let cpuAtEnd = Number.NaN;
  try {
    await Promise.all(Array.from({ length: request.connections }, (_, i) => loop(i)));
    cpuAtEnd = cpuSeconds(Deno.pid);
  } finally {
    clearTimeout(cpuTimer);
    httpClient?.close();
  }
  const seconds = request.durationMs / 1000;
  return {
    client,
    connections: request.connections,
    seconds,
    requests: latencies.length,
    perSecond: Math.round(latencies.length / seconds),
    latencyMs: summarize(latencies),
    errors,
    meanResponseBytes: latencies.length === 0 ? 0 : round(bodyBytes / latencies.length, 0),
    clientCpu: round((cpuAtEnd - cpuAtStart) / seconds, 2),
  };
}

/**
 * Spawns this file as a separate process, hands it `request` on stdin and
 * returns its report. The child is killed if it outlives `durationMs` by far.
 */
export async function loadFromProcess(request: LoadRequest): Promise<LoadReport> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", new URL(import.meta.url).pathname],
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const timer = setTimeout(() => {
    try {
      child.kill("SIGKILL");
    } catch {
      // Already exited.
    }
  }, request.warmupMs + request.durationMs + 60_000);
  try {
    const writer = child.stdin.getWriter();
    await writer.write(encoder.encode(JSON.stringify(request)));
    await writer.close();
    const output = await child.output();
    if (!output.success) {
      throw new Error(`load generator failed: ${new TextDecoder().decode(output.stderr).slice(-2000)}`);
    }
    return JSON.parse(new TextDecoder().decode(output.stdout)) as LoadReport;
  } finally {
    clearTimeout(timer);
  }
}

if (import.meta.main) {
  const input = await new Response(Deno.stdin.readable).text();
  const report = await runLoad(JSON.parse(input) as LoadRequest);
  console.log(JSON.stringify(report));
}
