/**
 * Bytes per idle resident actor: actors activated and fed through a real
 * supervisor against Postgres, flushed so they are clean and idle, measured
 * as the settled V8 heap growth per actor. Variants (a bare empty actor, an
 * actor after events, and its parts) show what dominates.
 *
 * @module
 */

import { encodeSnapshot, UserActor } from "../actors/user_actor.ts";
import { Preferences } from "../actors/preferences.ts";
import { ACTOR_BASE_BYTES } from "../actors/supervisor.ts";
import { parseEventJson } from "../domain/event.ts";
import { FeatureWindow } from "../model/feature_window.ts";
import { makeEventJson } from "./_events.ts";
import { round, settledMemory } from "./_stats.ts";
import { indexes, openSupervisorFixture } from "./_supervisor_fixture.ts";

/** SPEC target: bytes per idle resident actor. */
export const MEMORY_TARGET_BYTES = 2_048;

/** Options for {@linkcode runMemoryBench}. */
export interface MemoryBenchOptions {
  /** Actors held resident through the supervisor. */
  actors: number;
  /** Events applied to each actor. */
  eventsPerActor: number;
}

/**
 * What {@linkcode runMemoryBench} reports; every figure is bytes per actor
 * unless named otherwise, counted as V8 heap plus external memory (typed
 * array backing stores live outside the V8 heap in Deno).
 */
export interface MemoryResult {
  actors: number;
  eventsPerActor: number;
  /** Heap plus external growth per clean, idle actor resident in a real supervisor (actor, cell, map entry, id). */
  bytesPerIdleActor: number;
  /** The two parts of `bytesPerIdleActor`. */
  breakdown: { heap: number; external: number };
  /** What `Supervisor.residentBytes()` estimates per actor (its `ACTOR_BASE_BYTES` is calibrated here). */
  supervisorEstimate: number;
  actorBaseBytesConstant: number;
  /** Serialized snapshot (`encodeSnapshot`) size in bytes. */
  snapshotBytes: { mean: number; max: number };
  /** Heap per item of each variant, measured alone in a plain array. */
  variants: {
    emptyActor: number;
    actorAfterEvents: number;
    userIdString: number;
    preferencesEmpty: number;
    featureWindowEmpty: number;
    recentIdsUint32Array64: number;
    float32Array32: number;
    /** An object shaped like the supervisor's `ActorCell`, with its two empty arrays. */
    cellObject: number;
    /** A journal array after five pushes and a `splice(0, 5)`, as a flush leaves it. */
    journalAfterFlush: number;
    /** One `Map<string, object>` entry, as the supervisor's resident map holds. */
    mapEntry: number;
    /** Alternative layout: every numeric field of an actor in one plain array of doubles (173 slots). */
    oneDoubleArray173: number;
    /** Alternative layout: every numeric field in one `ArrayBuffer` with four typed views. */
    oneArrayBufferFourViews: number;
    /** `bytesPerIdleActor - actorAfterEvents - userIdString`: the supervisor's cell, journal and map entry. */
    supervisorCellOverhead: number;
  };
  target: number;
  met: boolean;
}

/** Heap plus external growth per item when `count` results of `make` are kept alive. */
function heapPerItem(count: number, make: (index: number) => unknown): number {
  const holder = new Array<unknown>(count).fill(null);
  const before = settledMemory();
  for (let i = 0; i < count; i++) holder[i] = make(i);
  const after = settledMemory();
  const perItem = (after.heapUsed + after.external - before.heapUsed - before.external) / count;
  holder.fill(null);
  return round(perItem, 1);
}

function makeActorWithEvents(userId: string, partition: number, events: number): UserActor {
  const actor = new UserActor(userId, partition);
  for (let offset = 0; offset < events; offset++) {
    const parsed = parseEventJson(makeEventJson(userId));
    if (!parsed.ok) throw new Error(`Generated an invalid event: ${parsed.reason}`);
    actor.receive({ type: "event.apply", event: parsed.event, partition, offset });
  }
  return actor;
}

/** Heap growth per entry of a `Map` keyed by `ids`, all entries holding one shared value. */
function mapEntryBytes(ids: string[]): number {
  const shared = {};
  let map: Map<string, object> | null = new Map();
  const before = settledMemory();
  for (const id of ids) map.set(id, shared);
  const after = settledMemory();
  // Reading the map after the measurement keeps it alive through the collections.
  const perEntry = (after.heapUsed - before.heapUsed) / map.size;
  map = null;
  return round(perEntry, 1);
}

/** Runs the memory measurement. */
export async function runMemoryBench(options: MemoryBenchOptions): Promise<MemoryResult> {
  const { actors, eventsPerActor } = options;
  const fixture = await openSupervisorFixture("bench_memory", actors);
  let bytesPerIdleActor: number;
  let breakdown: MemoryResult["breakdown"];
  let supervisorEstimate: number;
  const sizes: number[] = [];
  try {
    let supervisor: ReturnType<typeof fixture.createSupervisor> | null = fixture.createSupervisor();
    const selected = indexes(actors, true);
    const before = settledMemory();
    await fixture.feed(supervisor, selected, eventsPerActor);
    // Clean and idle: the flush empties the journals, as the engine's flush timer would.
    await supervisor.flush();
    const after = settledMemory();
    if (supervisor.size !== actors) {
      throw new Error(`Expected ${actors} resident actors, found ${supervisor.size}`);
    }
    if (fixture.deadLetters() !== 0) {
      throw new Error(`${fixture.deadLetters()} benchmark events were dead-lettered`);
    }
    breakdown = {
      heap: round((after.heapUsed - before.heapUsed) / actors, 1),
      external: round((after.external - before.external) / actors, 1),
    };
    bytesPerIdleActor = round(breakdown.heap + breakdown.external, 1);
    supervisorEstimate = round(supervisor.residentBytes() / actors, 1);
    for (let i = 0; i < Math.min(actors, 5_000); i++) {
      const actor = supervisor.peek(fixture.pool.ids[selected[i]])!;
      sizes.push(encodeSnapshot(actor.toSnapshot()).byteLength);
    }
    supervisor = null;
  } finally {
    await fixture.close();
  }

  const count = Math.min(actors, 50_000);
  const ids = Array.from({ length: count }, (_, i) => `u-${i.toString(36).padStart(6, "0")}`);
  const emptyActor = heapPerItem(count, (i) => new UserActor(ids[i], i % 6));
  const actorAfterEvents = heapPerItem(count, (i) => makeActorWithEvents(ids[i], i % 6, eventsPerActor));
  // Ids parsed from JSON are fresh strings, as the supervisor's are.
  const userIdString = heapPerItem(count, (i) => JSON.parse(`"${ids[i]}"`));
  const variants = {
    emptyActor,
    actorAfterEvents,
    userIdString,
    preferencesEmpty: heapPerItem(count, () => new Preferences()),
    featureWindowEmpty: heapPerItem(count, () => new FeatureWindow()),
    recentIdsUint32Array64: heapPerItem(count, () => new Uint32Array(64)),
    float32Array32: heapPerItem(count, () => new Float32Array(32)),
    cellObject: heapPerItem(count, () => ({
      actor: null,
      status: "active",
      dirty: false,
      journal: [],
      mailbox: [],
      failures: 0,
      lastActiveMs: Date.now(),
      lastSnapshotAt: Date.now(),
    })),
    journalAfterFlush: heapPerItem(count, () => {
      const journal: unknown[] = [];
      for (let i = 0; i < 5; i++) journal.push({});
      journal.splice(0, 5);
      return journal;
    }),
    mapEntry: mapEntryBytes(ids),
    oneDoubleArray173: heapPerItem(count, () => new Array<number>(173).fill(0.5)),
    oneArrayBufferFourViews: heapPerItem(count, () => {
      const buffer = new ArrayBuffer(872);
      return [
        new Float32Array(buffer, 0, 32),
        new Float32Array(buffer, 128, 32),
        new Uint32Array(buffer, 256, 64),
        new Float64Array(buffer, 512, 45),
      ];
    }),
    supervisorCellOverhead: round(bytesPerIdleActor - actorAfterEvents - userIdString, 1),
  };
  return {
    actors,
    eventsPerActor,
    bytesPerIdleActor,
    breakdown: breakdown!,
    supervisorEstimate,
    actorBaseBytesConstant: ACTOR_BASE_BYTES,
    snapshotBytes: {
      mean: round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length, 1),
      max: Math.max(...sizes),
    },
    variants,
    target: MEMORY_TARGET_BYTES,
    met: bytesPerIdleActor <= MEMORY_TARGET_BYTES,
  };
}
