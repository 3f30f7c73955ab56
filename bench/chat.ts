/**
 * Chat time to first byte with the template explainer: the engine runs as
 * `deno task start` runs it (subprocess, real Postgres, in-process log, demo
 * data, models on, no `LLM_BASE_URL`), and this process posts `/v1/chat` with
 * `Accept: text/event-stream` and the user's demo-login token, alternating
 * bank clients and shoppers and cycling through bank questions and retail
 * requests. Each turn is timed to the response headers, the first body byte
 * (the `meta` event, sent once the decision or the retrieval is done), the
 * first `delta` event and the end of the stream: first a few hundred turns one
 * after another, then the same number from concurrent clients. The baseline is
 * a bare `Deno.serve` hello-world in its own process, requested the same way
 * (same client, headers and body) interleaved with the turns. Bank clients'
 * actors are warmed first with one recommendations read each (resident, scores
 * cached), as in the serving benchmark.
 *
 * @module
 */

import { type DemoEngine, startDemoEngine, warmRecommendations } from "./_demo_engine.ts";
import { type ServerProcess, startBaseline } from "./_server_process.ts";
import { type LatencySummary, ratio, round, summarize } from "./_stats.ts";

/** SPEC aim: p99 time to the first SSE byte with the template explainer, in milliseconds. */
export const CHAT_TARGET_FIRST_BYTE_P99_MS = 10;

/** The messages, bank questions and retail requests. */
export const CHAT_MESSAGES = [
  "почему мне предлагают эту карту?",
  "подбери молоко без лактозы",
  "какие вклады есть?",
  "что приготовить на ужин до 500 ₽",
] as const;

/** Options for {@linkcode runChatBench}. */
export interface ChatBenchOptions {
  /** Sequential timed turns. */
  turns: number;
  /** Turns sent before timing (JIT, the retrieval index, first activations). */
  warmupTurns: number;
  /** Clients in the concurrent run, and its total turns. */
  concurrency: number;
  concurrentTurns: number;
}

/** One run's timings in milliseconds. */
export interface ChatRunFigures {
  turns: number;
  headersMs: LatencySummary;
  firstByteMs: LatencySummary;
  firstDeltaMs: LatencySummary;
  totalMs: LatencySummary;
  /** The engine's own `firstByteMs` from each turn's `done` event (server side, no network). */
  serverFirstByteMs: LatencySummary;
  /** First byte per message. */
  firstByteByMessage: Record<string, LatencySummary>;
  turnsPerSecond: number;
  /** Turns that failed, by status or `network`, or `incomplete` (no `done` event). */
  errors: Record<string, number>;
  /** The hello-world, interleaved with the turns (sequential) or alongside them (concurrent). */
  helloFirstByteMs: LatencySummary;
}

/** What {@linkcode runChatBench} reports. */
export interface ChatResult {
  bankUsers: number;
  retailUsers: number;
  messages: readonly string[];
  sequential: ChatRunFigures;
  concurrent: ChatRunFigures & { connections: number };
  /** Sequential first byte over the hello-world's. */
  ratioP50: number | null;
  ratioP99: number | null;
  target: { firstByteP99Ms: number };
  met: boolean;
}

interface Turn {
  userId: string;
  token: string;
  message: string;
}

interface TurnTiming {
  headersMs: number;
  firstByteMs: number;
  firstDeltaMs: number;
  totalMs: number;
  serverFirstByteMs: number;
}

const decoder = new TextDecoder();

/** Posts one chat turn and times it; throws with the status or `incomplete` on failure. */
async function timeTurn(url: string, client: Deno.HttpClient, turn: Turn): Promise<TurnTiming> {
  const started = performance.now();
  const response = await fetch(`${url}/v1/chat`, {
    method: "POST",
    client,
    headers: {
      authorization: `Bearer ${turn.token}`,
      accept: "text/event-stream",
      "content-type": "application/json",
    },
    body: JSON.stringify({ message: turn.message }),
  });
  const headersAt = performance.now();
  if (response.status !== 200) {
    await response.body?.cancel();
    throw new Error(String(response.status));
  }
  let firstByteAt = Number.NaN;
  let firstDeltaAt = Number.NaN;
  let text = "";
  for await (const chunk of response.body!) {
    const now = performance.now();
    if (Number.isNaN(firstByteAt) && chunk.length > 0) firstByteAt = now;
    text += decoder.decode(chunk, { stream: true });
    if (Number.isNaN(firstDeltaAt) && text.includes("event: delta")) firstDeltaAt = now;
  }
  const doneAt = performance.now();
  const done = /event: done\ndata: (.*)\n/.exec(text);
  if (done === null || Number.isNaN(firstDeltaAt)) throw new Error("incomplete");
  const latency = (JSON.parse(done[1]) as { latency: { firstByteMs: number } }).latency;
  return {
    headersMs: headersAt - started,
    firstByteMs: firstByteAt - started,
    firstDeltaMs: firstDeltaAt - started,
    totalMs: doneAt - started,
    serverFirstByteMs: latency.firstByteMs,
  };
}

/** The hello-world requested the same way: time to its first body byte. */
async function timeHello(url: string, client: Deno.HttpClient, turn: Turn): Promise<number> {
  const started = performance.now();
  const response = await fetch(url, {
    method: "POST",
    client,
    headers: {
      authorization: `Bearer ${turn.token}`,
      accept: "text/event-stream",
      "content-type": "application/json",
    },
    body: JSON.stringify({ message: turn.message }),
  });
  let firstByteAt = Number.NaN;
  for await (const chunk of response.body!) {
    if (Number.isNaN(firstByteAt) && chunk.length > 0) firstByteAt = performance.now();
  }
  if (response.status !== 200) throw new Error(`hello-world answered ${response.status}`);
  return firstByteAt - started;
}

function turnsFor(engine: DemoEngine): (index: number) => Turn {
  const kinds = [engine.bankUsers, engine.retailUsers.length > 0 ? engine.retailUsers : engine.bankUsers];
  return (index) => {
    const users = kinds[index % 2];
    const user = users[Math.floor(index / 2) % users.length];
    // Both kinds of user get every message over four consecutive pairs.
    return { ...user, message: CHAT_MESSAGES[Math.floor(index / 2) % CHAT_MESSAGES.length] };
  };
}

function figures(
  timings: { turn: Turn; timing: TurnTiming }[],
  hello: number[],
  errors: Record<string, number>,
  seconds: number,
): ChatRunFigures {
  const pick = (key: keyof TurnTiming) => summarize(timings.map((entry) => entry.timing[key]));
  return {
    turns: timings.length,
    headersMs: pick("headersMs"),
    firstByteMs: pick("firstByteMs"),
    firstDeltaMs: pick("firstDeltaMs"),
    totalMs: pick("totalMs"),
    serverFirstByteMs: pick("serverFirstByteMs"),
    firstByteByMessage: Object.fromEntries(CHAT_MESSAGES.map((message) => [
      message,
      summarize(
        timings.filter((entry) => entry.turn.message === message).map((entry) => entry.timing.firstByteMs),
      ),
    ])),
    turnsPerSecond: round(timings.length / seconds, 1),
    errors,
    helloFirstByteMs: summarize(hello),
  };
}

/** Runs the chat measurement. */
export async function runChatBench(options: ChatBenchOptions): Promise<ChatResult> {
  const engine = await startDemoEngine();
  let hello: { url: string; process: ServerProcess } | null = null;
  const client = Deno.createHttpClient({ poolMaxIdlePerHost: options.concurrency + 2 });
  try {
    // As in the serving bench, actors are warm: a user who chats has usually seen their offers first.
    await warmRecommendations(engine);
    hello = await startBaseline("hello");
    const helloUrl = hello.url;
    const turnAt = turnsFor(engine);
    const count = (errors: Record<string, number>, error: unknown) => {
      const key = error instanceof Error && /^\d+$|^incomplete$/.test(error.message)
        ? error.message
        : "network";
      errors[key] = (errors[key] ?? 0) + 1;
    };

    for (let i = 0; i < options.warmupTurns; i++) {
      await timeTurn(engine.url, client, turnAt(i));
      await timeHello(helloUrl, client, turnAt(i));
    }

    // One turn at a time, each followed by one hello-world request.
    let timings: { turn: Turn; timing: TurnTiming }[] = [];
    let helloMs: number[] = [];
    let errors: Record<string, number> = {};
    let started = performance.now();
    for (let i = 0; i < options.turns; i++) {
      const turn = turnAt(options.warmupTurns + i);
      try {
        timings.push({ turn, timing: await timeTurn(engine.url, client, turn) });
      } catch (error) {
        count(errors, error);
      }
      helloMs.push(await timeHello(helloUrl, client, turn));
    }
    const sequential = figures(timings, helloMs, errors, (performance.now() - started) / 1000);
    engine.process.assertRunning();

    // Concurrent clients, each alternating turns and hello-world requests.
    timings = [];
    helloMs = [];
    errors = {};
    let next = 0;
    const offset = options.warmupTurns + options.turns;
    started = performance.now();
    await Promise.all(Array.from({ length: options.concurrency }, async () => {
      while (next < options.concurrentTurns) {
        const turn = turnAt(offset + next++);
        try {
          timings.push({ turn, timing: await timeTurn(engine.url, client, turn) });
        } catch (error) {
          count(errors, error);
        }
        helloMs.push(await timeHello(helloUrl, client, turn));
      }
    }));
    const concurrent = {
      ...figures(timings, helloMs, errors, (performance.now() - started) / 1000),
      connections: options.concurrency,
    };
    return {
      bankUsers: engine.bankUsers.length,
      retailUsers: engine.retailUsers.length,
      messages: CHAT_MESSAGES,
      sequential,
      concurrent,
      ratioP50: ratio(sequential.firstByteMs.p50, sequential.helloFirstByteMs.p50),
      ratioP99: ratio(sequential.firstByteMs.p99, sequential.helloFirstByteMs.p99),
      target: { firstByteP99Ms: CHAT_TARGET_FIRST_BYTE_P99_MS },
      met: Object.keys(sequential.errors).length === 0 &&
        sequential.firstByteMs.p99 <= CHAT_TARGET_FIRST_BYTE_P99_MS,
    };
  } finally {
    client.close();
    await hello?.process.stop(2_000);
    await engine.stop();
  }
}

/** Rows for `deno task bench`'s table; `met` looks a target up by name prefix. */
export function chatTableRows(result: ChatResult, met: (name: string) => string): string[][] {
  const { sequential, concurrent } = result;
  const pair = (summary: LatencySummary) => `${summary.p50} / ${summary.p99}`;
  return [
    [
      "chat first byte p50/p99 ms",
      pair(sequential.firstByteMs),
      `${pair(sequential.helloFirstByteMs)} hello-world`,
      `${result.ratioP50} / ${result.ratioP99}`,
      `p99<=${CHAT_TARGET_FIRST_BYTE_P99_MS}`,
      met("chat first byte"),
    ],
    [
      "chat first delta p50/p99 ms",
      pair(sequential.firstDeltaMs),
      `engine-side first byte ${pair(sequential.serverFirstByteMs)}`,
      "-",
      "-",
      "-",
    ],
    [
      `chat first byte p50/p99 ms, ${concurrent.connections} clients`,
      `${pair(concurrent.firstByteMs)} (${concurrent.turnsPerSecond} turns/s)`,
      `${pair(concurrent.helloFirstByteMs)} hello-world`,
      `${ratio(concurrent.firstByteMs.p50, concurrent.helloFirstByteMs.p50)} / ${
        ratio(concurrent.firstByteMs.p99, concurrent.helloFirstByteMs.p99)
      }`,
      "-",
      "-",
    ],
  ];
}
