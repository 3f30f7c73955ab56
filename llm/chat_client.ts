/**
 * The chat-completions client over `npm:openai`, configured by
 * {@linkcode LlmSettings} (YandexGPT, GigaChat, Qwen on vLLM or Ollama, any
 * OpenAI-compatible endpoint). {@linkcode ChatClient.stream} streams text
 * deltas under a first-token budget, a stall budget and a total budget,
 * retries with jittered backoff only before the first byte (connect errors,
 * 429, 5xx), and goes through a {@linkcode CircuitBreaker} so a dead endpoint
 * is not called at all once the breaker trips.
 *
 * @module
 */

import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError } from "openai";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { LlmMetrics } from "./llm_metrics.ts";
import type { LlmSettings } from "./settings.ts";

/** Why an LLM call produced no (more) text. */
export const LLM_FAILURE_REASONS = [
  "circuit_open",
  "first_token_timeout",
  "stall",
  "timeout",
  "connect_error",
  "rate_limited",
  "server_error",
  "http_error",
  "garbage",
  "aborted",
] as const;
/** One of {@linkcode LLM_FAILURE_REASONS}. */
export type LlmFailureReason = typeof LLM_FAILURE_REASONS[number];

/** Thrown by {@linkcode ChatClient.stream} when the call fails; callers fall back on it. */
export class LlmError extends Error {
  /** Why the call failed. */
  readonly reason: LlmFailureReason;
  /** The HTTP status, when the endpoint answered with one. */
  readonly status: number | null;

  constructor(reason: LlmFailureReason, message: string, options: { cause?: unknown; status?: number } = {}) {
    super(message, { cause: options.cause });
    this.name = "LlmError";
    this.reason = reason;
    this.status = options.status ?? null;
  }

  /** True for failures worth another attempt before the first byte (connect, 429, 5xx). */
  get retryable(): boolean {
    return this.reason === "connect_error" || this.reason === "rate_limited" ||
      this.reason === "server_error";
  }
}

/** One chat message. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Options for {@linkcode ChatClient}. */
export interface ChatClientOptions {
  /** The breaker guarding the endpoint (default: 5 failures, 30 s cool-down). */
  breaker?: CircuitBreaker;
  /** Where counters go (default: a private instance, see {@linkcode ChatClient.metrics}). */
  metrics?: LlmMetrics;
  /** Extra attempts before the first byte (default 2). */
  maxRetries?: number;
  /** Backoff base in ms; attempt n waits a uniform random time up to base·2ⁿ (default 100). */
  backoffBaseMs?: number;
  /** Random source in [0, 1) for the jitter (default `Math.random`). */
  random?: () => number;
}

/** Budgets and cancellation for one streamed call. */
export interface StreamOptions {
  /** Cancels the call; the stream then throws an {@linkcode LlmError} with reason `aborted`. */
  signal?: AbortSignal;
  /** No text by then (retries included) ends the call with `first_token_timeout`. */
  firstTokenBudgetMs: number;
  /** The whole call, first byte to last, must fit in this. */
  totalBudgetMs: number;
  /** Silence between two deltas longer than this ends the call with `stall` (default: the first-token budget). */
  stallMs?: number;
  temperature?: number;
}

const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal.addEventListener("abort", onAbort, { once: true });
  });

/** Maps whatever the SDK threw to an {@linkcode LlmError}. */
function classify(error: unknown, signal: AbortSignal): LlmError {
  if (error instanceof LlmError) return error;
  if (signal.aborted && signal.reason instanceof LlmError) return signal.reason;
  if (error instanceof APIConnectionTimeoutError) return new LlmError("timeout", "The LLM request timed out");
  if (error instanceof APIConnectionError) {
    return new LlmError("connect_error", "Could not connect to the LLM", { cause: error });
  }
  if (error instanceof APIError && typeof error.status === "number") {
    const status = error.status;
    const reason = status === 429 ? "rate_limited" : status >= 500 ? "server_error" : "http_error";
    return new LlmError(reason, `The LLM answered with HTTP ${status}`, { cause: error, status });
  }
  if (error instanceof SyntaxError) {
    return new LlmError("garbage", "The LLM sent malformed data", { cause: error });
  }
  return new LlmError("http_error", "The LLM call failed", { cause: error });
}

/** Sends chat completions to the configured endpoint. */
export class ChatClient {
  #client: OpenAI;
  #model: string;
  #breaker: CircuitBreaker;
  #metrics: LlmMetrics;
  #maxRetries: number;
  #backoffBaseMs: number;
  #random: () => number;

  constructor(settings: LlmSettings, options: ChatClientOptions = {}) {
    this.#client = new OpenAI({
      baseURL: settings.baseUrl,
      // Authentication goes in the provider-specific header; the SDK wants some key.
      apiKey: "unused",
      defaultHeaders: settings.headers,
      maxRetries: 0,
      // Failures are classified and counted here; the SDK's own console logging would only add noise.
      logLevel: "off",
    });
    this.#model = settings.model;
    this.#breaker = options.breaker ?? new CircuitBreaker();
    this.#metrics = options.metrics ?? new LlmMetrics();
    this.#metrics.watchBreaker(this.#breaker);
    this.#maxRetries = options.maxRetries ?? 2;
    this.#backoffBaseMs = options.backoffBaseMs ?? 100;
    this.#random = options.random ?? Math.random;
  }

  /** The breaker guarding this endpoint. */
  get breaker(): CircuitBreaker {
    return this.#breaker;
  }

  /** The counters this client reports to. */
  get metrics(): LlmMetrics {
    return this.#metrics;
  }

  /** False while the breaker is open: a call would fail at once. */
  get available(): boolean {
    return this.#breaker.state !== "open";
  }

  /** The completion text, or a rejection after `timeoutMs` (one SDK retry; no breaker, for offline use). */
  async complete(
    messages: ChatMessage[],
    options: { timeoutMs?: number; temperature?: number } = {},
  ): Promise<string> {
    const response = await this.#client.chat.completions.create(
      { model: this.#model, messages, temperature: options.temperature ?? 0.2 },
      { timeout: options.timeoutMs ?? 15_000, maxRetries: 1 },
    );
    return response.choices[0]?.message?.content ?? "";
  }

  /**
   * Streams the completion's text deltas. Throws {@linkcode LlmError} when the
   * breaker is open, a budget runs out, the endpoint fails or sends garbage,
   * or `signal` aborts. Breaking out of the loop cancels the request.
   */
  async *stream(messages: ChatMessage[], options: StreamOptions): AsyncGenerator<string, void, undefined> {
    if (!this.#breaker.tryAcquire()) throw new LlmError("circuit_open", "The LLM circuit breaker is open");
    this.#metrics.call();
    const startedMs = performance.now();
    const totalMs = Math.max(1, options.totalBudgetMs);
    const firstTokenMs = Math.max(1, Math.min(options.firstTokenBudgetMs, totalMs));
    const stallMs = Math.max(1, options.stallMs ?? firstTokenMs);
    const controller = new AbortController();
    const abortWith = (error: LlmError) => controller.abort(error);
    const onCallerAbort = () => abortWith(new LlmError("aborted", "The caller cancelled the LLM call"));
    if (options.signal?.aborted) onCallerAbort();
    options.signal?.addEventListener("abort", onCallerAbort, { once: true });
    const totalTimer = setTimeout(
      () => abortWith(new LlmError("timeout", `The LLM did not finish within ${totalMs} ms`)),
      totalMs,
    );
    let idleTimer = setTimeout(
      () => abortWith(new LlmError("first_token_timeout", `The LLM sent no text within ${firstTokenMs} ms`)),
      firstTokenMs,
    );
    let outcome: "success" | "failure" | "cancel" = "cancel";
    let yielded = false;
    try {
      const chunks = await this.#open(
        messages,
        options.temperature,
        controller.signal,
        startedMs + firstTokenMs,
      );
      try {
        for await (const chunk of chunks) {
          const choices = (chunk as { choices?: unknown }).choices;
          if (!Array.isArray(choices)) throw new LlmError("garbage", "The LLM sent a chunk without choices");
          const text = choices[0]?.delta?.content;
          if (typeof text !== "string" || text === "") continue;
          if (!yielded) this.#metrics.firstToken(performance.now() - startedMs);
          yielded = true;
          clearTimeout(idleTimer);
          idleTimer = setTimeout(
            () => abortWith(new LlmError("stall", `The LLM stalled for ${stallMs} ms`)),
            stallMs,
          );
          yield text;
        }
      } catch (error) {
        throw classify(error, controller.signal);
      }
      // The SDK ends the iteration quietly when its request is aborted: say why.
      if (controller.signal.aborted) throw classify(controller.signal.reason, controller.signal);
      outcome = "success";
    } catch (error) {
      const failure = classify(error, controller.signal);
      outcome = failure.reason === "aborted" ? "cancel" : "failure";
      if (outcome === "failure") this.#metrics.failure(failure.reason);
      throw failure;
    } finally {
      clearTimeout(totalTimer);
      clearTimeout(idleTimer);
      options.signal?.removeEventListener("abort", onCallerAbort);
      controller.abort();
      this.#metrics.latency(performance.now() - startedMs);
      // A consumer that stops reading after text arrived has seen a working endpoint.
      if (outcome === "success" || (outcome === "cancel" && yielded)) this.#breaker.onSuccess();
      else if (outcome === "failure") this.#breaker.onFailure();
      else this.#breaker.onCancel();
    }
  }

  /** Opens the stream, retrying connect errors, 429 and 5xx with jittered backoff while time allows. */
  async #open(
    messages: ChatMessage[],
    temperature: number | undefined,
    signal: AbortSignal,
    firstDeadline: number,
  ) {
    for (let attempt = 0;; attempt++) {
      try {
        return await this.#client.chat.completions.create(
          { model: this.#model, messages, stream: true, temperature: temperature ?? 0.3 },
          { signal, maxRetries: 0 },
        );
      } catch (error) {
        const failure = classify(error, signal);
        if (!failure.retryable || attempt >= this.#maxRetries) throw failure;
        const delayMs = this.#random() * this.#backoffBaseMs * 2 ** attempt;
        // A retry that cannot start before the first-token deadline would only hide the real error.
        if (performance.now() + delayMs >= firstDeadline) throw failure;
        this.#metrics.retry();
        await sleep(delayMs, signal);
      }
    }
  }
}
