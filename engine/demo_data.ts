/**
 * The embedded default's first start: when the database has no users, it
 * generates a demo dataset (bank clients with histories and campaigns, a
 * retail catalog with shoppers), stores the tables, and feeds every event
 * through the normal ingest path, so actors build their state exactly as
 * they would from production traffic.
 *
 * @module
 */

import { partitionFor, TOPICS } from "../bus/bus.ts";
import type { EventBus } from "../bus/bus.ts";
import { generate, todayUtc } from "../datagen/generate.ts";
import { loadGenerated } from "../datagen/load.ts";
import type { Logger } from "../obs/log.ts";
import type { PiiVault } from "../privacy/pii_vault.ts";
import type { Store } from "../store/store.ts";

/** Demo size: enough for real recommendations, small enough to start in seconds. */
export const DEMO = { seed: 42, users: 600, shoppers: 300 } as const;

/** Loads demo data unless the database already has users; returns what it did. */
export async function loadDemoDataIfEmpty(options: {
  store: Store;
  bus: EventBus;
  logger: Logger;
  partitionCount: number;
  /** Seals the users' personal data. */
  vault: PiiVault;
  users?: number;
}): Promise<{ loaded: false } | { loaded: true; users: number; events: number; seconds: number }> {
  const { store, bus, logger } = options;
  const [{ count }] = await store.sql<{ count: number }[]>`select count(*)::int as count from users`;
  if (count > 0) return { loaded: false };
  const started = performance.now();
  const users = options.users ?? DEMO.users;
  // The history ends yesterday so no event lies in the future of the validator's clock.
  const asOf = new Date(Date.parse(todayUtc()) - 86_400_000).toISOString();
  const data = generate({ seed: DEMO.seed, users, shoppers: DEMO.shoppers, asOf });
  const loaded = await loadGenerated(store.sql, data, { vault: options.vault });
  if (!loaded.ok) throw new Error(`Demo data did not load: ${loaded.reason}`);
  for (let i = 0; i < data.events.length; i += 5_000) {
    await bus.produce(
      TOPICS.events,
      data.events.slice(i, i + 5_000).map((event) => {
        const userId = String(event.userId);
        return {
          key: userId,
          value: JSON.stringify(event),
          partition: partitionFor(userId, options.partitionCount),
        };
      }),
    );
  }
  const seconds = (performance.now() - started) / 1000;
  logger.log("info", "demo data loaded", {
    users: data.clients.length + data.shoppers.length,
    events: data.events.length,
    seconds,
  });
  return {
    loaded: true,
    users: data.clients.length + data.shoppers.length,
    events: data.events.length,
    seconds,
  };
}
