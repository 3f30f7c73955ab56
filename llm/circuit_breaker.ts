/**
 * A circuit breaker for the LLM: after `failureThreshold` consecutive failed
 * calls it opens and refuses calls for `coolDownMs`, so a dead endpoint costs
 * nothing (no connection, no waiting for a budget). After the cool-down it is
 * half-open and lets one probe through: a success closes it, a failure opens
 * it again for another cool-down.
 *
 * @module
 */

/** The breaker's states. */
export const BREAKER_STATES = ["closed", "open", "half_open"] as const;
/** One of {@linkcode BREAKER_STATES}. */
export type BreakerState = typeof BREAKER_STATES[number];

/** Options for {@linkcode CircuitBreaker}. */
export interface CircuitBreakerOptions {
  /** Consecutive failures that open the breaker (default 5). */
  failureThreshold?: number;
  /** How long the breaker stays open before a probe is allowed, in ms (default 30 000). */
  coolDownMs?: number;
  /** The clock in epoch ms; injectable for tests (default `Date.now`). */
  now?: () => number;
}

/** Counts consecutive failures and refuses calls while the endpoint looks dead. */
export class CircuitBreaker {
  readonly failureThreshold: number;
  readonly coolDownMs: number;
  #now: () => number;
  #state: BreakerState = "closed";
  #consecutiveFailures = 0;
  #openedAtMs = 0;
  #probeInFlight = false;
  #opens = 0;

  constructor(options: CircuitBreakerOptions = {}) {
    this.failureThreshold = options.failureThreshold ?? 5;
    this.coolDownMs = options.coolDownMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    if (!(this.failureThreshold >= 1)) throw new RangeError("Failure threshold must be at least 1");
    if (!(this.coolDownMs >= 0)) throw new RangeError("Cool-down must not be negative");
  }

  /** The current state; an open breaker whose cool-down has passed reads as half-open. */
  get state(): BreakerState {
    if (this.#state === "open" && this.#now() - this.#openedAtMs >= this.coolDownMs) return "half_open";
    return this.#state;
  }

  /** How many times the breaker has opened since it was made (for metrics). */
  get opens(): number {
    return this.#opens;
  }

  /** Consecutive failures counted so far. */
  get consecutiveFailures(): number {
    return this.#consecutiveFailures;
  }

  /**
   * Asks to make a call. True when the call may go ahead; the caller must then
   * report it with {@linkcode onSuccess}, {@linkcode onFailure} or
   * {@linkcode onCancel}. False costs nothing and needs no report.
   */
  tryAcquire(): boolean {
    const state = this.state;
    if (state === "closed") return true;
    if (state === "open") return false;
    // Half-open: exactly one probe at a time.
    if (this.#probeInFlight) return false;
    this.#state = "half_open";
    this.#probeInFlight = true;
    return true;
  }

  /** Reports a call that worked: the breaker closes and the failure count resets. */
  onSuccess(): void {
    this.#probeInFlight = false;
    this.#consecutiveFailures = 0;
    this.#state = "closed";
  }

  /** Reports a call that failed: a failed probe, or the threshold reached, opens the breaker. */
  onFailure(): void {
    this.#consecutiveFailures++;
    const wasProbe = this.#probeInFlight;
    this.#probeInFlight = false;
    if (wasProbe || this.#state === "half_open" || this.#consecutiveFailures >= this.failureThreshold) {
      this.#open();
    }
  }

  /** Reports a call the caller cancelled: it says nothing about the endpoint, but frees the probe slot. */
  onCancel(): void {
    this.#probeInFlight = false;
  }

  #open(): void {
    this.#state = "open";
    this.#openedAtMs = this.#now();
    this.#opens++;
  }
}
