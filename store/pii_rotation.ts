/**
 * Key rotation for personal data at rest: re-encrypts, under the current key,
 * every value sealed with an older one, and seals values written before
 * encryption existed (building their name index). Rows move in batches with
 * keyset pagination; each update applies only if the row still holds what
 * was read, so a concurrent write is never overwritten. A value no loaded key
 * opens is counted and left alone (its key was dropped from `PII_KEYS` too
 * early).
 *
 * @module
 */

import { isEnvelope, PiiDecryptError } from "../privacy/pii_cipher.ts";
import type { PiiVault } from "../privacy/pii_vault.ts";
import type { Sql } from "./_sql.ts";

/** What one rotation pass did. */
export interface RotationResult {
  keyId: string;
  users: number;
  chatTurns: number;
  /** Values no loaded key could open. */
  undecryptable: number;
}

/** Options for {@linkcode rotatePii}. */
export interface RotationOptions {
  batchSize?: number;
  signal?: AbortSignal;
  progress?: (fraction: number, note?: string) => void;
}

/** Re-encrypts everything not under the vault's current key. */
export async function rotatePii(
  sql: Sql,
  vault: PiiVault,
  options: RotationOptions = {},
): Promise<RotationResult> {
  const batch = options.batchSize ?? 500;
  const current = `enc:v1:${vault.cipher.keyId}:%`;
  const result: RotationResult = { keyId: vault.cipher.keyId, users: 0, chatTurns: 0, undecryptable: 0 };
  const stale = (value: string | null) => value !== null && !vault.cipher.isCurrent(value);

  let after = "";
  for (;;) {
    options.signal?.throwIfAborted();
    const rows = await sql<{ user_id: string; display_name: string | null; attributes: string | null }[]>`
      select user_id, display_name, attributes from users
      where user_id > ${after}
        and ((display_name is not null and display_name not like ${current})
          or (attributes is not null and attributes not like ${current}))
      order by user_id limit ${batch}`;
    if (rows.length === 0) break;
    for (const row of rows) {
      try {
        const displayName = await vault.openDisplayName(row.user_id, row.display_name);
        const attributes = await vault.openAttributes(row.user_id, row.attributes);
        const sealed = await vault.sealUser(row.user_id, { displayName, attributes });
        const updated = await sql`
          update users set
            display_name = ${stale(row.display_name) ? sealed.displayName : row.display_name},
            attributes = ${stale(row.attributes) ? sealed.attributes : row.attributes},
            name_index = case when ${row.display_name !== null && !isEnvelope(row.display_name)}
              then ${sealed.nameIndex}::text[] else name_index end
          where user_id = ${row.user_id}
            and display_name is not distinct from ${row.display_name}
            and attributes is not distinct from ${row.attributes}`;
        result.users += updated.count;
      } catch (error) {
        if (!(error instanceof PiiDecryptError)) throw error;
        result.undecryptable++;
      }
    }
    after = rows[rows.length - 1].user_id;
    options.progress?.(0.5, `users up to ${after}`);
  }

  after = "";
  for (;;) {
    options.signal?.throwIfAborted();
    const rows = await sql<{ turn_id: string; message: string; answer: string }[]>`
      select turn_id, message, answer from chat_turns
      where turn_id > ${after} and (message not like ${current} or answer not like ${current})
      order by turn_id limit ${batch}`;
    if (rows.length === 0) break;
    for (const row of rows) {
      try {
        const message = await vault.sealTurnText(
          row.turn_id,
          "message",
          await vault.openTurnText(row.turn_id, "message", row.message),
        );
        const answer = await vault.sealTurnText(
          row.turn_id,
          "answer",
          await vault.openTurnText(row.turn_id, "answer", row.answer),
        );
        const updated = await sql`
          update chat_turns set message = ${message}, answer = ${answer}
          where turn_id = ${row.turn_id} and message = ${row.message} and answer = ${row.answer}`;
        result.chatTurns += updated.count;
      } catch (error) {
        if (!(error instanceof PiiDecryptError)) throw error;
        result.undecryptable++;
      }
    }
    after = rows[rows.length - 1].turn_id;
    options.progress?.(0.9, `chat turns up to ${after}`);
  }
  options.progress?.(1);
  return result;
}

/** How many stored values each key holds (`plaintext` for values written before encryption), for `/admin/privacy`. */
export async function piiKeyUsage(sql: Sql): Promise<Record<string, Record<string, number>>> {
  const usage: Record<string, Record<string, number>> = {};
  // Fixed identifiers only: nothing here comes from a request.
  for (
    const [table, column] of [["users", "display_name"], ["users", "attributes"], ["chat_turns", "message"]]
  ) {
    const rows = await sql.unsafe<{ key: string; n: number }[]>(
      `select case when ${column} like 'enc:v1:%' then split_part(${column}, ':', 3) else 'plaintext' end as key,
        count(*)::int as n from ${table} where ${column} is not null group by 1`,
    );
    usage[`${table}.${column}`] = Object.fromEntries(rows.map((row) => [row.key, row.n]));
  }
  return usage;
}
