/**
 * Client traffic during the chaos scenario, as an app and ops would send it:
 * reads (recommendations and the admin actor view) and chat turns over SSE,
 * each to a random running node for a random user (any node answers for any
 * user by forwarding to the owner). Every request is recorded with its
 * outcome, so the report can say, per fault, whether reads kept being served.
 *
 * A read counts as **served** when it answers 200, as **moving** when it
 * answers 503 with `Retry-After` (the partition is between owners: the
 * contract's retryable answer), and as an **error** otherwise (any other 5xx,
 * a 4xx, a refused connection or a timeout against a node that was running
 * for the whole request). A request to a node killed while it was in flight
 * is **cut** and left out of availability: that failure is the fault itself.
 * A chat stream that started and then ended with an SSE `error` event (the
 * user's partition moved mid-turn) is **interrupted**: a clear, retryable
 * answer, counted apart from errors and against availability.
 *
 * @module
 */

import { ADMIN_TOKEN } from "../tests/_harness.ts";
import type { ChaosCluster, NodeHandle } from "./_cluster.ts";

/** How a request ended. */
export type Outcome = "served" | "moving" | "interrupted" | "error" | "cut";

/** One read. */
export interface ReadSample {
  at: number;
  nodeId: string;
  kind: "recommendations" | "actor";
  status: number | null;
  ms: number;
  outcome: Outcome;
  detail?: string;
}

/** One chat turn. */
export interface ChatSample {
  at: number;
  nodeId: string;
  status: number | null;
  firstByteMs: number | null;
  totalMs: number;
  /** `done.source`, or null when the turn did not finish. */
  source: "llm" | "template" | null;
  fallbackReason: string | null;
  outcome: Outcome;
  detail?: string;
  /** The `done` event's latency breakdown. */
  latency?: Record<string, number | null>;
}

const READ_TIMEOUT_MS = 5_000;
const CHAT_TIMEOUT_MS = 15_000;

const QUESTIONS = [
  "почему мне предлагают это предложение?",
  "какие у меня есть предложения по вкладам?",
  "что выгоднее: кредитная карта или кредит?",
  "why do you recommend this offer?",
  "which savings products suit me?",
  "подскажи, как накопить на машину",
];

function pick<T>(values: readonly T[], random: () => number): T {
  return values[Math.floor(random() * values.length)];
}

function cut(handle: NodeHandle): boolean {
  return handle.endedAt !== null;
}

/** Runs reader and chat workers until stopped. */
export class Traffic {
  readonly reads: ReadSample[] = [];
  readonly chats: ChatSample[] = [];
  #cluster: ChaosCluster;
  #users: readonly string[];
  #random: () => number;
  #running = false;
  #workers: Promise<void>[] = [];

  constructor(cluster: ChaosCluster, users: readonly string[], random: () => number) {
    this.#cluster = cluster;
    this.#users = users;
    this.#random = random;
  }

  /** Starts `readers` read loops and `chatters` chat loops. */
  start(options: { readers: number; chatters: number }): void {
    this.#running = true;
    for (let i = 0; i < options.readers; i++) this.#workers.push(this.#readLoop());
    for (let i = 0; i < options.chatters; i++) this.#workers.push(this.#chatLoop());
  }

  async stop(): Promise<void> {
    this.#running = false;
    await Promise.all(this.#workers);
    this.#workers = [];
  }

  #target(): NodeHandle | null {
    const live = this.#cluster.live();
    return live.length === 0 ? null : pick(live, this.#random);
  }

  async #readLoop(): Promise<void> {
    while (this.#running) {
      const handle = this.#target();
      if (handle !== null) this.reads.push(await this.#read(handle));
      await new Promise((resolve) => setTimeout(resolve, 40));
    }
  }

  async #read(handle: NodeHandle): Promise<ReadSample> {
    const userId = pick(this.#users, this.#random);
    const kind = this.#random() < 0.5 ? "recommendations" : "actor";
    const path = kind === "recommendations"
      ? `/v1/users/${userId}/recommendations?k=3&record=0`
      : `/admin/actors/${userId}`;
    const started = performance.now();
    const at = Date.now();
    try {
      const response = await fetch(handle.node.url + path, {
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        signal: AbortSignal.timeout(READ_TIMEOUT_MS),
      });
      const body = await response.text();
      const ms = performance.now() - started;
      const base = { at, nodeId: handle.nodeId, kind, status: response.status, ms } as const;
      if (response.status === 200) return { ...base, outcome: "served" };
      if (response.status === 503 && response.headers.has("retry-after")) {
        return { ...base, outcome: "moving" };
      }
      return { ...base, outcome: cut(handle) ? "cut" : "error", detail: body.slice(0, 300) };
    } catch (error) {
      return {
        at,
        nodeId: handle.nodeId,
        kind,
        status: null,
        ms: performance.now() - started,
        outcome: cut(handle) ? "cut" : "error",
        detail: String(error).slice(0, 300),
      };
    }
  }

  async #chatLoop(): Promise<void> {
    while (this.#running) {
      const handle = this.#target();
      if (handle !== null) this.chats.push(await this.#chat(handle));
      await new Promise((resolve) => setTimeout(resolve, 150 + this.#random() * 250));
    }
  }

  async #chat(handle: NodeHandle): Promise<ChatSample> {
    const userId = pick(this.#users, this.#random);
    const started = performance.now();
    const at = Date.now();
    const base = { at, nodeId: handle.nodeId };
    try {
      const response = await fetch(`${handle.node.url}/v1/chat?userId=${userId}`, {
        method: "POST",
        headers: {
          authorization: `Bearer ${ADMIN_TOKEN}`,
          "content-type": "application/json",
          accept: "text/event-stream",
        },
        body: JSON.stringify({ message: pick(QUESTIONS, this.#random) }),
        signal: AbortSignal.timeout(CHAT_TIMEOUT_MS),
      });
      if (response.status !== 200 || response.body === null) {
        const body = await response.text();
        const moving = response.status === 503 && response.headers.has("retry-after");
        return {
          ...base,
          status: response.status,
          firstByteMs: null,
          totalMs: performance.now() - started,
          source: null,
          fallbackReason: null,
          outcome: moving ? "moving" : cut(handle) ? "cut" : "error",
          detail: body.slice(0, 300),
        };
      }
      let firstByteMs: number | null = null;
      let text = "";
      for await (const chunk of response.body.pipeThrough(new TextDecoderStream())) {
        firstByteMs ??= performance.now() - started;
        text += chunk;
      }
      const totalMs = performance.now() - started;
      const done = lastEvent(text, "done");
      const failed = lastEvent(text, "error");
      if (done === null) {
        return {
          ...base,
          status: 200,
          firstByteMs,
          totalMs,
          source: null,
          fallbackReason: null,
          outcome: cut(handle) ? "cut" : failed ? "interrupted" : "error",
          detail: `no done event${failed ? `: ${JSON.stringify(failed)}` : ""}`,
        };
      }
      return {
        ...base,
        status: 200,
        firstByteMs,
        totalMs,
        source: done.source === "llm" ? "llm" : "template",
        fallbackReason: typeof done.fallbackReason === "string" ? done.fallbackReason : null,
        outcome: "served",
        latency: done.latency as Record<string, number | null> | undefined,
      };
    } catch (error) {
      return {
        ...base,
        status: null,
        firstByteMs: null,
        totalMs: performance.now() - started,
        source: null,
        fallbackReason: null,
        outcome: cut(handle) ? "cut" : "error",
        detail: String(error).slice(0, 300),
      };
    }
  }
}

/** The data of the last SSE event named `name` in a stream's text. */
function lastEvent(text: string, name: string): Record<string, unknown> | null {
  let found: Record<string, unknown> | null = null;
  for (const block of text.split("\n\n")) {
    const lines = block.split("\n");
    if (!lines.some((line) => line === `event: ${name}`)) continue;
    const data = lines.filter((line) => line.startsWith("data: ")).map((line) => line.slice(6)).join("\n");
    try {
      found = JSON.parse(data);
    } catch {
      // A malformed event is no done event.
    }
  }
  return found;
}
