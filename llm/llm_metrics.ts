/**
 * Counters of the LLM layer: calls, failures and retries of the client,
 * fallbacks to the template and rejected outputs of the explainer, and
 * latency. Readable as plain numbers ({@linkcode LlmMetrics.snapshot}) and
 * exportable to the Prometheus registry of `obs/metrics.ts`.
 *
 * @module
 */

import { Counter, Gauge, Histogram, type Registry } from "../obs/metrics.ts";
import type { BreakerState, CircuitBreaker } from "./circuit_breaker.ts";

/** Plain numbers for tests, logs and admin endpoints. */
export interface LlmMetricsSnapshot {
  calls: number;
  failures: number;
  retries: number;
  fallbacks: number;
  rejections: number;
  /** Sum and count of whole-call latencies in ms (calls that started streaming or failed). */
  latencyMsSum: number;
  latencyCount: number;
  /** Sum and count of times to the first token in ms. */
  firstTokenMsSum: number;
  firstTokenCount: number;
  failuresByReason: Record<string, number>;
  fallbacksByReason: Record<string, number>;
}

const BREAKER_STATE_VALUE: Record<BreakerState, number> = { closed: 0, half_open: 1, open: 2 };

/** The LLM layer's metrics. One instance is shared by the client and the explainer. */
export class LlmMetrics {
  readonly #calls = new Counter("llm_calls_total", "LLM calls started");
  readonly #failures = new Counter("llm_failures_total", "LLM calls that failed, by reason");
  readonly #retries = new Counter("llm_retries_total", "LLM attempts retried before the first byte");
  readonly #fallbacks = new Counter(
    "llm_fallbacks_total",
    "Answers that fell back to the template, by reason",
  );
  readonly #rejections = new Counter(
    "llm_output_rejected_total",
    "LLM outputs rejected by validation, by reason",
  );
  readonly #latency = new Histogram("llm_latency_seconds", "LLM call duration");
  readonly #firstToken = new Histogram("llm_first_token_seconds", "Time to the LLM's first token");
  #plain: LlmMetricsSnapshot = {
    calls: 0,
    failures: 0,
    retries: 0,
    fallbacks: 0,
    rejections: 0,
    latencyMsSum: 0,
    latencyCount: 0,
    firstTokenMsSum: 0,
    firstTokenCount: 0,
    failuresByReason: {},
    fallbacksByReason: {},
  };
  #breaker: CircuitBreaker | null = null;

  /** Counts one call started. */
  call(): void {
    this.#calls.inc();
    this.#plain.calls++;
  }

  /** Counts one failed call. */
  failure(reason: string): void {
    this.#failures.inc({ reason });
    this.#plain.failures++;
    this.#plain.failuresByReason[reason] = (this.#plain.failuresByReason[reason] ?? 0) + 1;
  }

  /** Counts one retried attempt. */
  retry(): void {
    this.#retries.inc();
    this.#plain.retries++;
  }

  /** Counts one answer (or offer explanation) that used the template instead of the LLM. */
  fallback(reason: string): void {
    this.#fallbacks.inc({ reason });
    this.#plain.fallbacks++;
    this.#plain.fallbacksByReason[reason] = (this.#plain.fallbacksByReason[reason] ?? 0) + 1;
  }

  /** Counts one output (or sentence) the validator rejected. */
  rejection(reason: string): void {
    this.#rejections.inc({ reason });
    this.#plain.rejections++;
  }

  /** Records a whole call's latency. */
  latency(ms: number): void {
    this.#latency.observe(ms / 1000);
    this.#plain.latencyMsSum += ms;
    this.#plain.latencyCount++;
  }

  /** Records the time to the first token. */
  firstToken(ms: number): void {
    this.#firstToken.observe(ms / 1000);
    this.#plain.firstTokenMsSum += ms;
    this.#plain.firstTokenCount++;
  }

  /** Lets the breaker's state be exported as a gauge. */
  watchBreaker(breaker: CircuitBreaker): void {
    this.#breaker = breaker;
  }

  /** A copy of the counters as plain numbers. */
  snapshot(): LlmMetricsSnapshot {
    return structuredClone(this.#plain);
  }

  /** Adds every metric to `registry` (call once per registry). */
  register(registry: Registry): void {
    for (const metric of [this.#calls, this.#failures, this.#retries, this.#fallbacks, this.#rejections]) {
      registry.add(metric);
    }
    registry.add(this.#latency);
    registry.add(this.#firstToken);
    registry.add(
      new Gauge("llm_breaker_state", "LLM circuit breaker: 0 closed, 1 half-open, 2 open", (gauge) => {
        if (this.#breaker) gauge.set(BREAKER_STATE_VALUE[this.#breaker.state]);
      }),
    );
  }
}
