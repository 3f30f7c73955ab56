/**
 * Schema migrations for the engine's Postgres database.
 *
 * The SQL lives here as string constants rather than `.sql` files so that
 * `deno compile` embeds it without any `--include` flags. Every statement runs
 * unchanged on a real Postgres server and on PGlite.
 *
 * @module
 */

import type { Sql } from "./_sql.ts";

/** One forward-only schema change. */
export type Migration = {
  /** Strictly increasing version number; never reuse or renumber. */
  version: number;
  /** Short snake_case name, stored in `schema_migrations` for humans. */
  name: string;
  /** One or more SQL statements, run as one simple query. */
  sql: string;
};

/** Result of {@linkcode migrate}: the versions this call applied. */
export type MigrateResult = { ok: true; applied: number[] };

/**
 * Key for `pg_advisory_xact_lock`. Any constant works as long as every engine
 * process uses the same one; this is "pzn_migr" read as ASCII bytes.
 */
const MIGRATION_LOCK_KEY = 0x707a6e5f6d696772n;

const INITIAL_SCHEMA = `
create table if not exists users (
  user_id text primary key,
  display_name text,
  segment text,
  attributes jsonb not null default '{}',
  created_at timestamptz default now()
);

create table if not exists actor_snapshots (
  user_id text primary key,
  partition int not null,
  kafka_offset bigint not null,
  events_applied bigint not null,
  state bytea not null,
  updated_at timestamptz not null default now()
);
create index if not exists actor_snapshots_partition_idx
  on actor_snapshots (partition);

create table if not exists partition_offsets (
  topic text,
  partition int,
  next_offset bigint not null,
  updated_at timestamptz not null default now(),
  primary key (topic, partition)
);

create table if not exists partition_leases (
  partition int primary key,
  node_id text,
  epoch bigint not null default 0,
  acquired_at timestamptz
);

create table if not exists cluster_nodes (
  node_id text primary key,
  http_url text not null,
  started_at timestamptz not null,
  heartbeat_at timestamptz not null,
  assigned int[] not null default '{}'
);

create table if not exists consents (
  user_id text,
  purpose text check (purpose in ('personalization', 'marketing', 'llm')),
  granted boolean not null,
  updated_at timestamptz default now(),
  primary key (user_id, purpose)
);

create table if not exists event_log (
  event_id text primary key,
  user_id text not null,
  type text not null,
  ts timestamptz not null,
  payload jsonb not null,
  partition int not null,
  kafka_offset bigint not null,
  logged_at timestamptz default now()
);
create index if not exists event_log_user_ts_idx on event_log (user_id, ts desc);
`;

// Generated demo data (datagen/load.ts): Santander monthly rows, the randomized
// campaign log with its ground truth, and the retail catalog.
const DATAGEN_TABLES = `
create table if not exists bank_monthly (
  user_id text not null,
  fecha_dato date not null,
  profile jsonb not null,
  products jsonb not null,
  primary key (user_id, fecha_dato)
);

create table if not exists campaign_log (
  user_id text not null,
  offer text not null,
  at timestamptz not null,
  treated smallint not null check (treated in (0, 1)),
  converted smallint not null check (converted in (0, 1)),
  p_control real,
  p_treated real,
  uplift real,
  segment text,
  primary key (user_id, offer, at)
);
create index if not exists campaign_log_offer_idx on campaign_log (offer);

create table if not exists catalog_items (
  item_id text primary key,
  category text not null,
  brand text,
  price numeric not null,
  name_ru text not null,
  name_en text not null,
  tags text[] not null default '{}',
  availability jsonb not null default '{}'
);
create index if not exists catalog_items_category_idx on catalog_items (category);
`;

/** Scores refreshed by the vectors job: clusters and offers per user, for analytics without touching actors. */
const USER_SCORES = `
create table if not exists user_scores (
  user_id text primary key,
  cluster int not null,
  offers jsonb not null,
  propensity jsonb not null,
  profile_distance jsonb not null,
  scored_at timestamptz not null
);
create index if not exists user_scores_cluster_idx on user_scores (cluster);
`;

/** What users see and say: pushed notifications and chat turns with their context and satisfaction. */
const ENGAGEMENT_TABLES = `
create table if not exists notifications (
  notification_id text primary key,
  user_id text not null,
  product_id text not null,
  payload jsonb not null,
  created_at timestamptz not null default now()
);
create index if not exists notifications_user_idx on notifications (user_id, created_at desc);

create table if not exists chat_turns (
  turn_id text primary key,
  user_id text not null,
  session_id text not null,
  message text not null,
  answer text not null,
  source text not null,
  context jsonb not null,
  satisfaction smallint,
  created_at timestamptz not null default now()
);
create index if not exists chat_turns_user_idx on chat_turns (user_id, created_at desc);
`;

/**
 * Personal data at rest: `users.display_name` and `users.attributes` hold AES-GCM envelopes (text), a blind
 * index of name prefixes keeps the demo picker searchable, and `erasures` remembers erased ids with the log
 * position and time of the erasure, so events of an erased user still on the log never bring it back.
 * Rows written before this migration stay readable and the `pii.rotate` job encrypts them.
 */
const PRIVACY = `
alter table users alter column attributes drop default;
alter table users alter column attributes drop not null;
alter table users alter column attributes type text using attributes::text;
alter table users add column if not exists name_index text[] not null default '{}';
create index if not exists users_name_index_idx on users using gin (name_index);

create table if not exists erasures (
  user_id text primary key,
  partition int not null,
  through_offset bigint not null,
  erased_at timestamptz not null
);
`;

/** All migrations in the order they must be applied. Append only. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: "initial_schema", sql: INITIAL_SCHEMA },
  { version: 2, name: "datagen_tables", sql: DATAGEN_TABLES },
  { version: 3, name: "user_scores", sql: USER_SCORES },
  { version: 4, name: "engagement_tables", sql: ENGAGEMENT_TABLES },
  { version: 5, name: "privacy", sql: PRIVACY },
];

/**
 * Brings the database up to the newest schema.
 *
 * Creates `schema_migrations` if needed, then applies each pending migration in
 * its own transaction. Every transaction first takes a transaction-scoped
 * advisory lock, so two engine processes starting at once serialise here and
 * the second one sees the first one's rows and skips them.
 *
 * @param sql A postgres.js client (pool or reserved connection).
 * @param migrations Migrations to apply; defaults to {@linkcode MIGRATIONS}.
 */
export async function migrate(
  sql: Sql,
  migrations: readonly Migration[] = MIGRATIONS,
): Promise<MigrateResult> {
  assertOrdered(migrations);
  await sql.begin(async (tx) => {
    await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
    await tx`
      create table if not exists schema_migrations (
        version int primary key,
        name text,
        applied_at timestamptz
      )`;
  });

  const applied: number[] = [];
  for (const migration of migrations) {
    const done = await sql.begin(async (tx) => {
      await tx`select pg_advisory_xact_lock(${MIGRATION_LOCK_KEY.toString()}::bigint)`;
      const rows = await tx`
        select 1 from schema_migrations where version = ${migration.version}`;
      if (rows.length > 0) return false;
      await tx.unsafe(migration.sql);
      await tx`
        insert into schema_migrations (version, name, applied_at)
        values (${migration.version}, ${migration.name}, now())`;
      return true;
    });
    if (done) applied.push(migration.version);
  }
  return { ok: true, applied };
}

/**
 * Lists the versions recorded in `schema_migrations`, ascending.
 *
 * @param sql A postgres.js client.
 */
export async function appliedVersions(sql: Sql): Promise<number[]> {
  const rows = await sql<{ version: number }[]>`
    select version from schema_migrations order by version`;
  return rows.map((row) => row.version);
}

function assertOrdered(migrations: readonly Migration[]): void {
  for (let i = 1; i < migrations.length; i++) {
    if (migrations[i].version <= migrations[i - 1].version) {
      throw new RangeError(
        `Migration versions must increase: ${migrations[i].version} follows ${migrations[i - 1].version}`,
      );
    }
  }
}
