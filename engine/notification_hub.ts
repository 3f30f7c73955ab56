/**
 * Pushed notifications: each one is stored in Postgres (the user's inbox),
 * published on the `notifications` topic (one JSON record per offer, keyed by
 * user, for any downstream channel such as push or SMS), and delivered live
 * to the user's open SSE streams on this node.
 *
 * @module
 */

import { type EventBus, TOPICS } from "../bus/bus.ts";
import type { Logger } from "../obs/log.ts";
import type { Sql } from "../store/_sql.ts";
import { insertNotification, type StoredNotification } from "../store/user_data.ts";

/** What a notification carries (the API shape of `payload`). */
export interface NotificationPayload {
  productId: string;
  name: string;
  text: string;
  reasons: string[];
  source: "llm" | "template";
  lang: "ru" | "en";
}

/** A live listener (one SSE stream). */
export type NotificationListener = (notification: StoredNotification) => void;

/** Listeners per user are capped so one client cannot hold unbounded streams. */
export const MAX_STREAMS_PER_USER = 8;

/** Stores, publishes and fans out notifications. */
export class NotificationHub {
  #sql: Sql;
  #bus: EventBus;
  #logger: Logger;
  #listeners = new Map<string, Set<NotificationListener>>();
  #published = 0;

  constructor(options: { sql: Sql; bus: EventBus; logger: Logger }) {
    this.#sql = options.sql;
    this.#bus = options.bus;
    this.#logger = options.logger;
  }

  /** Notifications published by this node since start. */
  get published(): number {
    return this.#published;
  }

  /** Open streams on this node. */
  get streams(): number {
    let count = 0;
    for (const listeners of this.#listeners.values()) count += listeners.size;
    return count;
  }

  /** Subscribes a live stream; returns the unsubscribe function, or null when the user has too many. */
  subscribe(userId: string, listener: NotificationListener): (() => void) | null {
    let listeners = this.#listeners.get(userId);
    if (listeners === undefined) {
      listeners = new Set();
      this.#listeners.set(userId, listeners);
    }
    if (listeners.size >= MAX_STREAMS_PER_USER) return null;
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.#listeners.delete(userId);
    };
  }

  /** Stores, publishes and delivers one notification. */
  async publish(userId: string, payload: NotificationPayload, nowMs: number): Promise<StoredNotification> {
    const notification: StoredNotification = {
      id: crypto.randomUUID(),
      userId,
      productId: payload.productId,
      payload: { ...payload },
      createdAt: new Date(nowMs).toISOString(),
    };
    await insertNotification(this.#sql, notification);
    await this.#bus.produce(TOPICS.notifications, [{
      key: userId,
      value: JSON.stringify({
        notificationId: notification.id,
        userId,
        ...payload,
        createdAt: notification.createdAt,
      }),
    }]);
    this.#published++;
    for (const listener of this.#listeners.get(userId) ?? []) {
      try {
        listener(notification);
      } catch (error) {
        this.#logger.log("warn", "notification listener failed", { error: String(error) });
      }
    }
    return notification;
  }
}
