/**
 * A minimal Redis client for the serving benchmark (no Redis package is
 * pinned): one TCP connection speaking RESP2, commands pipelined, replies
 * matched to callers in order.
 *
 * @module
 */

/** A decoded RESP reply. */
export type RespValue = string | number | null | RespValue[];

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** An error reply from the server. */
export class RespError extends Error {
  override name = "RespError";
}

/** One pipelined connection. */
export class RespClient {
  #conn: Deno.TcpConn;
  #pending: { resolve: (value: RespValue) => void; reject: (error: Error) => void }[] = [];
  #outgoing: Uint8Array[] = [];
  #writing = false;
  #buffer = new Uint8Array(64 * 1024);
  #start = 0;
  #end = 0;
  #closed = false;
  #reader: Promise<void>;

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
    this.#reader = this.#readLoop();
  }

  /** Connects to `hostname:port`. */
  static async connect(hostname = "127.0.0.1", port = 6379): Promise<RespClient> {
    const conn = await Deno.connect({ hostname, port });
    conn.setNoDelay(true);
    return new RespClient(conn);
  }

  /** Sends one command; resolves with its reply, rejects with {@linkcode RespError} on an error reply. */
  command(...args: (string | Uint8Array)[]): Promise<RespValue> {
    if (this.#closed) return Promise.reject(new Error("connection closed"));
    const parts = args.map((arg) => typeof arg === "string" ? encoder.encode(arg) : arg);
    let text = `*${parts.length}\r\n`;
    const chunks: Uint8Array[] = [];
    for (const part of parts) {
      chunks.push(encoder.encode(`${text}$${part.length}\r\n`), part);
      text = "\r\n";
    }
    chunks.push(encoder.encode("\r\n"));
    const reply = Promise.withResolvers<RespValue>();
    this.#pending.push(reply);
    this.#outgoing.push(...chunks);
    if (!this.#writing) void this.#flush();
    return reply.promise;
  }

  /** Closes the connection; pending commands fail. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#conn.close();
    } catch {
      // Already closed.
    }
    await this.#reader;
  }

  async #flush(): Promise<void> {
    this.#writing = true;
    try {
      while (this.#outgoing.length > 0) {
        const chunks = this.#outgoing.splice(0);
        let size = 0;
        for (const chunk of chunks) size += chunk.length;
        const joined = new Uint8Array(size);
        let at = 0;
        for (const chunk of chunks) {
          joined.set(chunk, at);
          at += chunk.length;
        }
        for (let written = 0; written < joined.length;) {
          written += await this.#conn.write(joined.subarray(written));
        }
      }
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    } finally {
      this.#writing = false;
    }
  }

  async #readLoop(): Promise<void> {
    try {
      for (;;) {
        for (;;) {
          const parsed = this.#parse(this.#start);
          if (parsed === null) break;
          this.#start = parsed.next;
          const waiter = this.#pending.shift();
          if (parsed.error !== null) waiter?.reject(new RespError(parsed.error));
          else waiter?.resolve(parsed.value);
        }
        if (this.#start === this.#end) this.#start = this.#end = 0;
        if (this.#end === this.#buffer.length) {
          const live = this.#buffer.slice(this.#start, this.#end);
          this.#buffer = new Uint8Array(Math.max(this.#buffer.length, live.length * 2));
          this.#buffer.set(live);
          this.#start = 0;
          this.#end = live.length;
        }
        const read = await this.#conn.read(this.#buffer.subarray(this.#end));
        if (read === null) break;
        this.#end += read;
      }
      this.#fail(new Error("connection closed"));
    } catch (error) {
      this.#fail(error instanceof Error ? error : new Error(String(error)));
    }
  }

  #fail(error: Error): void {
    this.#closed = true;
    for (const waiter of this.#pending.splice(0)) waiter.reject(error);
  }

  /** Parses one reply at `at`, or null when the buffer does not hold all of it yet. */
  #parse(at: number): { value: RespValue; error: string | null; next: number } | null {
    const lineEnd = this.#lineEnd(at);
    if (lineEnd === -1) return null;
    const kind = this.#buffer[at];
    const line = decoder.decode(this.#buffer.subarray(at + 1, lineEnd));
    const next = lineEnd + 2;
    switch (kind) {
      case 43: // +
        return { value: line, error: null, next };
      case 45: // -
        return { value: null, error: line, next };
      case 58: // :
        return { value: Number(line), error: null, next };
      case 36: { // $
        const length = Number(line);
        if (length < 0) return { value: null, error: null, next };
        if (this.#end - next < length + 2) return null;
        return {
          value: decoder.decode(this.#buffer.subarray(next, next + length)),
          error: null,
          next: next + length + 2,
        };
      }
      case 42: { // *
        const length = Number(line);
        if (length < 0) return { value: null, error: null, next };
        const values: RespValue[] = [];
        let cursor = next;
        for (let i = 0; i < length; i++) {
          const item = this.#parse(cursor);
          if (item === null) return null;
          values.push(item.value);
          cursor = item.next;
        }
        return { value: values, error: null, next: cursor };
      }
      default:
        throw new Error(`unexpected RESP reply type ${String.fromCharCode(kind)}`);
    }
  }

  #lineEnd(at: number): number {
    for (let i = at; i + 1 < this.#end; i++) {
      if (this.#buffer[i] === 13 && this.#buffer[i + 1] === 10) return i;
    }
    return -1;
  }
}
