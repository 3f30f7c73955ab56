/**
 * Erasure of one user on the node that owns them (`DELETE /v1/users/:id`):
 *
 * 1. note the log position (`events`' high watermark of the user's
 *    partition) and the time;
 * 2. drop the actor from memory without a snapshot, and whatever caches
 *    derived from it (decided answers, LLM texts); from now on this node
 *    refuses the user's events at or below that position or dated before
 *    that time, and waits out any flush that had already taken the old state;
 * 3. delete the user from every table in one transaction and store the
 *    erasure mark, so any node that activates the user later does the same;
 * 4. write a tombstone (key `userId`, null value) to the compacted
 *    `users.tombstones` topic, telling every other consumer to forget them.
 *
 * Erasing twice is harmless, so a failed tombstone is retried by repeating the request.
 *
 * @module
 */

import type { Supervisor } from "../actors/supervisor.ts";
import { type EventBus, partitionFor, TOPICS } from "../bus/bus.ts";
import type { Logger } from "../obs/log.ts";
import type { Store } from "../store/store.ts";

/** What an erasure did. */
export interface ErasureReport {
  userId: string;
  /** Whether an actor was in memory. */
  actor: boolean;
  /** Rows deleted per table. */
  deleted: Record<string, number>;
  /** Where the log was cut: events at or below this offset of the partition are never applied again. */
  partition: number;
  throughOffset: number;
  erasedAt: string;
  tombstone: { topic: string; written: boolean };
}

/** What {@linkcode UserErasure} works with. */
export interface UserErasureOptions {
  supervisor: Supervisor;
  store: Store;
  bus: EventBus;
  partitionCount: number;
  logger: Logger;
  now: () => number;
  /** Drops what other in-memory caches derived from the user (decided answers, LLM texts). */
  forget?: (userId: string) => void;
}

/** Erases users owned by this node. */
export class UserErasure {
  #options: UserErasureOptions;

  constructor(options: UserErasureOptions) {
    this.#options = options;
  }

  /** Erases `userId`; the caller makes sure this node owns the user's partition. */
  async erase(userId: string): Promise<ErasureReport> {
    const { supervisor, store, bus, logger } = this.#options;
    const partition = partitionFor(userId, this.#options.partitionCount);
    const end = (await bus.endOffsets(TOPICS.events)).get(partition) ?? 0;
    const mark = { throughOffset: end - 1, erasedAtMs: this.#options.now() };
    const actor = await supervisor.erase(userId, mark);
    this.#options.forget?.(userId);
    const deleted = await store.eraseUser(userId, { partition, ...mark });
    let written = true;
    try {
      await bus.produce(TOPICS.usersTombstones, [{ key: userId, value: null }]);
    } catch (error) {
      written = false;
      logger.log("warn", "erasure tombstone not written; repeat the erasure", { error: String(error) });
    }
    // The id is pseudonymous; the log keeps no more than that the erasure happened.
    logger.log("info", "user erased", { userId, actor, partition, tombstone: written });
    return {
      userId,
      actor,
      deleted,
      partition,
      throughOffset: mark.throughOffset,
      erasedAt: new Date(mark.erasedAtMs).toISOString(),
      tombstone: { topic: TOPICS.usersTombstones, written },
    };
  }
}
