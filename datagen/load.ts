/**
 * Loads generated data into Postgres: `bank_monthly`, `campaign_log`,
 * `catalog_items` (migration 2) and the engine's `users` table, whose display
 * names and attributes are sealed by the engine's {@linkcode PiiVault}. Rows go in
 * chunks through `unnest` (one round trip per chunk), and every insert is an
 * upsert, so loading the same seed twice leaves the same rows. `event_log` is
 * not touched: events reach the engine through its ingest path.
 *
 * @module
 */

import type { PiiVault } from "../privacy/pii_vault.ts";
import type { Sql } from "../store/_sql.ts";
import type { GeneratedData, MonthlyRow } from "./types.ts";

/** Options for {@linkcode loadGenerated}. */
export interface LoadOptions {
  /** Seals personal data (display names, attributes) before it is written. */
  vault: PiiVault;
  /** Rows per statement; default 2000. */
  chunkSize?: number;
}

/** Rows written per table. */
export interface LoadCounts {
  users: number;
  bankMonthly: number;
  campaignLog: number;
  catalogItems: number;
}

/** The outcome of {@linkcode loadGenerated}. */
export type LoadResult = { ok: true; counts: LoadCounts } | { ok: false; reason: string };

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Splits rows into `width` column arrays, the shape `unnest` takes. */
function columns(rows: readonly (readonly (string | number)[])[], width: number): (string | number)[][] {
  const out: (string | number)[][] = Array.from({ length: width }, () => []);
  for (const row of rows) for (let i = 0; i < width; i++) out[i].push(row[i]);
  return out;
}

function profileJson(row: MonthlyRow): string {
  const { products: _products, ...profile } = row;
  return JSON.stringify(profile);
}

/**
 * Writes `data` through a postgres.js client (e.g. `Store.sql`) whose schema
 * is migrated. Never throws: a database error comes back as a reason.
 */
export async function loadGenerated(
  sql: Sql,
  data: GeneratedData,
  options: LoadOptions,
): Promise<LoadResult> {
  const size = options.chunkSize ?? 2000;
  const counts: LoadCounts = { users: 0, bankMonthly: 0, campaignLog: 0, catalogItems: 0 };
  try {
    const people = [
      ...data.clients.map((c) => {
        const latest = c.monthly[c.monthly.length - 1];
        const attributes = { ...c.profile, products: latest?.products ?? {}, lifeEvents: c.lifeEvents };
        return { userId: c.userId, displayName: c.displayName, segment: c.profile.segmento, attributes };
      }),
      ...data.shoppers.map((s) => ({
        userId: s.userId,
        displayName: s.displayName,
        segment: "retail",
        attributes: { location: s.location } as Record<string, unknown>,
      })),
    ];
    for (const part of chunks(people, size)) {
      const sealed = await Promise.all(part.map((person) => options.vault.sealUser(person.userId, person)));
      const ids = part.map((person) => person.userId);
      const names = sealed.map((user) => user.displayName);
      const segments = part.map((person) => person.segment);
      const attributes = sealed.map((user) => user.attributes);
      // Arrays of arrays cannot be unnested in step; each row's index travels as one text ("{a,b}").
      const indexes = sealed.map((user) => `{${user.nameIndex.join(",")}}`);
      await sql`
        insert into users (user_id, display_name, segment, attributes, name_index)
        select id, name, segment, attributes, name_index::text[]
        from unnest(${ids}::text[], ${names}::text[], ${segments}::text[], ${attributes}::text[],
          ${indexes}::text[]) as t(id, name, segment, attributes, name_index)
        on conflict (user_id) do update set display_name = excluded.display_name,
          segment = excluded.segment, attributes = excluded.attributes, name_index = excluded.name_index`;
      counts.users += part.length;
    }
    const monthly = data.clients.flatMap((c) =>
      c.monthly.map((row) => [c.userId, row.fecha_dato, profileJson(row), JSON.stringify(row.products)])
    );
    for (const part of chunks(monthly, size)) {
      const [ids, dates, profiles, products] = columns(part, 4);
      await sql`
        insert into bank_monthly (user_id, fecha_dato, profile, products)
        select id, fecha, profile::jsonb, products::jsonb
        from unnest(${ids}::text[], ${dates}::date[], ${profiles}::text[], ${products}::text[])
          as t(id, fecha, profile, products)
        on conflict (user_id, fecha_dato) do update set profile = excluded.profile, products = excluded.products`;
      counts.bankMonthly += part.length;
    }
    for (const part of chunks(data.campaign, size)) {
      const rows = part.map((
        r,
      ) => [r.userId, r.offer, r.at, r.treated, r.converted, r.pControl, r.pTreated, r.uplift, r.segment]);
      const [ids, offers, ats, treated, converted, pControl, pTreated, uplift, segments] = columns(rows, 9);
      await sql`
        insert into campaign_log (user_id, offer, at, treated, converted, p_control, p_treated, uplift, segment)
        select * from unnest(${ids}::text[], ${offers}::text[], ${ats}::timestamptz[], ${treated}::smallint[],
          ${converted}::smallint[], ${pControl}::real[], ${pTreated}::real[], ${uplift}::real[], ${segments}::text[])
        on conflict (user_id, offer, at) do update set treated = excluded.treated,
          converted = excluded.converted, p_control = excluded.p_control, p_treated = excluded.p_treated,
          uplift = excluded.uplift, segment = excluded.segment`;
      counts.campaignLog += part.length;
    }
    for (const part of chunks(data.catalog, size)) {
      const rows = part.map((i) => [
        i.id,
        i.category,
        i.brand,
        i.price,
        i.name.ru,
        i.name.en,
        i.tags.join(","),
        JSON.stringify(i.availability),
      ]);
      const [ids, categories, brands, prices, namesRu, namesEn, tags, availability] = columns(rows, 8);
      await sql`
        insert into catalog_items (item_id, category, brand, price, name_ru, name_en, tags, availability)
        select id, category, brand, price, name_ru, name_en, string_to_array(tags, ','), availability::jsonb
        from unnest(${ids}::text[], ${categories}::text[], ${brands}::text[], ${prices}::numeric[],
          ${namesRu}::text[], ${namesEn}::text[], ${tags}::text[], ${availability}::text[])
          as t(id, category, brand, price, name_ru, name_en, tags, availability)
        on conflict (item_id) do update set category = excluded.category, brand = excluded.brand,
          price = excluded.price, name_ru = excluded.name_ru, name_en = excluded.name_en,
          tags = excluded.tags, availability = excluded.availability`;
      counts.catalogItems += part.length;
    }
    return { ok: true, counts };
  } catch (error) {
    return { ok: false, reason: `Loading failed: ${error instanceof Error ? error.message : String(error)}` };
  }
}
