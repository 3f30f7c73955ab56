/**
 * The fuzz suite's HTTP side: sends one hostile request, judges the answer
 * (never a 5xx; a 4xx carries a reason; nothing of the victim reaches anyone
 * else) and keeps a tally per surface, with examples of every problem found.
 *
 * @module
 */

/** What one surface (an endpoint or a topic) received and answered. */
export interface SurfaceTally {
  sent: number;
  ok: number;
  clientErrors: number;
  serverErrors: number;
  /** Answers by status code. */
  statuses: Record<string, number>;
}

/** One request as the fuzzer sends it. */
export interface FuzzRequest {
  surface: string;
  method: string;
  path: string;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  /** Bearer token; none when undefined. */
  token?: string;
  /** Whose request it is for the leak check: the attacker's or nobody's. */
  as: "attacker" | "anonymous" | "service";
}

/** One answer. */
export interface FuzzAnswer {
  status: number;
  text: string;
  headers: Headers;
}

/** The victim's planted data: no answer to anyone else may contain it. */
export interface Canaries {
  victimId: string;
  secrets: string[];
}

/** Counts answers per surface and collects problems. */
export class FuzzTally {
  readonly surfaces: Record<string, SurfaceTally> = {};
  readonly problems: string[] = [];
  #problemCount = 0;

  constructor(readonly canaries: Canaries) {}

  /** Total problems (examples are capped). */
  get problemCount(): number {
    return this.#problemCount;
  }

  /** Records a problem (the first 40 are kept as examples). */
  problem(text: string): void {
    this.#problemCount++;
    if (this.problems.length < 40) this.problems.push(text.slice(0, 600));
  }

  /** Counts an answer for `surface`. */
  count(surface: string, status: number): void {
    const tally = this.surfaces[surface] ??= {
      sent: 0,
      ok: 0,
      clientErrors: 0,
      serverErrors: 0,
      statuses: {},
    };
    tally.sent++;
    tally.statuses[status] = (tally.statuses[status] ?? 0) + 1;
    if (status < 400) tally.ok++;
    else if (status < 500) tally.clientErrors++;
    else tally.serverErrors++;
  }

  /** Whether `text` holds the victim's data; the victim's id counts unless the request named it itself. */
  leaks(text: string, requestNamedVictim: boolean): string | null {
    for (const secret of this.canaries.secrets) if (text.includes(secret)) return secret;
    if (!requestNamedVictim && text.includes(this.canaries.victimId)) return this.canaries.victimId;
    return null;
  }

  /** Judges one answer by the rules in the module docs. */
  judge(request: FuzzRequest, answer: FuzzAnswer): void {
    this.count(request.surface, answer.status);
    const where = `${request.method} ${request.path.slice(0, 120)} -> ${answer.status}`;
    if (answer.status === 0) {
      this.problem(`${where}: no answer (${answer.text.slice(0, 200)})`);
    } else if (answer.status >= 500) {
      this.problem(`${where}: a 5xx: ${answer.text.slice(0, 300)}`);
    } else if (answer.status >= 400 && !hasReason(answer.text)) {
      this.problem(`${where}: a 4xx without a reason: ${answer.text.slice(0, 300)}`);
    }
    if (request.as !== "service") {
      const named = [request.path, typeof request.body === "string" ? request.body : ""].some((part) =>
        part.includes(this.canaries.victimId)
      );
      const leaked = this.leaks(answer.text, named);
      if (leaked !== null) this.problem(`${where}: the answer holds the victim's ${JSON.stringify(leaked)}`);
    }
  }
}

/** A JSON body naming why: `error` or `reason` as a non-empty string. */
export function hasReason(text: string): boolean {
  try {
    const body = JSON.parse(text);
    return typeof body === "object" && body !== null &&
      [body.error, body.reason].some((value) => typeof value === "string" && value.trim().length > 0);
  } catch {
    return false;
  }
}

/**
 * Sends one request to `baseUrl` and reads the whole answer (a refused or timed-out one is status 0). Like a
 * real client it honours `503` + `Retry-After` (a partition moving between nodes, say when a rebalance
 * follows a slow heartbeat) for up to 20 s; a `503` that lasts longer is the answer.
 */
export async function send(baseUrl: string, request: FuzzRequest, timeoutMs = 20_000): Promise<FuzzAnswer> {
  // A GET or HEAD cannot carry a body in fetch; the generators may give one anyway.
  const body = request.method === "GET" || request.method === "HEAD" ? undefined : request.body;
  const deadline = Date.now() + 20_000;
  for (;;) {
    let answer: FuzzAnswer;
    try {
      const headers = new Headers();
      for (const [name, value] of Object.entries(request.headers ?? {})) {
        headers.set(name, headerValue(value));
      }
      if (request.token !== undefined) headers.set("authorization", `Bearer ${headerValue(request.token)}`);
      if (body !== undefined && !headers.has("content-type")) headers.set("content-type", "application/json");
      const response = await fetch(baseUrl + request.path, {
        method: request.method,
        headers,
        body: body as BodyInit | undefined,
        signal: AbortSignal.timeout(timeoutMs),
      });
      answer = { status: response.status, text: await response.text(), headers: response.headers };
    } catch (error) {
      return { status: 0, text: String(error), headers: new Headers() };
    }
    if (answer.status !== 503 || !answer.headers.has("retry-after") || Date.now() > deadline) return answer;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/**
 * What an HTTP header can carry of a hostile string: tab, visible ASCII and bytes 0x80–0xFF, without the
 * control characters fetch refuses to send (a raw client could; the server's HTTP parser answers those).
 */
function headerValue(text: string): string {
  const kept = [...text].filter((char) => {
    const code = char.codePointAt(0)!;
    return code === 0x09 || (code >= 0x20 && code <= 0x7e) || (code >= 0x80 && code <= 0xff);
  }).join("");
  return kept === "" ? "x" : kept;
}

/** Runs `jobs` with at most `concurrency` in flight. */
export async function pool<T>(jobs: T[], concurrency: number, run: (job: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < jobs.length) await run(jobs[next++]);
  }));
}
