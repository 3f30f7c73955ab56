/**
 * Queries behind the user-facing endpoints: the demo user picker, cold-start
 * registration, consents, pushed notifications, chat turns and the catalog.
 * Each takes the postgres.js client, so the Store stays one object while
 * these stay readable in one place. Personal data (display names, profile
 * attributes, chat text) passes through a {@linkcode PiiVault}: sealed on the
 * way in, opened on the way out, never plaintext in Postgres.
 *
 * @module
 */

import type { CatalogItem } from "../datagen/types.ts";
import { PiiVault } from "../privacy/pii_vault.ts";
import type { Sql } from "./_sql.ts";

/** One row of the login picker (no PII: display names are generated demo names). */
export interface UserListing {
  userId: string;
  displayName: string;
  segment: string;
  kind: "bank" | "retail";
}

type ListingRow = { user_id: string; display_name: string | null; segment: string | null };

async function listing(vault: PiiVault, row: ListingRow): Promise<UserListing> {
  return {
    userId: row.user_id,
    displayName: (await vault.openDisplayName(row.user_id, row.display_name)) ?? row.user_id,
    segment: row.segment ?? "",
    kind: row.segment === "retail" ? "retail" : "bank",
  };
}

/**
 * Users whose id contains `query` (case-insensitive), or whose display name has
 * words starting with the query's words (through the blind index), bank
 * clients first.
 */
export async function searchUsers(
  sql: Sql,
  vault: PiiVault,
  query: string,
  limit: number,
): Promise<UserListing[]> {
  // LIKE wildcards in the query are matched literally.
  const pattern = `%${query.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
  const tokens = await vault.queryTokens(query);
  const rows = await sql<ListingRow[]>`
    select user_id, display_name, segment from users
    where user_id ilike ${pattern} or (cardinality(${tokens}::text[]) > 0 and name_index @> ${tokens}::text[])
    order by (segment = 'retail'), user_id
    limit ${limit * 2}`;
  const users: UserListing[] = [];
  for (const row of rows) {
    const user = await listing(vault, row);
    // The index matches hashed prefixes of at most 12 characters; the decrypted name decides.
    const byId = user.userId.toLowerCase().includes(query.toLowerCase());
    if (byId || PiiVault.nameMatches(user.displayName, query)) users.push(user);
    if (users.length === limit) break;
  }
  return users;
}

/** One user's listing, or null. */
export async function findUser(sql: Sql, vault: PiiVault, userId: string): Promise<UserListing | null> {
  const rows = await sql<ListingRow[]>`
    select user_id, display_name, segment from users where user_id = ${userId}`;
  return rows.length === 0 ? null : await listing(vault, rows[0]);
}

/** Registers a user with its personal data sealed; false when the id is taken. */
export async function insertUser(
  sql: Sql,
  vault: PiiVault,
  user: { userId: string; displayName: string; segment: string; attributes: Record<string, unknown> },
): Promise<boolean> {
  const sealed = await vault.sealUser(user.userId, user);
  const rows = await sql`
    insert into users (user_id, display_name, segment, attributes, name_index)
    values (${user.userId}, ${sealed.displayName}, ${user.segment}, ${sealed.attributes}, ${sealed.nameIndex}::text[])
    on conflict (user_id) do nothing
    returning user_id`;
  return rows.length === 1;
}

/** A user's profile attributes, opened. */
export async function userAttributes(
  sql: Sql,
  vault: PiiVault,
  userId: string,
): Promise<Record<string, unknown> | null> {
  const rows = await sql<
    { attributes: string | null }[]
  >`select attributes from users where user_id = ${userId}`;
  return rows.length === 0 ? null : await vault.openAttributes(userId, rows[0].attributes);
}

/** Records consents for audit (the actor holds the live values, from events). */
export async function saveConsents(
  sql: Sql,
  userId: string,
  consents: Record<string, boolean>,
): Promise<void> {
  const purposes = Object.keys(consents);
  if (purposes.length === 0) return;
  // One row per purpose as JSON: postgres.js sends a JS boolean array as one boolean, not an array.
  const rows = JSON.stringify(purposes.map((purpose) => ({ purpose, granted: consents[purpose] })));
  await sql`
    insert into consents (user_id, purpose, granted, updated_at)
    select ${userId}, u.purpose, u.granted, now()
    from json_to_recordset(${rows}::text::json) as u(purpose text, granted boolean)
    on conflict (user_id, purpose) do update set granted = excluded.granted, updated_at = now()`;
}

/** A notification as stored and as the API shows it. */
export interface StoredNotification {
  id: string;
  userId: string;
  productId: string;
  payload: Record<string, unknown>;
  createdAt: string;
}

/** Stores a pushed notification. */
export async function insertNotification(sql: Sql, notification: StoredNotification): Promise<void> {
  await sql`
    insert into notifications (notification_id, user_id, product_id, payload, created_at)
    values (${notification.id}, ${notification.userId}, ${notification.productId},
      ${JSON.stringify(notification.payload)}::text::jsonb, ${notification.createdAt})
    on conflict (notification_id) do nothing`;
}

/** A user's latest notifications, newest first. */
export async function listNotifications(
  sql: Sql,
  userId: string,
  limit: number,
): Promise<StoredNotification[]> {
  const rows = await sql<
    {
      notification_id: string;
      user_id: string;
      product_id: string;
      payload: Record<string, unknown>;
      created_at: Date;
    }[]
  >`
    select notification_id, user_id, product_id, payload, created_at from notifications
    where user_id = ${userId} order by created_at desc limit ${limit}`;
  return rows.map((row) => ({
    id: row.notification_id,
    userId: row.user_id,
    productId: row.product_id,
    payload: row.payload,
    createdAt: row.created_at.toISOString(),
  }));
}

/** One logged chat turn. */
export interface ChatTurnRecord {
  turnId: string;
  userId: string;
  sessionId: string;
  message: string;
  answer: string;
  source: string;
  context: Record<string, unknown>;
}

/** Logs a chat turn with its context; the message and the answer are sealed. */
export async function insertChatTurn(sql: Sql, vault: PiiVault, turn: ChatTurnRecord): Promise<void> {
  const message = await vault.sealTurnText(turn.turnId, "message", turn.message);
  const answer = await vault.sealTurnText(turn.turnId, "answer", turn.answer);
  await sql`
    insert into chat_turns (turn_id, user_id, session_id, message, answer, source, context)
    values (${turn.turnId}, ${turn.userId}, ${turn.sessionId}, ${message}, ${answer}, ${turn.source},
      ${JSON.stringify(turn.context)}::text::jsonb)`;
}

/** Records satisfaction (-2..5) for a user's own turn; false when no such turn. */
export async function rateChatTurn(
  sql: Sql,
  userId: string,
  turnId: string,
  satisfaction: number,
): Promise<boolean> {
  const rows = await sql`
    update chat_turns set satisfaction = ${satisfaction}
    where turn_id = ${turnId} and user_id = ${userId} returning turn_id`;
  return rows.length === 1;
}

/** A user's logged turns, newest first, opened. */
export async function listChatTurns(
  sql: Sql,
  vault: PiiVault,
  userId: string,
  limit: number,
): Promise<(ChatTurnRecord & { satisfaction: number | null; createdAt: string })[]> {
  const rows = await sql<
    {
      turn_id: string;
      user_id: string;
      session_id: string;
      message: string;
      answer: string;
      source: string;
      context: Record<string, unknown>;
      satisfaction: number | null;
      created_at: Date;
    }[]
  >`select * from chat_turns where user_id = ${userId} order by created_at desc limit ${limit}`;
  return await Promise.all(rows.map(async (row) => ({
    turnId: row.turn_id,
    userId: row.user_id,
    sessionId: row.session_id,
    message: await vault.openTurnText(row.turn_id, "message", row.message),
    answer: await vault.openTurnText(row.turn_id, "answer", row.answer),
    source: row.source,
    context: row.context,
    satisfaction: row.satisfaction,
    createdAt: row.created_at.toISOString(),
  })));
}

/** The retail catalog. */
export async function loadCatalog(sql: Sql): Promise<CatalogItem[]> {
  const rows = await sql<
    {
      item_id: string;
      category: string;
      brand: string | null;
      price: string;
      name_ru: string;
      name_en: string;
      tags: string[];
      availability: Record<string, number>;
    }[]
  >`select item_id, category, brand, price, name_ru, name_en, tags, availability from catalog_items order by item_id`;
  return rows.map((row) => ({
    id: row.item_id,
    category: row.category,
    brand: row.brand ?? "",
    price: Number(row.price),
    name: { ru: row.name_ru, en: row.name_en },
    tags: row.tags,
    availability: row.availability,
  }));
}
