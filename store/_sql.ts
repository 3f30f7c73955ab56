/**
 * Private helpers shared by the store files: the postgres.js client type and
 * the one place where a client is configured.
 *
 * @module
 */

import { checkServerIdentity, type PeerCertificate } from "node:tls";
import postgres from "postgres";

/** Postgres type oid of `bigint` (`int8`). */
const INT8_OID = 20;

/**
 * Custom postgres.js type that maps `bigint` columns to JS numbers. Kafka
 * offsets, event counts and lease epochs stay far below 2^53, and numbers are
 * what every caller wants; `count(*)` also comes back as a number.
 */
const bigintAsNumber = {
  to: INT8_OID,
  from: [INT8_OID],
  serialize: (value: number | bigint | string) => String(value),
  parse: (value: string) => Number(value),
};

/** TLS to Postgres, as libpq's `sslmode` names it. */
export interface DatabaseTls {
  mode: "disable" | "prefer" | "require" | "verify-ca" | "verify-full";
  /** PEM of the CA that signed the server's certificate (verify modes), or null for the system store. */
  ca: string | null;
}

/** Options understood by {@linkcode openSql}. */
export type OpenSqlOptions = {
  /** Pool size. */
  max: number;
  /** Seconds before an idle pooled connection is closed; 0 keeps it open. */
  idleTimeoutSeconds: number;
  /** TLS to the server; none leaves the URL's own `sslmode` to postgres.js. */
  tls?: DatabaseTls;
};

/**
 * The postgres.js `ssl` option for a libpq-style mode: `prefer` and `require`
 * encrypt without checking the certificate (as libpq does), `verify-ca`
 * checks the chain, `verify-full` the chain and the host name. A CA replaces
 * the system store.
 */
export function postgresSsl(
  tls: DatabaseTls,
  host?: string,
): false | "prefer" | "require" | Record<string, unknown> {
  switch (tls.mode) {
    case "disable":
      return false;
    case "prefer":
    case "require":
      return tls.mode;
    case "verify-ca":
      return {
        rejectUnauthorized: true,
        ...(tls.ca ? { ca: tls.ca } : {}),
        checkServerIdentity: () => undefined,
      };
    case "verify-full":
      return {
        rejectUnauthorized: true,
        ...(tls.ca ? { ca: tls.ca } : {}),
        // postgres.js sends no server name for an IP address, and Deno's TLS then checks the certificate
        // against "localhost"; the host the URL names is the one to check (store/postgres_tls_test.ts).
        ...(host
          ? { checkServerIdentity: (_name: string, cert: PeerCertificate) => checkServerIdentity(host, cert) }
          : {}),
      };
  }
}

/**
 * Seconds a connection waits before reconnecting after its `retries`-th failed attempt in a row.
 * postgres.js grows this to 20 s (3^retries / 100); after a ten-second outage a query could then wait
 * twenty more for its connection although the server was back. Capped at one second, with jitter so that
 * every node's pool does not reconnect in step.
 */
export function reconnectBackoffSeconds(retries: number, random: () => number = Math.random): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.5 + random() / 2);
}

/** Opens a configured postgres.js client. */
export function openSql(url: string, options: OpenSqlOptions) {
  return postgres(url, {
    max: options.max,
    idle_timeout: options.idleTimeoutSeconds,
    connect_timeout: 5,
    backoff: reconnectBackoffSeconds,
    onnotice: () => {},
    types: { bigint: bigintAsNumber },
    ...(options.tls ? { ssl: postgresSsl(options.tls, hostOf(url)) } : {}),
  });
}

/** The host a `postgres://` URL names (brackets of an IPv6 address removed), or undefined. */
function hostOf(url: string): string | undefined {
  try {
    return new URL(url).hostname.replace(/^\[(.*)\]$/, "$1") || undefined;
  } catch {
    return undefined;
  }
}

/** The postgres.js client type used throughout `store/`. */
export type Sql = ReturnType<typeof openSql>;

/**
 * Reads a `max` search parameter from a connection URL (the embedded
 * PGlite server hands out URLs with `?max=1`). Returns undefined when absent.
 */
export function maxFromUrl(url: string): number | undefined {
  try {
    const value = new URL(url).searchParams.get("max");
    const max = value === null ? NaN : Number(value);
    return Number.isInteger(max) && max > 0 ? max : undefined;
  } catch {
    return undefined;
  }
}

/** The client handed to a `sql.begin(...)` callback. */
export type TransactionSql = postgres.TransactionSql<{ bigint: number }>;
