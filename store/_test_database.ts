/**
 * Test helper: a fresh, empty database on the real Postgres server for each
 * test file, so files can run in parallel without seeing each other's rows.
 *
 * The admin URL is `TEST_DATABASE_URL`, else
 * `postgres://postgres@127.0.0.1:5432/test`. The helper connects there,
 * creates `<prefix>_<random>`, and returns a URL for it with the same
 * credentials and host.
 *
 * @module
 */

import postgres from "postgres";

/** Default admin URL of the CI Postgres server. */
export const DEFAULT_TEST_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/test";

/** A throwaway database. */
export type TestDatabase = {
  /** URL of the new database. */
  url: string;
  /** Database name, e.g. `store_test_k3j9x2`. */
  name: string;
  /** Drops the database, forcibly disconnecting any client still attached. */
  drop(): Promise<void>;
};

/** Options for {@linkcode createTestDatabase}. */
export type CreateTestDatabaseOptions = {
  /** Name prefix, lowercase letters, digits and underscores; default `test`. */
  prefix?: string;
};

/**
 * Creates a uniquely named empty database and returns its URL.
 *
 * Always pair with `drop()` in a `finally` (or the last test step). The admin
 * connection is opened and closed inside each call, so nothing leaks between
 * `createTestDatabase()` and `drop()`.
 *
 * @param options Name prefix.
 */
export async function createTestDatabase(
  options: CreateTestDatabaseOptions = {},
): Promise<TestDatabase> {
  const prefix = options.prefix ?? "test";
  if (!/^[a-z][a-z0-9_]{0,30}$/.test(prefix)) {
    throw new TypeError(`Invalid test database prefix: ${prefix}`);
  }
  const adminUrl = Deno.env.get("TEST_DATABASE_URL") ??
    DEFAULT_TEST_DATABASE_URL;
  const name = `${prefix}_${randomSuffix()}`;
  await withAdmin(adminUrl, async (sql) => {
    await sql.unsafe(`create database ${name}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop() {
      dropped ??= withAdmin(adminUrl, async (sql) => {
        await sql.unsafe(`drop database if exists ${name} with (force)`);
      });
      return dropped;
    },
  };
}

async function withAdmin(
  adminUrl: string,
  run: (sql: postgres.Sql) => Promise<void>,
): Promise<void> {
  const sql = postgres(adminUrl, {
    max: 1,
    connect_timeout: 5,
    onnotice: () => {},
  });
  try {
    await run(sql);
  } finally {
    await sql.end({ timeout: 5 });
  }
}

function randomSuffix(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6));
  return Array.from(bytes, (byte) => byte.toString(36).padStart(2, "0"))
    .join("").slice(0, 12);
}
