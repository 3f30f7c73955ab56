/**
 * The supervisor: activates user actors on first use (restoring from their
 * Postgres snapshot), runs their mailboxes, restarts a crashing actor from its
 * snapshot plus a replay of its journal, dead-letters poison messages,
 * passivates idle actors under a resident cap in LRU order, and flushes dirty
 * actors in batches with the partition's Kafka offset in the same transaction.
 *
 * @module
 */

import type { IncomingRecord } from "../bus/bus.ts";
import { type EventType, parseEventJson, type UserEvent } from "../domain/event.ts";
import { partitionFor } from "../bus/bus.ts";
import {
  decodeSnapshot,
  encodeSnapshot,
  UserActor,
  type UserActorMessage,
  type UserActorResult,
} from "./user_actor.ts";
import type { SupervisorMetrics } from "./supervisor_metrics.ts";
import { planFlushChunks } from "./_flush_plan.ts";
import type { DeadLetter, ErasureMark, Flush, SnapshotStore, StoredSnapshot } from "./snapshot_store.ts";

export type { DeadLetter, ErasureMark, Flush, SnapshotStore, StoredSnapshot } from "./snapshot_store.ts";

/** Options for {@linkcode Supervisor}. */
export interface SupervisorOptions {
  store: SnapshotStore;
  nodeId: string;
  topic: string;
  partitionCount: number;
  /** The lease epoch this node holds for a partition, or undefined when it does not own it. */
  epochOf(partition: number): number | undefined;
  /** Publishes dead letters; awaited before a batch counts as consumed. */
  deadLetter(letters: DeadLetter[]): Promise<void>;
  /** Called after a watermark is durable in Postgres, to commit it to the bus. */
  onDurable?(partition: number, nextOffset: number): void;
  /** Called when Postgres says another node took a partition over. */
  onFenced?(partition: number): void;
  metrics: SupervisorMetrics;
  /** Idle time after which an actor is passivated. */
  idleMs?: number;
  /** Resident actor cap (count). */
  maxResident?: number;
  /** Resident actor cap (estimated bytes). */
  maxResidentBytes?: number;
  /** Failures of one message before it is dead-lettered. */
  maxFailures?: number;
  /** Longest `activate()` waits for a snapshot before it throws {@linkcode StoreUnavailableError} (default 3 s). */
  activateWaitMs?: number;
  /**
   * Longest a batch waits for its crashed actors' restarts before it fails with
   * {@linkcode StoreUnavailableError} and is delivered again (default 5 s). The restarts go on.
   */
  restartWaitMs?: number;
  /** First and longest pause between attempts to restart an actor whose snapshot did not load (250 ms, 5 s). */
  restartBackoffMs?: { first: number; max: number };
  /** Event types written to `event_log` with the snapshot. */
  loggedTypes?: ReadonlySet<EventType>;
  /** Snapshots per flush transaction. */
  flushChunk?: number;
  now?: () => number;
  /** Fault injection for tests: throw to make an actor crash on an event. */
  beforeApply?: (event: UserEvent) => void;
  /** Told of every event an actor applied (once, in order); must be cheap and must not throw. */
  onApplied?: (event: UserEvent) => void;
}

/** Estimated fixed bytes of an idle actor with its cell, as `deno task bench` measures it (memory). */
export const ACTOR_BASE_BYTES = 2_050;

interface JournalEntry {
  event: UserEvent;
  offset: number;
}

type CellStatus = "active" | "restarting" | "stopped";

/** The supervisor's bookkeeping around one actor. */
interface ActorCell {
  actor: UserActor;
  status: CellStatus;
  dirty: boolean;
  /**
   * Events applied since the last durable snapshot, for restart and the event
   * log; null when empty, so an idle actor carries no array.
   */
  journal: JournalEntry[] | null;
  /** Messages waiting while the actor restarts; null when none. */
  mailbox: UserActorMessage[] | null;
  failures: number;
  lastActiveMs: number;
  lastSnapshotAt: number | null;
  /** A captured snapshot of this actor is being written; it must stay resident until then. */
  inFlush: boolean;
}

/** A dirty actor taken by a flush; its state is encoded just before its chunk is written. */
interface CapturedCell {
  cell: ActorCell;
  partition: number;
  state: Uint8Array;
  offset: number;
  eventsApplied: number;
  /** Journal entries the state covers (their event log rows go with it). */
  journalLength: number;
}

const EMPTY_STATE = new Uint8Array(0);
/** Longest the event loop is held while a flush encodes states, in milliseconds. */
const ENCODE_SLICE_MS = 10;

/** Lets timers and I/O callbacks (Kafka fetches, activations) run. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** Outcome of one batch. */
export interface BatchOutcome {
  applied: number;
  replayed: number;
  deadLettered: number;
}

/** A summary of one resident actor for admin views. */
export interface ActorSummary {
  userId: string;
  partition: number;
  offset: number;
  eventsApplied: number;
  dirty: boolean;
  status: CellStatus;
  lastSnapshotAt: string | null;
  lastActiveAt: string;
}

/** Error raised when a request names a user that was erased and has no data since. */
export class ErasedUserError extends Error {
  constructor(readonly userId: string) {
    super(`User ${userId} was erased`);
    this.name = "ErasedUserError";
  }
}

/** Erasure marks remembered in memory at most (Postgres keeps them all; these save a lookup). */
const MAX_ERASURE_MARKS = 10_000;

/** Error raised when a user's snapshot cannot be loaded now (Postgres is away or too slow). */
export class StoreUnavailableError extends Error {
  constructor(options?: ErrorOptions) {
    super("The user's state could not be loaded from Postgres in time", options);
    this.name = "StoreUnavailableError";
  }
}

/** Error raised when a user's partition is owned by another node. */
export class NotOwnerError extends Error {
  constructor(readonly partition: number, options?: ErrorOptions) {
    super(`Partition ${partition} is owned by another node`, options);
    this.name = "NotOwnerError";
  }
}

const DEFAULT_LOGGED: ReadonlySet<EventType> = new Set<EventType>([
  "order",
  "operation",
  "rating",
  "feedback",
  "profile",
]);

/** Supervises every user actor of this node. */
export class Supervisor {
  #options: SupervisorOptions;
  #metrics: SupervisorMetrics;
  #now: () => number;
  /** Resident actors in LRU order: the first entry is the least recently used. */
  #cells = new Map<string, ActorCell>();
  #activating = new Map<string, Promise<void>>();
  /** How many times each partition's actors were dropped (released, fenced or lost). */
  #drops = new Map<number, number>();
  #restarts = new Set<Promise<void>>();
  /** Next offset to consume, per partition, once a batch is fully handled. */
  #consumed = new Map<number, number>();
  /** Watermark already durable in Postgres, per partition. */
  #durable = new Map<number, number>();
  #inFlight = new Map<number, Promise<unknown>>();
  #flushing: Promise<void> | null = null;
  #stoppedDrops = 0;
  /** Poison messages found by restarts, per partition, dead-lettered with their batch. */
  #poisoned = new Map<number, DeadLetter[]>();
  /** Erased users this node knows of: their old events are dropped, their old snapshots ignored. */
  #erased = new Map<string, ErasureMark>();
  #erasedDrops = 0;

  constructor(options: SupervisorOptions) {
    this.#options = options;
    this.#metrics = options.metrics;
    this.#now = options.now ?? Date.now;
  }

  /** Resident actor count. */
  get size(): number {
    return this.#cells.size;
  }

  /** Messages dropped because their actor had stopped. */
  get droppedMessages(): number {
    return this.#stoppedDrops;
  }

  /** Events of erased users dropped because they predate the erasure. */
  get erasedEventsDropped(): number {
    return this.#erasedDrops;
  }

  /**
   * Applies a batch from one partition: validates each record, activates the
   * users it touches with one query, applies events in offset order, and
   * dead-letters what cannot be applied. Resolves once the batch is fully
   * handled, including restarts it caused.
   */
  applyBatch(partition: number, records: IncomingRecord[]): Promise<BatchOutcome> {
    const previous = this.#inFlight.get(partition) ?? Promise.resolve();
    const run = previous.then(() => this.#applyBatch(partition, records));
    const tracked = run.finally(() => {
      if (this.#inFlight.get(partition) === tracked) this.#inFlight.delete(partition);
    });
    // The caller gets a failure through `run`; the bookkeeping copy must not be an unhandled rejection
    // (with Postgres down that would end the process).
    tracked.catch(() => {});
    this.#inFlight.set(partition, tracked);
    return run;
  }

  async #applyBatch(partition: number, records: IncomingRecord[]): Promise<BatchOutcome> {
    const epoch = this.#options.epochOf(partition);
    if (epoch === undefined) throw new NotOwnerError(partition);
    const outcome: BatchOutcome = { applied: 0, replayed: 0, deadLettered: 0 };
    const letters: DeadLetter[] = [];
    const events: (UserEvent | null)[] = new Array(records.length);
    const missing = new Set<string>();
    const nowMs = this.#now();
    for (let i = 0; i < records.length; i++) {
      const record = records[i];
      const parsed = parseEventJson(record.value, { nowMs });
      let reason: string | null = null;
      if (!parsed.ok) reason = parsed.reason;
      else if (record.key !== null && record.key !== parsed.event.userId) {
        reason = "key does not match userId";
      } else {
        // Hashing the id costs an allocation; a resident actor already knows its partition.
        const resident = this.#cells.get(parsed.event.userId);
        const home = resident
          ? resident.actor.partition
          : partitionFor(parsed.event.userId, this.#options.partitionCount);
        if (home !== partition) reason = "userId belongs to another partition";
      }
      if (reason !== null) {
        events[i] = null;
        letters.push({
          partition,
          offset: record.offset,
          key: record.key,
          value: record.value,
          reason,
          requestId: record.headers["x-request-id"],
        });
        continue;
      }
      const event = (parsed as { ok: true; event: UserEvent }).event;
      events[i] = event;
      if (!this.#cells.has(event.userId)) missing.add(event.userId);
    }
    if (missing.size > 0) await this.#activateMany([...missing], partition);
    // Lost meanwhile (another node forced the lease): nothing of this batch is applied or counted as consumed.
    if (this.#options.epochOf(partition) !== epoch) throw new NotOwnerError(partition);
    let erasedTouched: Set<string> | null = null;
    for (let i = 0; i < records.length; i++) {
      const event = events[i];
      if (event === null) continue;
      if (this.#erased.size > 0 && this.#predatesErasure(event, records[i].offset)) {
        // Not dead-lettered: the DLQ would keep the very data the erasure removed.
        this.#erasedDrops++;
        (erasedTouched ??= new Set()).add(event.userId);
        continue;
      }
      const result = this.#deliver(event.userId, {
        type: "event.apply",
        event,
        partition,
        offset: records[i].offset,
      });
      if (result === null) continue;
      if (result.ok && result.applied) outcome.applied++;
      else if (result.ok) outcome.replayed++;
      else {
        letters.push({
          partition,
          offset: records[i].offset,
          key: records[i].key,
          value: records[i].value,
          reason: result.reason,
          requestId: records[i].headers["x-request-id"],
        });
      }
    }
    // Old events of an erased user activated an empty actor to be dropped against; it need not stay.
    if (erasedTouched !== null) { for (const userId of erasedTouched) this.#dropIfErasedAndEmpty(userId); }
    // A restart re-applies the journal and retries the failed message; the batch
    // is not consumed until that is done, so the watermark never passes it.
    if (this.#restarts.size > 0) await this.#awaitRestarts();
    const poisoned = this.#poisoned.get(partition);
    if (poisoned) {
      this.#poisoned.delete(partition);
      letters.push(...poisoned);
    }
    if (letters.length > 0) {
      await this.#options.deadLetter(letters);
      this.#metrics.deadLetters.inc(undefined, letters.length);
    }
    outcome.deadLettered = letters.length;
    if (this.#options.epochOf(partition) !== epoch) throw new NotOwnerError(partition);
    if (records.length > 0) this.#consumed.set(partition, records[records.length - 1].offset + 1);
    this.#metrics.eventsApplied.inc(undefined, outcome.applied);
    return outcome;
  }

  /**
   * Runs one message on a resident actor: to completion when active, queued
   * while it restarts, dropped (and counted) when it has stopped.
   */
  #deliver(userId: string, message: UserActorMessage): UserActorResult | null {
    const cell = this.#cells.get(userId);
    if (cell === undefined || cell.status === "stopped") {
      this.#stoppedDrops++;
      this.#metrics.droppedMessages.inc();
      return null;
    }
    if (cell.status === "restarting") {
      (cell.mailbox ??= []).push(message);
      return null;
    }
    return this.#run(cell, message);
  }

  #run(cell: ActorCell, message: UserActorMessage): UserActorResult | null {
    try {
      if (message.type === "event.apply") this.#options.beforeApply?.(message.event);
      const result = cell.actor.receive(message);
      if (message.type === "event.apply" && result.ok && result.applied) {
        (cell.journal ??= []).push({ event: message.event, offset: message.offset });
        this.#options.onApplied?.(message.event);
      }
      if (result.ok && result.applied) cell.dirty = true;
      if (!result.ok) cell.dirty = true;
      cell.failures = 0;
      // Housekeeping messages must not keep an idle actor resident.
      if (message.type === "event.apply" || message.type === "session.turn") this.#touch(cell);
      return result;
    } catch (error) {
      this.#onActorFailed(cell, message, error);
      return null;
    }
  }

  /** The escalation path: restart from snapshot plus journal, or dead-letter a poison message. */
  #onActorFailed(cell: ActorCell, message: UserActorMessage, error: unknown): void {
    cell.failures++;
    cell.status = "restarting";
    this.#metrics.actorFailures.inc();
    const poison = cell.failures >= (this.#options.maxFailures ?? 3);
    if (poison && message.type === "event.apply") {
      const letters = this.#poisoned.get(message.partition) ?? [];
      this.#poisoned.set(message.partition, letters);
      letters.push({
        partition: message.partition,
        offset: message.offset,
        key: message.event.userId,
        value: JSON.stringify(message.event),
        reason: `poison message: ${error instanceof Error ? error.message : String(error)}`,
      });
    } else {
      (cell.mailbox ??= []).unshift(message);
    }
    const restart = this.#restartUntilDone(
      cell,
      poison && message.type === "event.apply" ? message.offset : null,
    )
      .finally(() => this.#restarts.delete(restart));
    this.#restarts.add(restart);
  }

  /**
   * Restarts until the snapshot loads. A single attempt used to give up after about 3 s of Postgres not
   * answering and left the actor "restarting" for good: its mailbox grew and its user was never served.
   * Stops trying (and resolves) once the cell is no longer the user's resident one: its partition was
   * dropped or released, or the user erased.
   */
  async #restartUntilDone(cell: ActorCell, skipOffset: number | null): Promise<void> {
    const backoff = this.#options.restartBackoffMs ?? { first: 250, max: 5_000 };
    const wanted = () => this.#cells.get(cell.actor.userId) === cell && cell.status === "restarting";
    for (let delay = backoff.first; wanted(); delay = Math.min(delay * 2, backoff.max)) {
      try {
        await this.#restart(cell, skipOffset);
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  /** Waits for pending restarts, at most `restartWaitMs`; a batch that cannot wait longer is redelivered. */
  async #awaitRestarts(): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<false>((resolve) => {
      timer = setTimeout(resolve, this.#options.restartWaitMs ?? 5_000, false);
    });
    try {
      while (this.#restarts.size > 0) {
        const done = await Promise.race([Promise.all([...this.#restarts]).then(() => true), timeout]);
        if (!done) throw new StoreUnavailableError();
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async #restart(cell: ActorCell, skipOffset: number | null): Promise<void> {
    const userId = cell.actor.userId;
    const snapshots = await this.#loadWithRetry([userId]);
    const actor = this.#actorFrom(userId, cell.actor.partition, snapshots.get(userId));
    for (const entry of cell.journal ?? []) {
      if (entry.offset > actor.offset) {
        actor.receive({
          type: "event.apply",
          event: entry.event,
          partition: actor.partition,
          offset: entry.offset,
        });
      }
    }
    if (skipOffset !== null) {
      actor.skip(skipOffset);
      cell.dirty = true;
      cell.failures = 0;
    }
    cell.actor = actor;
    cell.status = "active";
    this.#metrics.actorRestarts.inc();
    const pending = cell.mailbox ?? [];
    cell.mailbox = null;
    for (let i = 0; i < pending.length; i++) {
      if (cell.status !== "active") {
        (cell.mailbox ??= []).push(...pending.slice(i));
        return;
      }
      this.#run(cell, pending[i]);
    }
  }

  #touch(cell: ActorCell): void {
    cell.lastActiveMs = this.#now();
    const userId = cell.actor.userId;
    // Re-inserting keeps the Map in least-recently-used order.
    this.#cells.delete(userId);
    this.#cells.set(userId, cell);
  }

  async #loadWithRetry(userIds: string[]): Promise<Map<string, StoredSnapshot>> {
    let delay = 50;
    for (;;) {
      try {
        return await this.#options.store.loadSnapshots(userIds);
      } catch (error) {
        this.#metrics.storeErrors.inc({ operation: "load" });
        if (delay > 2_000) throw error;
        await new Promise((resolve) => setTimeout(resolve, delay));
        delay *= 2;
      }
    }
  }

  async #activateMany(userIds: string[], partition: number): Promise<void> {
    const waits: Promise<void>[] = [];
    const toLoad: string[] = [];
    for (const userId of userIds) {
      const pending = this.#activating.get(userId);
      if (pending) waits.push(pending);
      else if (!this.#cells.has(userId)) toLoad.push(userId);
    }
    if (toLoad.length > 0) {
      const started = performance.now();
      const epoch = this.#options.epochOf(partition);
      const drops = this.#drops.get(partition) ?? 0;
      const load = this.#loadWithRetry(toLoad).then((snapshots) => {
        // The partition was given up (or taken over) while the snapshots loaded: an actor made now would
        // live beside the new owner's, from a snapshot that may already be stale. The caller finds no cell.
        if (this.#options.epochOf(partition) !== epoch || (this.#drops.get(partition) ?? 0) !== drops) return;
        const elapsed = (performance.now() - started) / 1000;
        for (const userId of toLoad) {
          if (this.#cells.has(userId)) continue;
          const stored = snapshots.get(userId);
          const actor = this.#actorFrom(userId, partition, stored);
          this.#cells.set(userId, {
            actor,
            status: "active",
            dirty: false,
            journal: null,
            mailbox: null,
            failures: 0,
            lastActiveMs: this.#now(),
            lastSnapshotAt: stored ? stored.updatedAt.getTime() : null,
            inFlush: false,
          });
          this.#metrics.activations.inc();
          this.#metrics.activationSeconds.observe(elapsed);
        }
      });
      const settled = load.finally(() => {
        for (const userId of toLoad) this.#activating.delete(userId);
      });
      for (const userId of toLoad) this.#activating.set(userId, settled);
      waits.push(settled);
    }
    await Promise.all(waits);
  }

  /** The resident actor of a user, activating it from its snapshot if needed. */
  async activate(userId: string): Promise<UserActor> {
    const partition = partitionFor(userId, this.#options.partitionCount);
    if (this.#options.epochOf(partition) === undefined) throw new NotOwnerError(partition);
    if (!this.#cells.has(userId)) {
      // A request does not wait out a database that does not answer: it is told to retry, and the load
      // goes on for whoever asks next.
      let timer: ReturnType<typeof setTimeout> | undefined;
      const loaded = await Promise.race([
        this.#activateMany([userId], partition).then(() => true),
        new Promise<boolean>((resolve) =>
          timer = setTimeout(resolve, this.#options.activateWaitMs ?? 3_000, false)
        ),
      ]).catch((error) => {
        throw new StoreUnavailableError({ cause: error });
      }).finally(() => clearTimeout(timer));
      if (!loaded) throw new StoreUnavailableError();
    }
    const cell = this.#cells.get(userId);
    if (!cell) throw new NotOwnerError(partition);
    if (this.#dropIfErasedAndEmpty(userId)) throw new ErasedUserError(userId);
    this.#touch(cell);
    return cell.actor;
  }

  /**
   * Erases a user from this node's memory: the actor goes without a snapshot,
   * its unsaved journal with it, and from now on the user's events up to the
   * mark are dropped and older snapshots ignored. Resolves once no flush or
   * batch that could still write the old state is in flight, so the caller can
   * delete the user from Postgres next. Returns whether an actor was resident.
   */
  async erase(userId: string, mark: ErasureMark): Promise<boolean> {
    const partition = partitionFor(userId, this.#options.partitionCount);
    if (this.#options.epochOf(partition) === undefined) throw new NotOwnerError(partition);
    this.#rememberErasure(userId, mark);
    const cell = this.#cells.get(userId);
    if (cell) {
      cell.journal = null;
      cell.mailbox = null;
      cell.dirty = false;
      cell.status = "stopped";
      this.#cells.delete(userId);
    }
    await this.#inFlight.get(partition)?.catch(() => {});
    await this.#flushing?.catch(() => {});
    return cell !== undefined;
  }

  /** The erasure mark of a user, if this node knows of one. */
  erasureOf(userId: string): ErasureMark | undefined {
    return this.#erased.get(userId);
  }

  #rememberErasure(userId: string, mark: ErasureMark): void {
    const known = this.#erased.get(userId);
    this.#erased.delete(userId);
    this.#erased.set(userId, {
      throughOffset: Math.max(mark.throughOffset, known?.throughOffset ?? -1),
      erasedAtMs: Math.max(mark.erasedAtMs, known?.erasedAtMs ?? 0),
    });
    if (this.#erased.size > MAX_ERASURE_MARKS) this.#erased.delete(this.#erased.keys().next().value!);
  }

  #predatesErasure(event: UserEvent, offset: number): boolean {
    const mark = this.#erased.get(event.userId);
    return mark !== undefined && (offset <= mark.throughOffset || event.tsMs <= mark.erasedAtMs);
  }

  /** Removes an erased user's actor that has applied nothing since; returns whether it did. */
  #dropIfErasedAndEmpty(userId: string): boolean {
    const cell = this.#cells.get(userId);
    if (!cell || !this.#erased.has(userId) || cell.actor.eventsApplied !== 0 || cell.dirty) return false;
    if (cell.status !== "active" || cell.inFlush) return false;
    cell.status = "stopped";
    this.#cells.delete(userId);
    return true;
  }

  /**
   * The actor to activate from what Postgres had: its snapshot, unless an
   * erasure cut the history after it; then an empty actor positioned at the
   * erasure, so older records on the log count as replays.
   */
  #actorFrom(userId: string, partition: number, stored: StoredSnapshot | undefined): UserActor {
    if (stored?.erasure) this.#rememberErasure(userId, stored.erasure);
    const mark = this.#erased.get(userId);
    if (stored && stored.state.length > 0 && (mark === undefined || stored.offset > mark.throughOffset)) {
      return new UserActor(userId, partition, decodeSnapshot(stored.state));
    }
    const actor = new UserActor(userId, partition);
    if (mark !== undefined) actor.skip(mark.throughOffset);
    return actor;
  }

  /** Sends a non-event message (a session turn, say) to a user's actor. */
  async tell(userId: string, message: UserActorMessage): Promise<UserActorResult | null> {
    await this.activate(userId);
    return this.#deliver(userId, message);
  }

  /**
   * Sends `message` to every resident actor (a periodic refresh, say), yielding
   * to the event loop between chunks so ingest keeps flowing. Returns how many got it.
   */
  async broadcast(make: () => UserActorMessage, signal?: AbortSignal): Promise<number> {
    let delivered = 0;
    const userIds = [...this.#cells.keys()];
    for (let i = 0; i < userIds.length; i++) {
      if (signal?.aborted) break;
      if (this.#deliver(userIds[i], make()) !== null) delivered++;
      if (i % 5_000 === 4_999) await new Promise((resolve) => setTimeout(resolve, 0));
    }
    return delivered;
  }

  /** The resident actor, if any, without activating it. */
  peek(userId: string): UserActor | undefined {
    return this.#cells.get(userId)?.actor;
  }

  /**
   * What {@linkcode Supervisor.activate} does for a resident actor of a
   * partition owned here, without waiting: marks it as used (its LRU place)
   * and returns it. Undefined, and nothing done, in every other case (then
   * call `activate`).
   */
  touchResident(userId: string, partition: number): UserActor | undefined {
    const cell = this.#cells.get(userId);
    if (cell === undefined || this.#options.epochOf(partition) === undefined) return undefined;
    if (this.#erased.has(userId) && this.#dropIfErasedAndEmpty(userId)) return undefined;
    this.#touch(cell);
    return cell.actor;
  }

  /** An admin summary of one resident actor. */
  describe(userId: string): ActorSummary | undefined {
    const cell = this.#cells.get(userId);
    if (!cell) return undefined;
    return {
      userId,
      partition: cell.actor.partition,
      offset: cell.actor.offset,
      eventsApplied: cell.actor.eventsApplied,
      dirty: cell.dirty,
      status: cell.status,
      lastSnapshotAt: cell.lastSnapshotAt === null ? null : new Date(cell.lastSnapshotAt).toISOString(),
      lastActiveAt: new Date(cell.lastActiveMs).toISOString(),
    };
  }

  /** Ids of every resident actor, least recently used first. */
  residentUserIds(): string[] {
    return [...this.#cells.keys()];
  }

  /** Resident actors, most recently used first. */
  list(limit: number): ActorSummary[] {
    const result: ActorSummary[] = [];
    const ids = [...this.#cells.keys()];
    for (let i = ids.length - 1; i >= 0 && result.length < limit; i--) {
      result.push(this.describe(ids[i])!);
    }
    return result;
  }

  /** Messages waiting in mailboxes (actors being restarted hold theirs until they are back). */
  mailboxDepth(): number {
    let depth = 0;
    for (const cell of this.#cells.values()) depth += cell.mailbox?.length ?? 0;
    return depth;
  }

  /** Resident actor counts per partition. */
  countsByPartition(): Record<number, number> {
    const counts: Record<number, number> = {};
    for (const cell of this.#cells.values()) {
      counts[cell.actor.partition] = (counts[cell.actor.partition] ?? 0) + 1;
    }
    return counts;
  }

  /** Estimated bytes held by resident actors. */
  residentBytes(): number {
    let bytes = 0;
    for (const cell of this.#cells.values()) {
      bytes += ACTOR_BASE_BYTES + cell.actor.variableBytes() + (cell.journal?.length ?? 0) * 400;
    }
    return bytes;
  }

  /** Dirty actors waiting for a flush. */
  dirtyCount(): number {
    let count = 0;
    for (const cell of this.#cells.values()) if (cell.dirty) count++;
    return count;
  }

  /** Per-partition offsets: consumed in memory and durable in Postgres. */
  offsets(): { partition: number; consumed: number | null; durable: number | null }[] {
    const partitions = new Set([...this.#consumed.keys(), ...this.#durable.keys()]);
    return [...partitions].sort((a, b) => a - b).map((partition) => ({
      partition,
      consumed: this.#consumed.get(partition) ?? null,
      durable: this.#durable.get(partition) ?? null,
    }));
  }

  /**
   * Writes dirty actors to Postgres in batched transactions. Without a filter
   * it also advances each owned partition's watermark, in the same
   * transaction as that partition's last snapshots. Concurrent calls queue.
   */
  flush(filter?: { partitions?: ReadonlySet<number>; userIds?: readonly string[] }): Promise<void> {
    const previous = this.#flushing ?? Promise.resolve();
    const run = previous.catch(() => {}).then(() => this.#flush(filter));
    const tracked = run.finally(() => {
      if (this.#flushing === tracked) this.#flushing = null;
    });
    // As in applyBatch: the caller sees the failure; the queue's copy of it is handled here.
    tracked.catch(() => {});
    this.#flushing = tracked;
    return run;
  }

  async #flush(
    filter?: { partitions?: ReadonlySet<number>; userIds?: readonly string[] },
  ): Promise<void> {
    const started = performance.now();
    const captured: CapturedCell[] = [];
    // Partitions with a dirty actor this flush cannot capture (it is restarting):
    // their watermark must wait, or a crash would skip that actor's unsaved events.
    const blocked = new Set<number>();
    const consider = (cell: ActorCell) => {
      if (!cell.dirty) return;
      if (filter?.partitions && !filter.partitions.has(cell.actor.partition)) return;
      if (cell.status !== "active" || cell.inFlush) {
        blocked.add(cell.actor.partition);
        return;
      }
      if (this.#options.epochOf(cell.actor.partition) === undefined) return;
      captured.push({
        cell,
        partition: cell.actor.partition,
        state: EMPTY_STATE,
        offset: -1,
        eventsApplied: 0,
        journalLength: 0,
      });
      cell.dirty = false;
      cell.inFlush = true;
    };
    if (filter?.userIds) {
      for (const userId of filter.userIds) {
        const cell = this.#cells.get(userId);
        if (cell) consider(cell);
      }
    } else {
      for (const cell of this.#cells.values()) consider(cell);
    }
    // Watermarks are captured in the same synchronous step as the set of dirty actors:
    // every event below a watermark is already applied to an actor captured here (or
    // saved earlier). States are encoded later, chunk by chunk with the event loop
    // free in between; a later state holds those events and possibly more, which is
    // safe because each snapshot carries its own offset.
    const watermarks = new Map<number, number>();
    if (!filter?.userIds) {
      for (const [partition, consumed] of this.#consumed) {
        if (filter?.partitions && !filter.partitions.has(partition)) continue;
        if (this.#options.epochOf(partition) === undefined || blocked.has(partition)) continue;
        if (consumed > (this.#durable.get(partition) ?? -1)) watermarks.set(partition, consumed);
      }
    }
    const chunks = planFlushChunks(captured, watermarks, this.#options.flushChunk ?? 5_000);
    const loggedTypes = this.#options.loggedTypes ?? DEFAULT_LOGGED;
    for (let c = 0; c < chunks.length; c++) {
      const { items: planned, partitions } = chunks[c];
      let result: Awaited<ReturnType<SnapshotStore["writeFlush"]>>;
      let chunk: CapturedCell[] = [];
      try {
        chunk = await this.#encodeChunk(planned);
        if (chunk.length < planned.length) {
          // An actor crashed or its partition went away before its state was taken:
          // its partition's watermark (in this chunk or a later one) must wait.
          const kept = new Set(chunk);
          for (const item of planned) {
            if (!kept.has(item)) watermarks.delete(item.partition);
          }
        }
        const chunkWatermarks = chunks[c].watermarks.filter((mark) => watermarks.has(mark.partition));
        chunks[c].watermarks = chunkWatermarks;
        const fences: Flush["fences"] = [];
        for (const partition of partitions) {
          const epoch = this.#options.epochOf(partition);
          if (epoch !== undefined) fences.push({ partition, epoch });
        }
        const log: Flush["log"] = [];
        for (const item of chunk) {
          const journal = item.cell.journal;
          for (let i = 0; i < item.journalLength; i++) {
            const { event, offset } = journal![i];
            if (!loggedTypes.has(event.type)) continue;
            const { tsMs: _tsMs, ...payload } = event;
            log.push({
              eventId: event.eventId,
              userId: event.userId,
              type: event.type,
              ts: new Date(event.tsMs).toISOString(),
              payload,
              partition: item.partition,
              offset,
            });
          }
        }
        result = await this.#options.store.writeFlush({
          topic: this.#options.topic,
          nodeId: this.#options.nodeId,
          fences,
          snapshots: chunk.map((item) => ({
            userId: item.cell.actor.userId,
            partition: item.partition,
            offset: item.offset,
            eventsApplied: item.eventsApplied,
            state: item.state,
          })),
          log,
          watermarks: chunkWatermarks,
        });
      } catch (error) {
        this.#metrics.storeErrors.inc({ operation: "flush" });
        for (const rest of chunks.slice(c)) {
          for (const item of rest.items) {
            item.cell.dirty = true;
            item.cell.inFlush = false;
          }
        }
        throw error;
      }
      for (const item of chunk) item.cell.inFlush = false;
      if (!result.ok) {
        this.#metrics.fenced.inc(undefined, result.partitions.length);
        for (const item of chunk) item.cell.dirty = true;
        for (const partition of result.partitions) {
          this.dropPartitions(new Set([partition]));
          this.#options.onFenced?.(partition);
        }
        continue;
      }
      const at = this.#now();
      for (const item of chunk) {
        const journal = item.cell.journal;
        if (journal !== null) {
          // Events applied while the write ran stay for the next flush.
          if (journal.length === item.journalLength) item.cell.journal = null;
          else journal.splice(0, item.journalLength);
        }
        item.cell.lastSnapshotAt = at;
      }
      this.#metrics.snapshotsWritten.inc(undefined, chunk.length);
      for (const { partition, nextOffset } of chunks[c].watermarks) {
        this.#durable.set(partition, nextOffset);
        this.#options.onDurable?.(partition, nextOffset);
      }
    }
    this.#metrics.flushSeconds.observe((performance.now() - started) / 1000);
  }

  /**
   * Encodes the states of one chunk, yielding to the event loop every few
   * hundred actors so that ingest keeps flowing while a large flush encodes.
   * Returns the items it could take; an actor that is no longer active (it
   * crashed, or its partition was dropped) is left out and marked dirty again.
   */
  async #encodeChunk(items: CapturedCell[]): Promise<CapturedCell[]> {
    const taken: CapturedCell[] = [];
    let sliceStarted = performance.now();
    for (let i = 0; i < items.length; i++) {
      // Yield by time, not count: timers nested this deep are clamped to 4 ms each.
      if (i % 64 === 63 && performance.now() - sliceStarted > ENCODE_SLICE_MS) {
        await yieldToEventLoop();
        sliceStarted = performance.now();
      }
      const item = items[i];
      const cell = item.cell;
      if (cell.status !== "active" || this.#options.epochOf(item.partition) === undefined) {
        cell.inFlush = false;
        if (cell.status !== "stopped") cell.dirty = true;
        continue;
      }
      item.state = encodeSnapshot(cell.actor.toSnapshot());
      item.offset = cell.actor.offset;
      item.eventsApplied = cell.actor.eventsApplied;
      item.journalLength = cell.journal?.length ?? 0;
      taken.push(item);
    }
    return taken;
  }

  /** Snapshots (if dirty) and removes one actor. */
  async passivate(userId: string): Promise<boolean> {
    const cell = this.#cells.get(userId);
    if (!cell) return false;
    if (cell.dirty) await this.flush({ userIds: [userId] });
    if (cell.dirty || cell.inFlush || cell.status !== "active") return false;
    this.#remove(cell);
    return true;
  }

  #remove(cell: ActorCell): void {
    cell.status = "stopped";
    this.#cells.delete(cell.actor.userId);
    this.#metrics.passivations.inc();
  }

  /**
   * Passivates clean actors that are idle or beyond the resident caps, oldest
   * first. Dirty ones wait for the next flush. Returns how many were removed.
   */
  sweep(): number {
    const now = this.#now();
    const idleMs = this.#options.idleMs ?? 10 * 60_000;
    const maxResident = this.#options.maxResident ?? 1_000_000;
    const maxBytes = this.#options.maxResidentBytes ?? 2 * 1024 ** 3;
    let bytes = this.residentBytes();
    let removed = 0;
    for (const cell of [...this.#cells.values()]) {
      const overCap = this.#cells.size > maxResident || bytes > maxBytes;
      const idle = now - cell.lastActiveMs >= idleMs;
      if (!overCap && !idle) break; // LRU order: everything after is newer.
      if (cell.dirty || cell.inFlush || cell.status !== "active" || cell.mailbox !== null) continue;
      bytes -= ACTOR_BASE_BYTES + cell.actor.variableBytes() + (cell.journal?.length ?? 0) * 400;
      this.#remove(cell);
      removed++;
    }
    return removed;
  }

  /** Waits for any batch in flight on these partitions. */
  async quiesce(partitions: ReadonlySet<number>): Promise<void> {
    const pending = [...partitions].map((partition) => this.#inFlight.get(partition)).filter(Boolean);
    await Promise.allSettled(pending);
  }

  /** Flushes and passivates every actor of partitions this node gives up. */
  async releasePartitions(partitions: ReadonlySet<number>): Promise<void> {
    await this.quiesce(partitions);
    try {
      await this.flush({ partitions });
    } finally {
      this.dropPartitions(partitions);
    }
  }

  /** Removes every actor of these partitions without writing them (fenced or lost). */
  dropPartitions(partitions: ReadonlySet<number>): void {
    for (const partition of partitions) this.#drops.set(partition, (this.#drops.get(partition) ?? 0) + 1);
    for (const cell of [...this.#cells.values()]) {
      if (partitions.has(cell.actor.partition)) this.#remove(cell);
    }
    for (const partition of partitions) {
      this.#consumed.delete(partition);
      this.#durable.delete(partition);
    }
    // The next owner reads the marks from Postgres.
    for (const userId of [...this.#erased.keys()]) {
      if (partitions.has(partitionFor(userId, this.#options.partitionCount))) this.#erased.delete(userId);
    }
  }
}
