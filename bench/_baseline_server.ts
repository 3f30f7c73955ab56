/**
 * The serving benchmark's baselines, each run as its own process:
 *
 * - `hello`: a bare `Deno.serve` answering `Hello, World!`;
 * - `postgres`: a stateless Hono service that reads the user's profile (the
 *   `users` row and the latest `bank_monthly` month) from Postgres on every
 *   request and answers it as JSON (about the size of the engine's answer);
 * - `redis`: the same service reading the same profile, stored as JSON, from
 *   Redis with one `GET` per request.
 *
 * Usage: `deno run -A bench/_baseline_server.ts <kind>` with `DATABASE_URL`
 * (postgres), `REDIS_PORT` and `REDIS_PREFIX` (redis). It prints
 * `{"port":N}` on stdout once listening and stops on SIGTERM.
 *
 * @module
 */

import { Hono } from "hono";
import postgres from "postgres";
import { RespClient } from "./_resp.ts";

/** The baselines this file serves. */
export const BASELINE_KINDS = ["hello", "postgres", "redis"] as const;
/** One of {@linkcode BASELINE_KINDS}. */
export type BaselineKind = typeof BASELINE_KINDS[number];

/** A user's profile as the stateless services read it. */
export interface ProfileRow {
  user_id: string;
  display_name: string | null;
  segment: string | null;
  /** jsonb, or an encrypted envelope (text) once PII is encrypted at rest; sent on as read either way. */
  attributes: unknown;
  month: string | null;
  profile: Record<string, unknown> | null;
  products: Record<string, number> | null;
}

/** One query: the user row and its latest month (primary-key lookups). */
export function profileQuery(sql: postgres.Sql, userId: string): Promise<ProfileRow[]> {
  return sql<ProfileRow[]>`
    select u.user_id, u.display_name, u.segment, u.attributes,
           m.fecha_dato::text as month, m.profile, m.products
    from users u
    left join lateral (
      select fecha_dato, profile, products from bank_monthly b
      where b.user_id = u.user_id order by fecha_dato desc limit 1
    ) m on true
    where u.user_id = ${userId}`;
}

function reply(row: ProfileRow, started: number) {
  return {
    userId: row.user_id,
    displayName: row.display_name,
    segment: row.segment,
    attributes: row.attributes,
    month: row.month,
    profile: row.profile,
    products: row.products,
    latencyMs: performance.now() - started,
  };
}

function serve(fetch: (request: Request) => Response | Promise<Response>): Deno.HttpServer {
  return Deno.serve({
    port: 0,
    hostname: "127.0.0.1",
    onListen: ({ port }) => console.log(JSON.stringify({ port })),
  }, fetch);
}

async function main(kind: string): Promise<void> {
  const cleanups: (() => Promise<void>)[] = [];
  let server: Deno.HttpServer;
  if (kind === "hello") {
    server = serve(() => new Response("Hello, World!"));
  } else if (kind === "postgres") {
    const url = Deno.env.get("DATABASE_URL");
    if (!url) throw new Error("DATABASE_URL is required");
    const sql = postgres(url, { max: Number(Deno.env.get("PG_POOL") ?? 10), onnotice: () => {} });
    cleanups.push(() => sql.end({ timeout: 2 }));
    const app = new Hono();
    app.get("/v1/users/:id/recommendations", async (c) => {
      const started = performance.now();
      const [row] = await profileQuery(sql, c.req.param("id"));
      if (!row) return c.json({ error: "no such user" }, 404);
      return c.json(reply(row, started));
    });
    server = serve(app.fetch);
  } else if (kind === "redis") {
    const prefix = Deno.env.get("REDIS_PREFIX") ?? "bench:profile:";
    const redis = await RespClient.connect("127.0.0.1", Number(Deno.env.get("REDIS_PORT") ?? 6379));
    cleanups.push(() => redis.close());
    const app = new Hono();
    app.get("/v1/users/:id/recommendations", async (c) => {
      const started = performance.now();
      const stored = await redis.command("GET", prefix + c.req.param("id"));
      if (typeof stored !== "string") return c.json({ error: "no such user" }, 404);
      return c.json(reply(JSON.parse(stored) as ProfileRow, started));
    });
    server = serve(app.fetch);
  } else {
    throw new Error(`unknown baseline ${kind}; one of ${BASELINE_KINDS.join(", ")}`);
  }
  const stopped = Promise.withResolvers<void>();
  Deno.addSignalListener("SIGTERM", () => stopped.resolve());
  await stopped.promise;
  await server.shutdown();
  for (const cleanup of cleanups) await cleanup().catch(() => {});
}

if (import.meta.main) {
  await main(Deno.args[0] ?? "");
  Deno.exit(0);
}
