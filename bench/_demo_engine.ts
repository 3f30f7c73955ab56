/**
 * The engine as `deno task start` runs it, in a subprocess, for the serving
 * benchmarks: a fresh database on the real Postgres, the in-process log (no
 * `KAFKA_BROKERS`), demo data, demo login, models on and no LLM (the template
 * explainer answers). Ready once `/readyz` answers and every demo event has
 * reached its actor.
 *
 * @module
 */

import { createTestDatabase } from "../store/_test_database.ts";
import { freePort, ServerProcess } from "./_server_process.ts";
import { waitUntil } from "./_stats.ts";

/** The admin token of the bench engine. */
export const BENCH_ADMIN_TOKEN = "bench-admin-token-0123456789";

/** A running demo engine. */
export interface DemoEngine {
  url: string;
  process: ServerProcess;
  databaseUrl: string;
  /** Demo users with a token each, bank clients (`b-…`) and shoppers (`r-…`). */
  bankUsers: { userId: string; token: string }[];
  retailUsers: { userId: string; token: string }[];
  /** Events the demo data fed through the log. */
  demoEvents: number;
  stop(): Promise<void>;
}

async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split("\n").find((entry) => entry.startsWith(`${name} `));
  return line === undefined ? 0 : Number(line.slice(name.length + 1));
}

async function login(url: string, userId: string): Promise<string | null> {
  const response = await fetch(`${url}/v1/auth/demo-login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ userId }),
  });
  if (response.status === 404) {
    await response.body?.cancel();
    return null;
  }
  if (!response.ok) throw new Error(`demo login of ${userId} answered ${response.status}`);
  return ((await response.json()) as { token: string }).token;
}

async function demoUsers(url: string, prefix: string, count: number) {
  const users: { userId: string; token: string }[] = [];
  for (let i = 1; i <= count; i++) {
    const userId = `${prefix}${String(i).padStart(6, "0")}`;
    const token = await login(url, userId);
    if (token === null) break;
    users.push({ userId, token });
  }
  return users;
}

/**
 * Starts the engine; `env` adds or overrides configuration. Flags in
 * `BENCH_ENGINE_FLAGS` (e.g. `--cpu-prof --cpu-prof-dir=prof`) go to its
 * `deno run`, for profiling.
 */
export async function startDemoEngine(env: Record<string, string> = {}): Promise<DemoEngine> {
  const database = await createTestDatabase({ prefix: "bench_serving" });
  const dataDir = await Deno.makeTempDir({ prefix: "bench-serving-" });
  const port = freePort();
  const url = `http://127.0.0.1:${port}`;
  const flags = (Deno.env.get("BENCH_ENGINE_FLAGS") ?? "").split(/\s+/).filter((flag) => flag !== "");
  const process = new ServerProcess("engine", ["run", "--allow-all", ...flags, "main.ts"], {
    PORT: String(port),
    HOST: "127.0.0.1",
    NODE_ID: "bench-serving",
    DATABASE_URL: database.url,
    DATA_DIR: dataDir,
    DEMO_DATA: "1",
    AUTH_MODE: "demo",
    ADMIN_TOKEN: BENCH_ADMIN_TOKEN,
    EMBEDDED_PARTITIONS: "4",
    LOG_LEVEL: "info",
    // The embedded log and the template explainer, whatever the calling shell has set.
    KAFKA_BROKERS: "",
    LLM_BASE_URL: "",
    // The load comes from one address at thousands of requests a second: limits that never refuse, while
    // the limiter still runs on every request.
    RATE_LIMIT_USER_PER_MIN: "1000000000",
    RATE_LIMIT_IP_PER_MIN: "1000000000",
    ...env,
  });
  const stop = async () => {
    await process.stop();
    await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    await database.drop();
  };
  try {
    const demoEvents = await process.waitForLine((line) => {
      if (!line.includes('"demo data loaded"')) return undefined;
      return Number((JSON.parse(line) as { events: number }).events);
    }, 180_000);
    await waitUntil("the engine to be ready", async () => {
      process.assertRunning();
      const response = await fetch(`${url}/readyz`).catch(() => null);
      await response?.body?.cancel();
      return response?.status === 200;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    await waitUntil("the demo events to reach their actors", async () => {
      const applied = await metric(url, "engine_events_applied_total");
      const dead = await metric(url, "engine_dead_letters_total");
      return applied + dead >= demoEvents;
    }, { timeoutMs: 120_000, intervalMs: 200 });
    const bankUsers = await demoUsers(url, "b-", 100_000);
    const retailUsers = await demoUsers(url, "r-", 100_000);
    if (bankUsers.length === 0) throw new Error("the demo data has no bank users");
    return { url, process, databaseUrl: database.url, bankUsers, retailUsers, demoEvents, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Asks for every bank client's recommendations once (`record=0`): actors resident, scores cached. */
export async function warmRecommendations(engine: DemoEngine): Promise<void> {
  for (const { userId, token } of engine.bankUsers) {
    const response = await fetch(`${engine.url}/v1/users/${userId}/recommendations?k=3&record=0`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`warming ${userId} answered ${response.status}: ${body}`);
  }
}
