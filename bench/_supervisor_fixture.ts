/**
 * A real {@linkcode Supervisor} on a real Postgres {@linkcode Store} in a
 * throwaway database, holding the leases of every partition, for the
 * benchmarks that drive the supervisor directly (memory, activation, flush).
 *
 * @module
 */

import { Supervisor } from "../actors/supervisor.ts";
import { createSupervisorMetrics } from "../actors/supervisor_metrics.ts";
import { TOPICS } from "../bus/bus.ts";
import { Registry } from "../obs/metrics.ts";
import { createTestDatabase } from "../store/_test_database.ts";
import { Store } from "../store/store.ts";
import { makeUserPool, recordBatches, type UserPool } from "./_events.ts";

/** Partitions of the benchmark topic. */
export const BENCH_PARTITIONS = 6;

/** A database, a store and the leases a supervisor needs. */
export interface SupervisorFixture {
  store: Store;
  pool: UserPool;
  /** Next offset per partition for {@linkcode SupervisorFixture.feed}. */
  nextOffsets: number[];
  /** Records dead-lettered so far; valid traffic keeps this at zero. */
  deadLetters(): number;
  /** A new supervisor of this node on the same store (an empty one, as after a restart). */
  createSupervisor(options?: { maxResident?: number }): Supervisor;
  /** Applies `eventsPerUser` events to each listed user, batch by batch as Kafka would hand them over. */
  feed(
    supervisor: Supervisor,
    users: ArrayLike<number>,
    eventsPerUser: number,
    options?: { onlyViews?: boolean },
  ): Promise<number>;
  close(): Promise<void>;
}

/** Opens a fixture with a pool of `users` user ids; `prefix` names the database. */
export async function openSupervisorFixture(prefix: string, users: number): Promise<SupervisorFixture> {
  const database = await createTestDatabase({ prefix });
  let store: Store | null = null;
  try {
    store = await Store.connect(database.url);
    await store.migrate();
    const nodeId = `${prefix}-node`;
    const epochs = new Map<number, number>();
    for (let partition = 0; partition < BENCH_PARTITIONS; partition++) {
      epochs.set(partition, await store.forceLease(partition, nodeId));
    }
    const opened = store;
    let deadLetters = 0;
    const nextOffsets = new Array<number>(BENCH_PARTITIONS).fill(0);
    const pool = makeUserPool(users, BENCH_PARTITIONS);
    return {
      store: opened,
      pool,
      nextOffsets,
      deadLetters: () => deadLetters,
      createSupervisor: (options = {}) =>
        new Supervisor({
          store: opened,
          nodeId,
          topic: TOPICS.events,
          partitionCount: BENCH_PARTITIONS,
          epochOf: (partition) => epochs.get(partition),
          deadLetter: (letters) => {
            deadLetters += letters.length;
            return Promise.resolve();
          },
          metrics: createSupervisorMetrics(new Registry()),
          maxResident: options.maxResident,
        }),
      async feed(supervisor, selected, eventsPerUser, options = {}) {
        let applied = 0;
        const batches = recordBatches(pool, selected, eventsPerUser, nextOffsets, options);
        for (const { partition, records } of batches) {
          applied += (await supervisor.applyBatch(partition, records)).applied;
        }
        return applied;
      },
      async close() {
        await opened.close();
        await database.drop();
      },
    };
  } catch (error) {
    await store?.close().catch(() => {});
    await database.drop().catch(() => {});
    throw error;
  }
}

/** The indexes `0..count-1`, optionally shuffled. */
export function indexes(count: number, shuffle = false): Uint32Array {
  const result = new Uint32Array(count);
  for (let i = 0; i < count; i++) result[i] = i;
  if (shuffle) {
    for (let i = count - 1; i > 0; i--) {
      const j = Math.floor(Math.random() * (i + 1));
      [result[i], result[j]] = [result[j], result[i]];
    }
  }
  return result;
}
