/**
 * The right to erasure in Postgres: one transaction deletes a user from every
 * table that holds anything about them and records an erasure mark (the
 * pseudonymous id, the partition, the log position and the time), which the
 * supervisor reads on activation so that events of that user still on the log
 * (a replay after a crash, a late producer) never bring the data back.
 *
 * @module
 */

import type { Sql } from "./_sql.ts";

/**
 * Every table with a `user_id` column that holds a user's data. The erasure
 * test checks this list against the schema, so a new table cannot be
 * forgotten.
 */
export const USER_TABLES = [
  "actor_snapshots",
  "event_log",
  "users",
  "consents",
  "notifications",
  "chat_turns",
  "user_scores",
  "campaign_log",
  "bank_monthly",
] as const;

/** Tables with a `user_id` column that are kept on purpose: the erasure marks themselves. */
export const KEPT_TABLES = ["erasures"] as const;

/** Deletes a user everywhere and records the erasure mark; returns the rows deleted per table. */
export async function eraseUser(
  sql: Sql,
  userId: string,
  mark: { partition: number; throughOffset: number; erasedAtMs: number },
): Promise<Record<string, number>> {
  return await sql.begin(async (tx) => {
    const deleted: Record<string, number> = {};
    for (const table of USER_TABLES) {
      const result = await tx`delete from ${tx(table)} where user_id = ${userId}`;
      deleted[table] = result.count;
    }
    // A second erasure of the same id (after it came back with new events) moves the mark forward.
    await tx`
      insert into erasures (user_id, partition, through_offset, erased_at)
      values (${userId}, ${mark.partition}, ${mark.throughOffset}, ${new Date(mark.erasedAtMs)})
      on conflict (user_id) do update set partition = excluded.partition,
        through_offset = greatest(erasures.through_offset, excluded.through_offset),
        erased_at = greatest(erasures.erased_at, excluded.erased_at)`;
    return deleted;
  });
}
