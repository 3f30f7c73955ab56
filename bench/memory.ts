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
import { round, settledHeapUsed } from "./_stats.ts";
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

/** What {@linkcode runMemoryBench} reports; every figure is bytes per actor unless named otherwise. */
export interface MemoryResult {
  actors: number;
  eventsPerActor: number;
  /** Heap growth per clean, idle actor resident in a real supervisor (actor, cell, map entry, id). */
  bytesPerIdleActor: number;
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
    /** `bytesPerIdleActor - actorAfterEvents - userIdString`: the supervisor's cell, journal and map entry. */
    supervisorCellOverhead: number;
  };
  target: number;
  met: boolean;
}

/** Heap growth per item when `count` results of `make` are kept alive. */
function heapPerItem(count: number, make: (index: number) => unknown): number {
  const holder = new Array<unknown>(count).fill(null);
  const before = settledHeapUsed();
  for (let i = 0; i < count; i++) holder[i] = make(i);
  const after = settledHeapUsed();
  const perItem = (after - before) / count;
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

/** Runs the memory measurement. */
export async function runMemoryBench(options: MemoryBenchOptions): Promise<MemoryResult> {
  const { actors, eventsPerActor } = options;
  const fixture = await openSupervisorFixture("bench_memory", actors);
  let bytesPerIdleActor: number;
  let supervisorEstimate: number;
  const sizes: number[] = [];
  try {
    let supervisor: ReturnType<typeof fixture.createSupervisor> | null = fixture.createSupervisor();
    const selected = indexes(actors, true);
    const before = settledHeapUsed();
    await fixture.feed(supervisor, selected, eventsPerActor);
    // Clean and idle: the flush empties the journals, as the engine's flush timer would.
    await supervisor.flush();
    const after = settledHeapUsed();
    if (supervisor.size !== actors) {
      throw new Error(`Expected ${actors} resident actors, found ${supervisor.size}`);
    }
    if (fixture.deadLetters() !== 0) {
      throw new Error(`${fixture.deadLetters()} benchmark events were dead-lettered`);
    }
    bytesPerIdleActor = round((after - before) / actors, 1);
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
    supervisorCellOverhead: round(bytesPerIdleActor - actorAfterEvents - userIdString, 1),
  };
  return {
    actors,
    eventsPerActor,
    bytesPerIdleActor,
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
