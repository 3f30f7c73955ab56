/**
 * One engine in this process on the real Postgres (a fresh database) and the
 * in-process log, with demo data loaded, for tests that drive the HTTP API
 * through `app.request`.
 *
 * @module
 */

import { loadConfig } from "../engine/config.ts";
import { type Engine, startEngine } from "../engine/engine.ts";
import { createTestDatabase } from "../store/_test_database.ts";
import { ADMIN_TOKEN } from "./_harness.ts";

/** A running in-process engine and helpers to call it. */
export interface EngineFixture {
  engine: Engine;
  /** Calls the app; `token` becomes the bearer token. */
  call(path: string, init?: RequestInit & { token?: string; json?: unknown }): Promise<Response>;
  /** Calls the app and parses the JSON answer, failing on an unexpected status. */
  json<T>(path: string, init?: RequestInit & { token?: string; json?: unknown; status?: number }): Promise<T>;
  /** A demo-login token for a user. */
  login(userId: string): Promise<string>;
}

/** Starts an engine with `env`, runs `body`, and tears everything down. */
export async function withEngine(
  env: Record<string, string>,
  body: (fixture: EngineFixture) => Promise<void>,
): Promise<void> {
  const database = await createTestDatabase({ prefix: "api" });
  const dataDir = await Deno.makeTempDir({ prefix: "engine-api-" });
  let engine: Engine | null = null;
  try {
    engine = await startEngine(loadConfig({
      DATABASE_URL: database.url,
      DATA_DIR: dataDir,
      ADMIN_TOKEN,
      AUTH_MODE: "demo",
      DEMO_DATA: "1",
      EMBEDDED_PARTITIONS: "4",
      FLUSH_INTERVAL_MS: "200",
      LOG_LEVEL: "warn",
      ...env,
    }));
    const running = engine;
    const call = (path: string, init: RequestInit & { token?: string; json?: unknown } = {}) => {
      const { token, json, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== undefined) headers.set("authorization", `Bearer ${token}`);
      if (json !== undefined) headers.set("content-type", "application/json");
      return Promise.resolve(running.app.request(path, {
        ...rest,
        headers,
        ...(json !== undefined ? { body: JSON.stringify(json), method: rest.method ?? "POST" } : {}),
      }));
    };
    const json = async <T>(
      path: string,
      init: RequestInit & { token?: string; json?: unknown; status?: number } = {},
    ) => {
      const { status, ...rest } = init;
      const response = await call(path, rest);
      const text = await response.text();
      if (response.status !== (status ?? 200)) {
        throw new Error(`${init.method ?? "GET"} ${path} answered ${response.status}: ${text.slice(0, 500)}`);
      }
      return JSON.parse(text) as T;
    };
    const login = async (userId: string) =>
      (await json<{ token: string }>("/v1/auth/demo-login", { json: { userId } })).token;
    await waitReady(running);
    await body({ engine: running, call, json, login });
  } finally {
    await engine?.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    await database.drop();
  }
}

async function waitReady(engine: Engine): Promise<void> {
  const deadline = performance.now() + 60_000;
  while (performance.now() < deadline) {
    const response = await engine.app.request("/readyz");
    const body = await response.json();
    if (body.ready) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error("engine not ready within 60 s");
}
