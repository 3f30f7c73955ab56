/**
 * Bytes per idle resident actor: actors activated and fed through a real
 * supervisor against Postgres, flushed so they are clean and idle, measured
 * as the settled V8 heap growth per actor. Variants (a bare empty actor, an
 * actor after events, and its parts) show what dominates.
 *
 * @module
 */

import type { IncomingRecord } from "../bus/bus.ts";
import { encodeSnapshot, UserActor } from "../actors/user_actor.ts";
import { Preferences } from "../actors/preferences.ts";
import { ACTOR_BASE_BYTES } from "../actors/supervisor.ts";
import { parseEventJson } from "../domain/event.ts";
import { FeatureWindow } from "../model/feature_window.ts";
import { makeEventJson } from "./_events.ts";
import { round, settledMemory } from "./_stats.ts";
import { indexes, openSupervisorFixture, type SupervisorFixture } from "./_supervisor_fixture.ts";

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
  /** The same measurement for bank clients: a realistic history with a bank profile. */
  bank: ResidentMeasurement & { eventsPerActor: number };
  target: number;
  met: boolean;
}

/** Bytes per clean, idle actor resident in a real supervisor, with what it is made of. */
export interface ResidentMeasurement {
  actors: number;
  bytesPerIdleActor: number;
  breakdown: { heap: number; external: number };
  supervisorEstimate: number;
  snapshotBytes: { mean: number; max: number };
}

const DAY_MS = 86_400_000;

/**
 * A bank client's history as wire JSON: demographics, three products, a year of
 * card operations and salary, a product closed, a life event, and some browsing.
 */
export function bankHistoryJson(userId: string, nowMs: number): string[] {
  const events: Record<string, unknown>[] = [];
  let n = 0;
  const add = (daysAgo: number, body: Record<string, unknown>) =>
    events.push({
      eventId: `${userId}-${n++}-${crypto.randomUUID().slice(0, 8)}`,
      userId,
      ts: new Date(nowMs - daysAgo * DAY_MS - Math.floor(Math.random() * 3_600_000)).toISOString(),
      ...body,
    });
  const field = (id: string, body: { value?: number; item?: Record<string, string> }) =>
    add(365, { type: "profile", ...body, item: { id, ...(body.item ?? {}) } });
  field("age", { value: 25 + Math.floor(Math.random() * 40) });
  field("renta", { value: 20_000 + Math.floor(Math.random() * 150_000) });
  field("antiguedad", { value: Math.floor(Math.random() * 200) });
  field("sexo", { item: { category: Math.random() < 0.5 ? "V" : "H" } });
  field("segmento", { item: { category: "02 - PARTICULARES" } });
  field("canal_entrada", { item: { category: "KFC" } });
  field("ind_actividad_cliente", { value: 1 });
  for (const product of ["ind_cco_fin_ult1", "ind_tjcr_fin_ult1", "ind_recibo_ult1"]) {
    add(300, { type: "profile", item: { id: product }, value: 1 });
  }
  add(60, { type: "profile", item: { id: "ind_recibo_ult1" }, value: 0 });
  const spend = ["groceries", "restaurants", "fuel", "travel", "utilities"];
  for (let d = 120; d > 0; d -= 10) {
    add(d, {
      type: "operation",
      value: -(200 + Math.floor(Math.random() * 5_000)),
      item: { category: spend[d % 5] },
    });
    if (d % 30 === 0) add(d, { type: "operation", value: 80_000, item: { category: "salary" } });
  }
  add(45, { type: "profile", item: { id: "life:relocation" } });
  add(2, { type: "view", item: { id: "card-gold", category: "cards" }, context: { channel: "mobile" } });
  return events.map((event) => JSON.stringify(event));
}

/** Bank histories of `users` as incoming records, batch per partition as Kafka would hand them over. */
function* bankBatches(
  fixture: SupervisorFixture,
  users: ArrayLike<number>,
  nowMs: number,
): Generator<{ partition: number; records: IncomingRecord[] }> {
  const pending: IncomingRecord[][] = fixture.nextOffsets.map(() => []);
  for (let i = 0; i < users.length; i++) {
    const userId = fixture.pool.ids[users[i]];
    const partition = fixture.pool.partitions[users[i]];
    for (const value of bankHistoryJson(userId, nowMs)) {
      pending[partition].push({
        partition,
        offset: fixture.nextOffsets[partition]++,
        key: userId,
        value,
        headers: {},
      });
    }
    if (pending[partition].length >= 5_000) yield { partition, records: pending[partition].splice(0) };
  }
  for (let partition = 0; partition < pending.length; partition++) {
    if (pending[partition].length > 0) yield { partition, records: pending[partition].splice(0) };
  }
}

/** Feeds `actors` users through a real supervisor with `feed`, flushes, and measures them resident. */
async function measureResident(
  prefix: string,
  actors: number,
  feed: (fixture: SupervisorFixture, supervisor: SupervisorOf, selected: Uint32Array) => Promise<void>,
): Promise<ResidentMeasurement> {
  const fixture = await openSupervisorFixture(prefix, actors);
  const sizes: number[] = [];
  try {
    let supervisor: SupervisorOf | null = fixture.createSupervisor();
    const selected = indexes(actors, true);
    const before = settledMemory();
    await feed(fixture, supervisor, selected);
    // Clean and idle: the flush empties the journals, as the engine's flush timer would.
    await supervisor.flush();
    const after = settledMemory();
    if (supervisor.size !== actors) {
      throw new Error(`Expected ${actors} resident actors, found ${supervisor.size}`);
    }
    if (fixture.deadLetters() !== 0) {
      throw new Error(`${fixture.deadLetters()} benchmark events were dead-lettered`);
    }
    const breakdown = {
      heap: round((after.heapUsed - before.heapUsed) / actors, 1),
      external: round((after.external - before.external) / actors, 1),
    };
    const supervisorEstimate = round(supervisor.residentBytes() / actors, 1);
    for (let i = 0; i < Math.min(actors, 5_000); i++) {
      const actor = supervisor.peek(fixture.pool.ids[selected[i]])!;
      sizes.push(encodeSnapshot(actor.toSnapshot()).byteLength);
    }
    supervisor = null;
    return {
      actors,
      bytesPerIdleActor: round(breakdown.heap + breakdown.external, 1),
      breakdown,
      supervisorEstimate,
      snapshotBytes: {
        mean: round(sizes.reduce((sum, size) => sum + size, 0) / sizes.length, 1),
        max: Math.max(...sizes),
      },
    };
  } finally {
    await fixture.close();
  }
}

type SupervisorOf = ReturnType<SupervisorFixture["createSupervisor"]>;

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
  const retail = await measureResident("bench_memory", actors, async (fixture, supervisor, selected) => {
    await fixture.feed(supervisor, selected, eventsPerActor);
  });
  const bankEvents = bankHistoryJson("u-0", Date.now()).length;
  // A quarter as many: each bank client has about thirty events.
  const bank = await measureResident(
    "bench_memory_bank",
    Math.max(2_000, Math.round(actors / 4)),
    async (fixture, supervisor, selected) => {
      const nowMs = Date.now();
      for (const { partition, records } of bankBatches(fixture, selected, nowMs)) {
        await supervisor.applyBatch(partition, records);
      }
      if (supervisor.peek(fixture.pool.ids[selected[0]])?.bank === null) {
        throw new Error("Bank benchmark actors have no bank profile");
      }
    },
  );
  const { bytesPerIdleActor, breakdown, supervisorEstimate } = retail;

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
    snapshotBytes: retail.snapshotBytes,
    variants,
    bank: { ...bank, eventsPerActor: bankEvents },
    target: MEMORY_TARGET_BYTES,
    met: bytesPerIdleActor <= MEMORY_TARGET_BYTES && bank.bytesPerIdleActor <= MEMORY_TARGET_BYTES,
  };
}
