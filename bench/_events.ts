/**
 * Realistic benchmark traffic: events in SPEC.md's schema from a pool of
 * pseudonymous users, with categories, brands and places drawn from a small
 * shared vocabulary with a skew, as real shoppers' traffic has.
 *
 * @module
 */

import type { IncomingRecord } from "../bus/bus.ts";
import { partitionFor } from "../bus/bus.ts";

const CATEGORIES = [
  "dairy",
  "bakery",
  "produce",
  "meat",
  "fish",
  "beverages",
  "snacks",
  "frozen",
  "household",
  "personal-care",
  "baby",
  "pet",
  "electronics",
  "home",
  "garden",
  "books",
  "toys",
  "sports",
  "pharmacy",
  "ready-meals",
];
const BRANDS = Array.from({ length: 40 }, (_, i) => `brand-${String.fromCharCode(97 + (i % 26))}${i}`);
const LOCATIONS = ["msk", "spb", "kzn", "ekb", "nsk", "nnv", "sam", "rnd", "krd", "ufa"];
const DEVICES = ["ios", "android", "web"];
const CHANNELS = ["mobile", "web", "store"];
const OPERATION_CATEGORIES = ["mcc-5411", "mcc-5812", "mcc-5541", "mcc-4111", "mcc-5912", "mcc-5732"];

/** A skewed pick: low indexes are much more popular, like real catalogs. */
function pick<T>(values: readonly T[]): T {
  const u = Math.random();
  return values[Math.floor(u * u * values.length)];
}

/** The user id of pool member `index`. */
export function userIdOf(index: number): string {
  return `u-${index.toString(36).padStart(6, "0")}`;
}

/** A pool of user ids with their partitions. */
export interface UserPool {
  ids: string[];
  partitions: Uint8Array;
}

/** Makes `size` user ids and their partitions out of `partitionCount`. */
export function makeUserPool(size: number, partitionCount: number): UserPool {
  const ids = new Array<string>(size);
  const partitions = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    ids[i] = userIdOf(i);
    partitions[i] = partitionFor(ids[i], partitionCount);
  }
  return { ids, partitions };
}

/**
 * One valid event of `userId` as wire JSON: 55 % views, 30 % orders, 15 %
 * card operations, timestamped within the last hour (or at `tsMs`).
 */
export function makeEventJson(
  userId: string,
  options: { eventId?: string; tsMs?: number; onlyViews?: boolean } = {},
): string {
  const roll = options.onlyViews ? 0.99 : Math.random();
  const ts = new Date(options.tsMs ?? Date.now() - Math.floor(Math.random() * 3_600_000)).toISOString();
  const context = { location: pick(LOCATIONS), device: pick(DEVICES), channel: pick(CHANNELS) };
  const eventId = options.eventId ?? crypto.randomUUID();
  if (roll < 0.15) {
    const amount = Math.round(50 + Math.random() * Math.random() * 20_000);
    return JSON.stringify({
      eventId,
      userId,
      type: "operation",
      ts,
      context,
      item: { id: `op-${Math.floor(Math.random() * 1e6)}`, category: pick(OPERATION_CATEGORIES) },
      value: roll < 0.12 ? -amount : amount,
    });
  }
  const price = Math.round((30 + Math.random() * Math.random() * 15_000) * 100) / 100;
  return JSON.stringify({
    eventId,
    userId,
    type: roll < 0.45 ? "order" : "view",
    ts,
    context,
    item: {
      id: `sku-${Math.floor(Math.random() * 50_000)}`,
      category: pick(CATEGORIES),
      brand: pick(BRANDS),
      price,
    },
  });
}

/**
 * Builds incoming records (as the Kafka bus hands them to the supervisor) for
 * `eventsPerUser` rounds over `users`, grouped by partition, with offsets
 * continuing from `nextOffsets`, in batches of at most `batchSize` (views only
 * when `onlyViews`).
 */
export function* recordBatches(
  pool: UserPool,
  users: ArrayLike<number>,
  eventsPerUser: number,
  nextOffsets: number[],
  options: { batchSize?: number; onlyViews?: boolean } = {},
): Generator<{ partition: number; records: IncomingRecord[] }> {
  const batchSize = options.batchSize ?? 5_000;
  const onlyViews = options.onlyViews ?? false;
  const pending: IncomingRecord[][] = nextOffsets.map(() => []);
  for (let round = 0; round < eventsPerUser; round++) {
    for (let i = 0; i < users.length; i++) {
      const index = users[i];
      const userId = pool.ids[index];
      const partition = pool.partitions[index];
      const batch = pending[partition];
      batch.push({
        partition,
        offset: nextOffsets[partition]++,
        key: userId,
        value: makeEventJson(userId, { onlyViews }),
        headers: {},
      });
      if (batch.length >= batchSize) {
        yield { partition, records: batch.splice(0) };
      }
    }
  }
  for (let partition = 0; partition < pending.length; partition++) {
    if (pending[partition].length > 0) yield { partition, records: pending[partition].splice(0) };
  }
}
