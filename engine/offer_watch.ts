/**
 * Watches for a new primary offer. After fresh operations or life events
 * (events from the last hour, not history being replayed), the user is queued;
 * a short debounce coalesces a burst of events into one decision. When the
 * decision's primary offer differs from the last one pushed, and the client
 * allows marketing, the offer is pushed as a notification and remembered by
 * the actor (which also counts it as a contact for the frequency cap).
 *
 * The queue is bounded: under a flood of events the oldest waiting users are
 * dropped and counted rather than letting memory grow.
 *
 * @module
 */

import { DEFAULT_CONSENTS } from "../actors/engagement.ts";
import type { Supervisor } from "../actors/supervisor.ts";
import type { UserEvent } from "../domain/event.ts";
import type { Logger } from "../obs/log.ts";
import type { NotificationHub } from "./notification_hub.ts";
import type { Recommender } from "./recommender.ts";

/** Events older than this are history, not news. */
const FRESH_MS = 60 * 60_000;
/** Users waiting at most. */
export const MAX_PENDING = 10_000;

/** Queues users after fresh bank events and pushes a new primary offer. */
export class OfferWatch {
  #supervisor: Supervisor;
  #recommender: Recommender;
  #hub: NotificationHub;
  #logger: Logger;
  #now: () => number;
  #debounceMs: number;
  #pending = new Set<string>();
  #timer: ReturnType<typeof setTimeout> | null = null;
  #running: Promise<void> | null = null;
  #stopped = false;
  pushed = 0;
  dropped = 0;

  constructor(options: {
    supervisor: Supervisor;
    recommender: Recommender;
    hub: NotificationHub;
    logger: Logger;
    now: () => number;
    debounceMs?: number;
  }) {
    this.#supervisor = options.supervisor;
    this.#recommender = options.recommender;
    this.#hub = options.hub;
    this.#logger = options.logger;
    this.#now = options.now;
    this.#debounceMs = options.debounceMs ?? 300;
  }

  /** Called for every applied event; cheap unless the event is fresh bank news. */
  observe(event: UserEvent): void {
    if (this.#stopped) return;
    if (event.type !== "operation" && event.type !== "profile") return;
    if (event.type === "profile" && event.item?.id?.startsWith("consent:")) return;
    if (this.#now() - event.tsMs > FRESH_MS) return;
    if (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.values().next().value!;
      this.#pending.delete(oldest);
      this.dropped++;
    }
    this.#pending.add(event.userId);
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#running = this.#drain().finally(() => this.#running = null);
    }, this.#debounceMs);
  }

  async #drain(): Promise<void> {
    while (this.#pending.size > 0 && !this.#stopped) {
      const userId = this.#pending.values().next().value!;
      this.#pending.delete(userId);
      try {
        await this.check(userId);
      } catch (error) {
        this.#logger.log("debug", "offer check failed", { userId, error: String(error) });
      }
    }
  }

  /** Decides for one user now and pushes the primary offer when it is new. Returns whether it pushed. */
  async check(userId: string): Promise<boolean> {
    const actor = this.#supervisor.peek(userId);
    if (actor === undefined || actor.bank === null) return false;
    if (!(actor.engagement?.consents ?? DEFAULT_CONSENTS).marketing) return false;
    const result = await this.#recommender.recommend(userId, {
      k: 1,
      lang: "ru",
      strategy: this.#recommender.defaultStrategy(userId),
      record: false,
      llmInBackground: false,
    });
    if (!result.ok) return false;
    const primary = result.value.offers[0];
    if (primary === undefined || primary.productId === actor.engagement?.lastPrimary) return false;
    const nowMs = this.#now();
    await this.#supervisor.tell(userId, { type: "offer.pushed", productId: primary.productId, atMs: nowMs });
    await this.#hub.publish(userId, {
      productId: primary.productId,
      name: primary.name,
      text: primary.explanation,
      reasons: primary.reasons.map((reason) => reason.text),
      source: primary.explanationSource,
      lang: "ru",
    }, nowMs);
    this.pushed++;
    return true;
  }

  /** Stops watching and waits for a running check. */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#pending.clear();
    await this.#running;
  }
}
