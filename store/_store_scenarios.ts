/**
 * Store behaviour checks shared by the real-Postgres and the PGlite test
 * files, so both backends are held to the same contract. Each scenario uses
 * its own partitions and user ids and can run against a shared database.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Flush, SnapshotWrite } from "./flush.ts";
import type { Store } from "./store.ts";
import { leaseScenario, membershipScenario } from "./_cluster_scenarios.ts";

const TOPIC = "events";

/** A scenario: a name for `t.step` and the check itself. */
export type StoreScenario = {
  name: string;
  run(store: Store): Promise<void>;
};

function flushOf(nodeId: string, parts: Partial<Flush>): Flush {
  return {
    topic: TOPIC,
    nodeId,
    fences: [],
    snapshots: [],
    log: [],
    watermarks: [],
    ...parts,
  };
}

function bytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0; i < length; i++) out[i] = (seed * 31 + i * 7) & 0xff;
  return out;
}

async function count(store: Store, table: string, userId: string) {
  const [row] = await store.sql<{ n: number }[]>`
    select count(*) as n from ${store.sql(table)} where user_id = ${userId}`;
  return row.n;
}

/** Builds `n` snapshots for partition `partition` with varied state sizes. */
export function manySnapshots(
  n: number,
  partition: number,
  prefix: string,
): SnapshotWrite[] {
  return Array.from({ length: n }, (_, i) => ({
    userId: `${prefix}-${i}`,
    partition,
    offset: 1000 + i,
    eventsApplied: i + 1,
    state: bytes(i, 64 + (i % 200)),
  }));
}

/** Writes 10k snapshots in one flush and reads all of them back. */
export const roundTripScenario: StoreScenario = {
  name: "writeFlush round-trips 10k snapshots",
  async run(store) {
    const epoch = await store.forceLease(100, "node-rt");
    const snapshots = manySnapshots(10_000, 100, "rt");
    const result = await store.writeFlush(flushOf("node-rt", {
      fences: [{ partition: 100, epoch }],
      snapshots,
      watermarks: [{ partition: 100, nextOffset: 11_000 }],
    }));
    assert.deepEqual(result, { ok: true });
    const loaded = await store.loadSnapshots(snapshots.map((s) => s.userId));
    assert.equal(loaded.size, 10_000);
    for (const expected of [snapshots[0], snapshots[4321], snapshots[9999]]) {
      const got = loaded.get(expected.userId);
      assert.ok(got);
      assert.equal(got.partition, 100);
      assert.equal(got.offset, expected.offset);
      assert.equal(got.eventsApplied, expected.eventsApplied);
      assert.deepEqual(Array.from(got.state), Array.from(expected.state));
      assert.ok(got.updatedAt instanceof Date);
    }
    const missing = await store.loadSnapshots(["rt-none"]);
    assert.equal(missing.size, 0);
    assert.equal((await store.readWatermarks(TOPIC)).get(100), 11_000);
  },
};

/** A flush under a superseded epoch is refused and writes nothing. */
export const fencingScenario: StoreScenario = {
  name: "writeFlush rejects a stale epoch and writes nothing",
  async run(store) {
    const oldEpoch = await store.forceLease(101, "node-a");
    const first = await store.writeFlush(flushOf("node-a", {
      fences: [{ partition: 101, epoch: oldEpoch }],
      snapshots: [{
        userId: "fence-u",
        partition: 101,
        offset: 5,
        eventsApplied: 5,
        state: bytes(1, 8),
      }],
      watermarks: [{ partition: 101, nextOffset: 6 }],
    }));
    assert.deepEqual(first, { ok: true });

    const newEpoch = await store.forceLease(101, "node-b");
    assert.equal(newEpoch, oldEpoch + 1);
    const stale = await store.writeFlush(flushOf("node-a", {
      fences: [{ partition: 101, epoch: oldEpoch }, {
        partition: 102,
        epoch: 1,
      }],
      snapshots: [{
        userId: "fence-u",
        partition: 101,
        offset: 9,
        eventsApplied: 9,
        state: bytes(2, 8),
      }],
      log: [{
        eventId: "fence-e1",
        userId: "fence-u",
        type: "view",
        ts: "2024-01-01T00:00:00.000Z",
        payload: {},
        partition: 101,
        offset: 9,
      }],
      watermarks: [{ partition: 101, nextOffset: 10 }],
    }));
    assert.deepEqual(stale, {
      ok: false,
      reason: "fenced",
      partitions: [101, 102],
    });
    const snapshot = (await store.loadSnapshots(["fence-u"])).get("fence-u");
    assert.equal(snapshot?.offset, 5);
    assert.deepEqual(Array.from(snapshot!.state), Array.from(bytes(1, 8)));
    assert.equal((await store.readWatermarks(TOPIC)).get(101), 6);
    assert.equal(await count(store, "event_log", "fence-u"), 0);

    const renewed = await store.writeFlush(flushOf("node-b", {
      fences: [{ partition: 101, epoch: newEpoch }],
      watermarks: [{ partition: 101, nextOffset: 10 }],
    }));
    assert.deepEqual(renewed, { ok: true });
    assert.equal((await store.readWatermarks(TOPIC)).get(101), 10);
  },
};

/** Watermarks only move forward, across and within flushes. */
export const watermarkScenario: StoreScenario = {
  name: "watermarks never move backwards",
  async run(store) {
    const epoch = await store.forceLease(103, "node-w");
    const fences = [{ partition: 103, epoch }];
    await store.writeFlush(flushOf("node-w", {
      fences,
      watermarks: [{ partition: 103, nextOffset: 100 }],
    }));
    await store.writeFlush(flushOf("node-w", {
      fences,
      watermarks: [{ partition: 103, nextOffset: 50 }],
    }));
    assert.equal((await store.readWatermarks(TOPIC)).get(103), 100);
    await store.writeFlush(flushOf("node-w", {
      fences,
      watermarks: [
        { partition: 103, nextOffset: 300 },
        { partition: 103, nextOffset: 200 },
      ],
    }));
    assert.equal((await store.readWatermarks(TOPIC)).get(103), 300);
    assert.equal((await store.readWatermarks("other")).size, 0);
  },
};

/** The event log ignores a repeated event id and reads newest first. */
export const eventLogScenario: StoreScenario = {
  name: "event log deduplicates on event_id",
  async run(store) {
    const epoch = await store.forceLease(105, "node-log");
    const event = (id: string, minute: number, offset: number) => ({
      eventId: id,
      userId: "log-u",
      type: "order",
      ts: `2024-02-01T10:0${minute}:00.000Z`,
      payload: { item: { id: `i-${id}` }, value: minute },
      partition: 105,
      offset,
    });
    const fences = [{ partition: 105, epoch }];
    await store.writeFlush(flushOf("node-log", {
      fences,
      log: [event("log-1", 1, 1), event("log-2", 2, 2), event("log-1", 1, 1)],
    }));
    await store.writeFlush(flushOf("node-log", {
      fences,
      log: [event("log-2", 2, 2), event("log-3", 3, 3)],
    }));
    assert.equal(await count(store, "event_log", "log-u"), 3);
    const rows = await store.loadEventLog("log-u", 2);
    assert.deepEqual(rows.map((r) => r.eventId), ["log-3", "log-2"]);
    assert.deepEqual(rows[0].payload, { item: { id: "i-log-3" }, value: 3 });
    assert.equal(rows[0].offset, 3);
    assert.equal(rows[0].ts.toISOString(), "2024-02-01T10:03:00.000Z");
  },
};

/** Erasure removes a user from every table, leaves others alone, and marks where the history was cut. */
export const deleteUserScenario: StoreScenario = {
  name: "eraseUser removes the user everywhere and leaves an erasure mark",
  async run(store) {
    const epoch = await store.forceLease(106, "node-del");
    for (const userId of ["del-u", "del-keep"]) {
      await store.sql`
        insert into users (user_id, display_name, segment)
        values (${userId}, 'Name', 'retail')`;
      await store.sql`
        insert into consents (user_id, purpose, granted)
        values (${userId}, 'llm', true)`;
      await store.sql`
        insert into user_scores (user_id, cluster, offers, propensity, profile_distance, scored_at)
        values (${userId}, 1, '{}', '{}', '{}', now())`;
      await store.writeFlush(flushOf("node-del", {
        fences: [{ partition: 106, epoch }],
        snapshots: [{
          userId,
          partition: 106,
          offset: 1,
          eventsApplied: 1,
          state: bytes(3, 4),
        }],
        log: [{
          eventId: `${userId}-e`,
          userId,
          type: "view",
          ts: "2024-03-01T00:00:00Z",
          payload: null,
          partition: 106,
          offset: 1,
        }],
      }));
    }
    const erasedAtMs = Date.parse("2024-03-02T00:00:00Z");
    const deleted = await store.eraseUser("del-u", { partition: 106, throughOffset: 7, erasedAtMs });
    assert.equal(deleted.users, 1);
    assert.equal(deleted.actor_snapshots, 1);
    for (const table of ["users", "consents", "actor_snapshots", "event_log", "user_scores"]) {
      assert.equal(await count(store, table, "del-u"), 0, table);
      assert.equal(await count(store, table, "del-keep"), 1, table);
    }
    // Activation sees the mark and no state; a user that was not erased loads as before.
    const loaded = await store.loadSnapshots(["del-u", "del-keep"]);
    const erased = loaded.get("del-u")!;
    assert.equal(erased.state.length, 0);
    assert.deepEqual(erased.erasure, { throughOffset: 7, erasedAtMs });
    assert.equal(loaded.get("del-keep")!.erasure, undefined);
    // New events after the erasure make a new snapshot; it loads with the mark still attached.
    await store.writeFlush(flushOf("node-del", {
      fences: [{ partition: 106, epoch }],
      snapshots: [{ userId: "del-u", partition: 106, offset: 9, eventsApplied: 1, state: bytes(5, 2) }],
    }));
    const back = (await store.loadSnapshots(["del-u"])).get("del-u")!;
    assert.equal(back.offset, 9);
    assert.deepEqual([...back.state], [...bytes(5, 2)]);
    assert.deepEqual(back.erasure, { throughOffset: 7, erasedAtMs });
  },
};

/** Every shared scenario, in a stable order. */
export const STORE_SCENARIOS: readonly StoreScenario[] = [
  roundTripScenario,
  fencingScenario,
  watermarkScenario,
  leaseScenario,
  membershipScenario,
  eventLogScenario,
  deleteUserScenario,
];
