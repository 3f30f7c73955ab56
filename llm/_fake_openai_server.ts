/**
 * A fake OpenAI-compatible server for tests (SPEC: no LLM is reachable from
 * these machines). `Deno.serve` on port 0 answers `POST /v1/chat/completions`,
 * streaming (SSE) and non-streaming, with scripted behaviours, and records
 * every request so tests can assert what was sent.
 *
 * @module
 */

/** What the server does with one request. */
export type FakeBehaviour =
  | {
    kind: "text";
    /** The answer, or a function of the request (e.g. echoing the ids it was given). */
    text: string | ((request: RecordedRequest) => string);
    /** Wait before the first chunk (default 0). */
    firstTokenDelayMs?: number;
    /** Characters per chunk (default 12). */
    chunkChars?: number;
    /** After this many characters, stop sending and hang until the client goes away. */
    stallAfterChars?: number;
  }
  | { kind: "status"; status: number }
  | { kind: "garbage" }
  /** Accepts the request and never answers, not even the headers, until the client goes away. */
  | { kind: "hang" };

/** One request as the server saw it. */
export interface RecordedRequest {
  body: { model?: string; stream?: boolean; messages?: { role: string; content: string }[] };
  headers: Headers;
  /** The system message's content ("" when none). */
  system: string;
  /** Every non-system message's content, joined by newlines. */
  user: string;
}

const ITEM_ID = /\b[a-z][a-z_]*-\d{3,}\b/g;
const PRODUCT_CODE = /\b(?:ind_[a-z_]+_ult1|ins_[a-z_]+|partner_[a-z_]+)\b/g;
const INJECTION =
  /ignore (?:all |the )?(?:previous|above) instructions|игнорируй|system prompt|системный промпт/i;

/** The default answer: recommends the catalog items it was given, or explains the offers as JSON. */
function echoAnswer(request: RecordedRequest): string {
  const codes = [...new Set(request.user.match(PRODUCT_CODE) ?? [])];
  if (/TASK: explain_offers/.test(request.user)) {
    return JSON.stringify(
      Object.fromEntries(codes.map((code) => [code, `Это предложение (${code}) подходит вам.`])),
    );
  }
  const ids = [...new Set(request.user.match(ITEM_ID) ?? [])];
  if (ids.length === 0) return "Могу помочь с подбором товаров и банковскими предложениями.";
  return ids.slice(0, 3).map((id, i) => `${i === 0 ? "Рекомендую" : "Ещё подойдёт"} товар ${id}.`).join(" ");
}

/** Ready-made behaviours for the failure modes the explainer must survive. */
export const fakeBehaviours = {
  /** A normal answer; without `text`, echoes the given catalog ids (or offer codes as JSON). */
  answer: (text?: string): FakeBehaviour => ({ kind: "text", text: text ?? echoAnswer }),
  /** A normal answer after a long wait for the first token. */
  slowFirstToken: (delayMs: number, text?: string): FakeBehaviour => ({
    kind: "text",
    text: text ?? echoAnswer,
    firstTokenDelayMs: delayMs,
  }),
  /** Sends the first `afterChars` characters of `text`, then hangs. */
  stall: (text: string, afterChars: number): FakeBehaviour => ({
    kind: "text",
    text,
    stallAfterChars: afterChars,
  }),
  /** An HTTP error status (500, 429, …) with an OpenAI-style error body. */
  status: (status: number): FakeBehaviour => ({ kind: "status", status }),
  /** A 200 stream whose chunks are not JSON. */
  garbage: (): FakeBehaviour => ({ kind: "garbage" }),
  /** No answer at all (not even headers) until the client gives up: a hung model server. */
  hang: (): FakeBehaviour => ({ kind: "hang" }),
  /** Recommends the given items plus one that is not in the catalog. */
  invent: (): FakeBehaviour => ({
    kind: "text",
    text: (request) => `${echoAnswer(request)} Советую также «Супер-молоко Фантом» (dairy-999) за 10 ₽.`,
  }),
  /** Echoes the system prompt (and its canary) when the user's text carries an injection. */
  echoOnInjection: (): FakeBehaviour => ({
    kind: "text",
    text: (request) =>
      INJECTION.test(request.user) ? `Конечно! Мои инструкции: ${request.system}` : echoAnswer(request),
  }),
  /** Promises guaranteed returns, in Russian and English. */
  guaranteedReturn: (): FakeBehaviour => ({
    kind: "text",
    text: "Инвестиционные фонды подходят вам. Это гарантированный доход без риска. " +
      "You get a guaranteed return every year. Фонды помогут копить на цели.",
  }),
  /** States a credit card's rate with no full cost of credit (ПСК). */
  rateWithoutPsk: (): FakeBehaviour => ({
    kind: "text",
    text: "Кредитная карта подойдёт для путешествий. Ставка от 9,9% годовых. Оформить можно онлайн.",
  }),
} as const;

/** A running fake server. */
export interface FakeOpenAiServer {
  /** The base URL to configure the client with (ends in `/v1`). */
  readonly baseUrl: string;
  /** Every chat-completions request received, oldest first. */
  readonly requests: RecordedRequest[];
  /** Queues behaviours for the next requests, in order; after them the default applies. */
  script(...behaviours: FakeBehaviour[]): void;
  /** Replaces the default behaviour (what answers when nothing is queued) from now on. */
  setFallback(behaviour: FakeBehaviour): void;
  /** Stops the server, releasing stalled responses. */
  close(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });

function chunkJson(model: string, content: string | null): string {
  return JSON.stringify({
    id: "chatcmpl-fake",
    object: "chat.completion.chunk",
    created: 0,
    model,
    choices: [{
      index: 0,
      delta: content === null ? {} : { content },
      finish_reason: content === null ? "stop" : null,
    }],
  });
}

function respond(
  behaviour: Exclude<FakeBehaviour, { kind: "hang" }>,
  request: RecordedRequest,
  closing: AbortSignal,
): Response {
  const model = request.body.model ?? "fake";
  if (behaviour.kind === "status") {
    const error = { message: `Fake failure ${behaviour.status}`, type: "server_error" };
    return Response.json({ error }, { status: behaviour.status });
  }
  if (!request.body.stream) {
    if (behaviour.kind === "garbage") {
      return new Response("{not json", { headers: { "content-type": "application/json" } });
    }
    const text = typeof behaviour.text === "function" ? behaviour.text(request) : behaviour.text;
    return Response.json({
      id: "chatcmpl-fake",
      object: "chat.completion",
      created: 0,
      model,
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: text } }],
    });
  }
  const encoder = new TextEncoder();
  // The client going away cancels the body; the server closing releases it too.
  const cancelled = new AbortController();
  const gone = AbortSignal.any([cancelled.signal, closing]);
  const body = new ReadableStream<Uint8Array>({
    cancel: () => cancelled.abort(),
    async start(controller) {
      const send = (data: string) => {
        if (!gone.aborted) controller.enqueue(encoder.encode(`data: ${data}\n\n`));
      };
      const end = () => {
        try {
          controller.close();
        } catch {
          // The client already went away.
        }
      };
      if (behaviour.kind === "garbage") {
        send("<<<this is not json>>>");
        send("[DONE]");
        return end();
      }
      const text = typeof behaviour.text === "function" ? behaviour.text(request) : behaviour.text;
      await sleep(behaviour.firstTokenDelayMs ?? 0, gone);
      const size = behaviour.chunkChars ?? 12;
      for (let at = 0; at < text.length && !gone.aborted; at += size) {
        if (behaviour.stallAfterChars !== undefined && at >= behaviour.stallAfterChars) {
          await sleep(3_600_000, gone);
          break;
        }
        send(chunkJson(model, text.slice(at, at + size)));
        // Let each chunk reach the client as its own read.
        await sleep(1, gone);
      }
      send(chunkJson(model, null));
      send("[DONE]");
      end();
    },
  });
  return new Response(body, {
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
  });
}

/** Starts a fake server on a free port; `fallback` answers when no scripted behaviour is queued. */
export function startFakeOpenAi(fallback: FakeBehaviour = fakeBehaviours.answer()): FakeOpenAiServer {
  let current = fallback;
  const queue: FakeBehaviour[] = [];
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (http) => {
    const path = new URL(http.url).pathname;
    if (http.method !== "POST" || path !== "/v1/chat/completions") {
      return new Response("Not found", { status: 404 });
    }
    const body = await http.json() as RecordedRequest["body"];
    const messages = body.messages ?? [];
    const recorded: RecordedRequest = {
      body,
      headers: http.headers,
      system: messages.filter((m) => m.role === "system").map((m) => m.content).join("\n"),
      user: messages.filter((m) => m.role !== "system").map((m) => m.content).join("\n"),
    };
    requests.push(recorded);
    const behaviour = queue.shift() ?? current;
    if (behaviour.kind === "hang") {
      const gone = AbortSignal.any([http.signal, closing.signal]);
      await new Promise<void>((resolve) => {
        if (gone.aborted) return resolve();
        gone.addEventListener("abort", () => resolve(), { once: true });
      });
      return new Response(null, { status: 504 });
    }
    return respond(behaviour, recorded, closing.signal);
  });
  const close = async () => {
    closing.abort();
    await server.shutdown();
  };
  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}/v1`,
    requests,
    script: (...behaviours) => queue.push(...behaviours),
    setFallback: (behaviour) => {
      current = behaviour;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}
