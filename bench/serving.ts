/**
 * Recommendations throughput, warm actors: the engine runs as `deno task
 * start` runs it (subprocess, real Postgres, in-process log, demo data, models
 * on) and a load generator in another process sends
 * `GET /v1/users/:id/recommendations?k=3&record=0` over every demo bank client,
 * each request with that client's own demo-login token. The same requests go to
 * three baselines, each its own process: a bare `Deno.serve` hello-world, a
 * stateless Hono service reading the profile from Postgres on every request,
 * and the same reading from Redis. Every server is measured at each
 * concurrency level, in turn and `rounds` times (the median counts), while
 * the levels rise until the engine's throughput stops rising (the knee).
 *
 * @module
 */

import postgres from "postgres";
import { BASELINE_KINDS, type BaselineKind, profileQuery } from "./_baseline_server.ts";
import { startDemoEngine, warmRecommendations } from "./_demo_engine.ts";
import { loadFromProcess, type LoadReport, type LoadTarget } from "./_http_load.ts";
import { RespClient } from "./_resp.ts";
import { type ServerProcess, startBaseline } from "./_server_process.ts";
import { type LatencySummary, ratio, round } from "./_stats.ts";

/** SPEC target: engine throughput against the hello-world. */
export const SERVING_TARGET_HELLO_RATIO = 0.5;
/** SPEC target: engine throughput against the stateless Postgres design. */
export const SERVING_TARGET_POSTGRES_RATIO = 3;
/** The level the SPEC's figures (and the targets here) are stated at. */
export const SERVING_REFERENCE_CONNECTIONS = 32;

/** Options for {@linkcode runServingBench}. */
export interface ServingBenchOptions {
  /** Concurrency levels, rising; measuring stops past the knee (but never before the reference level). */
  levels: number[];
  warmupMs: number;
  durationMs: number;
  /** Each server is measured this many times per level, interleaved with the others; the median counts. */
  rounds: number;
}

/** The servers compared. */
export type ServerName = "engine" | BaselineKind;
const SERVERS: readonly ServerName[] = ["engine", ...BASELINE_KINDS];

/** One round of one server at one level. */
export interface RoundFigure {
  perSecond: number;
  p50: number;
  p99: number;
  /** CPU cores the server process used during the round (1 = one core busy; Postgres and Redis not counted). */
  serverCpu: number;
  /** CPU cores the load generator used. */
  clientCpu: number;
}

/** One server at one level: its median round, and every round in order. */
export interface LevelFigure {
  perSecond: number;
  latencyMs: LatencySummary;
  /** Failed requests over all rounds, by status or `network`. */
  errors: Record<string, number>;
  meanResponseBytes: number;
  serverCpu: number;
  clientCpu: number;
  /** Server-process CPU time per request, in microseconds (median round). */
  cpuMicrosPerRequest: number;
  rounds: RoundFigure[];
}

/**
 * Engine against one baseline at one level: each round's ratio (the two ran
 * in the same round, seconds apart, so they saw the same machine), then the
 * median over rounds.
 */
export interface Ratios {
  throughput: number | null;
  /** Engine latency over baseline latency (lower is better). */
  p50: number | null;
  p99: number | null;
}

/** What {@linkcode runServingBench} reports. */
export interface ServingResult {
  bankUsers: number;
  levels: { connections: number; servers: Record<ServerName, LevelFigure> }[];
  /** The level where the engine's throughput peaked. */
  knee: number;
  /** Ratios at the reference level (32 connections). */
  atReference: Record<BaselineKind, Ratios>;
  /** Ratios at the engine's best level, against each baseline at the same level. */
  atKnee: Record<BaselineKind, Ratios>;
  /** Each server's best (median-round) throughput over all levels, and the engine's peak over each baseline's peak. */
  peaks: Record<ServerName, { perSecond: number; connections: number }>;
  peakRatios: Record<BaselineKind, number | null>;
  target: { helloRatio: number; postgresRatio: number; connections: number };
  met: boolean;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

/** Copies each bank client's profile, as the Postgres baseline reads it, into Redis under `prefix`. */
async function loadRedis(databaseUrl: string, userIds: string[], prefix: string): Promise<void> {
  const sql = postgres(databaseUrl, { max: 4, onnotice: () => {} });
  const redis = await RespClient.connect();
  try {
    for (const userId of userIds) {
      const [row] = await profileQuery(sql, userId);
      await redis.command("SET", prefix + userId, JSON.stringify(row));
    }
  } finally {
    await redis.close();
    await sql.end({ timeout: 2 });
  }
}

async function clearRedis(userIds: string[], prefix: string): Promise<void> {
  const redis = await RespClient.connect();
  try {
    for (let i = 0; i < userIds.length; i += 500) {
      await redis.command("DEL", ...userIds.slice(i, i + 500).map((userId) => prefix + userId));
    }
  } finally {
    await redis.close();
  }
}

async function measure(
  server: { url: string; process: ServerProcess },
  targets: LoadTarget[],
  connections: number,
  options: ServingBenchOptions,
): Promise<LoadReport & { serverCpu: number }> {
  server.process.assertRunning();
  const cpuBefore = server.process.cpuSeconds();
  const started = performance.now();
  const report = await loadFromProcess({
    base: server.url,
    targets,
    connections,
    warmupMs: options.warmupMs,
    durationMs: options.durationMs,
  });
  const seconds = (performance.now() - started) / 1000;
  return { ...report, serverCpu: round((server.process.cpuSeconds() - cpuBefore) / seconds, 2) };
}

function ratios(engine: LevelFigure, baseline: LevelFigure): Ratios {
  const perRound = (key: "perSecond" | "p50" | "p99") => {
    const values = engine.rounds.map((run, i) => ratio(run[key], baseline.rounds[i][key]));
    return values.includes(null) ? null : median(values as number[]);
  };
  return { throughput: perRound("perSecond"), p50: perRound("p50"), p99: perRound("p99") };
}

function ratiosAt(servers: Record<ServerName, LevelFigure>): Record<BaselineKind, Ratios> {
  return Object.fromEntries(
    BASELINE_KINDS.map((kind) => [kind, ratios(servers.engine, servers[kind])]),
  ) as Record<
    BaselineKind,
    Ratios
  >;
}

/** Runs the serving measurement. */
export async function runServingBench(options: ServingBenchOptions): Promise<ServingResult> {
  const engine = await startDemoEngine();
  const servers: Partial<Record<ServerName, { url: string; process: ServerProcess }>> = {};
  const redisPrefix = `bench:serving:${crypto.randomUUID()}:`;
  const userIds = engine.bankUsers.map((user) => user.userId);
  try {
    servers.engine = { url: engine.url, process: engine.process };
    await warmRecommendations(engine);
    await loadRedis(engine.databaseUrl, userIds, redisPrefix);
    servers.hello = await startBaseline("hello");
    servers.postgres = await startBaseline("postgres", { DATABASE_URL: engine.databaseUrl });
    servers.redis = await startBaseline("redis", { REDIS_PREFIX: redisPrefix });
    // Every server gets the same request bytes: path, query and the client's bearer token.
    const targets: LoadTarget[] = engine.bankUsers.map(({ userId, token }) => ({
      path: `/v1/users/${userId}/recommendations?k=3&record=0`,
      headers: { authorization: `Bearer ${token}`, accept: "application/json" },
    }));

    const levels: ServingResult["levels"] = [];
    let best = 0;
    for (const connections of options.levels) {
      const reports: Record<string, (LoadReport & { serverCpu: number })[]> = {};
      for (let round = 0; round < options.rounds; round++) {
        // A different server goes first in each round, so a noisy moment does not always hit the same one.
        const order = SERVERS.map((_, i) => SERVERS[(i + round) % SERVERS.length]);
        for (const name of order) {
          const report = await measure(servers[name]!, targets, connections, options);
          (reports[name] ??= []).push(report);
          console.error(
            `bench: serving ${name} @${connections}: ${report.perSecond}/s p50 ${report.latencyMs.p50} ms p99 ${report.latencyMs.p99} ms` +
              ` cpu server ${report.serverCpu} client ${report.clientCpu}`,
          );
        }
      }
      const figures = Object.fromEntries(SERVERS.map((name) => {
        const runs = reports[name];
        const middle = runs.find((run) => run.perSecond === median(runs.map((r) => r.perSecond)))!;
        const errors: Record<string, number> = {};
        for (const run of runs) {
          for (const [key, count] of Object.entries(run.errors)) errors[key] = (errors[key] ?? 0) + count;
        }
        return [
          name,
          {
            perSecond: middle.perSecond,
            latencyMs: middle.latencyMs,
            errors,
            meanResponseBytes: middle.meanResponseBytes,
            serverCpu: middle.serverCpu,
            clientCpu: middle.clientCpu,
            cpuMicrosPerRequest: round(middle.serverCpu * 1e6 / middle.perSecond, 1),
            rounds: runs.map((run) => ({
              perSecond: run.perSecond,
              p50: run.latencyMs.p50,
              p99: run.latencyMs.p99,
              serverCpu: run.serverCpu,
              clientCpu: run.clientCpu,
            })),
          } satisfies LevelFigure,
        ];
      })) as Record<ServerName, LevelFigure>;
      levels.push({ connections, servers: figures });
      const engineRate = figures.engine.perSecond;
      const rising = engineRate > best * 1.05;
      best = Math.max(best, engineRate);
      if (!rising && connections >= SERVING_REFERENCE_CONNECTIONS) break;
    }

    const peaks = Object.fromEntries(SERVERS.map((name) => {
      const top = levels.reduce((a, b) => b.servers[name].perSecond > a.servers[name].perSecond ? b : a);
      return [name, { perSecond: top.servers[name].perSecond, connections: top.connections }];
    })) as ServingResult["peaks"];
    const knee = peaks.engine.connections;
    const reference = levels.find((level) => level.connections === SERVING_REFERENCE_CONNECTIONS) ??
      levels[levels.length - 1];
    const atReference = ratiosAt(reference.servers);
    const atKnee = ratiosAt(levels.find((level) => level.connections === knee)!.servers);
    const peakRatios = Object.fromEntries(
      BASELINE_KINDS.map((kind) => [kind, ratio(peaks.engine.perSecond, peaks[kind].perSecond)]),
    ) as Record<BaselineKind, number | null>;
    const engineErrors = levels.some((level) => Object.keys(level.servers.engine.errors).length > 0);
    return {
      bankUsers: userIds.length,
      levels,
      knee,
      atReference,
      atKnee,
      peaks,
      peakRatios,
      target: {
        helloRatio: SERVING_TARGET_HELLO_RATIO,
        postgresRatio: SERVING_TARGET_POSTGRES_RATIO,
        connections: reference.connections,
      },
      met: !engineErrors && (atReference.hello.throughput ?? 0) >= SERVING_TARGET_HELLO_RATIO &&
        (atReference.postgres.throughput ?? 0) >= SERVING_TARGET_POSTGRES_RATIO,
    };
  } finally {
    for (const kind of BASELINE_KINDS) await servers[kind]?.process.stop(2_000);
    await clearRedis(userIds, redisPrefix).catch(() => {});
    await engine.stop();
  }
}

/** Rows for `deno task bench`'s table; `met` looks a target up by name prefix. */
export function servingTableRows(result: ServingResult, met: (name: string) => string): string[][] {
  const at = result.target.connections;
  const level = result.levels.find((entry) => entry.connections === at)!.servers;
  const rate = (name: ServerName) => `${level[name].perSecond}/s`;
  const latency = (name: ServerName) => `${level[name].latencyMs.p50} / ${level[name].latencyMs.p99}`;
  const ratios = result.atReference;
  const { peaks, peakRatios } = result;
  return [
    [
      `recommendations req/s @${at} conns`,
      rate("engine"),
      `${rate("hello")} hello-world`,
      String(ratios.hello.throughput),
      `>=${SERVING_TARGET_HELLO_RATIO}x`,
      met("recommendations vs hello-world"),
    ],
    [
      `recommendations req/s @${at} conns`,
      rate("engine"),
      `${rate("postgres")} stateless postgres`,
      String(ratios.postgres.throughput),
      `>=${SERVING_TARGET_POSTGRES_RATIO}x`,
      met("recommendations vs stateless postgres"),
    ],
    [
      `recommendations req/s @${at} conns`,
      rate("engine"),
      `${rate("redis")} stateless redis`,
      String(ratios.redis.throughput),
      "-",
      "-",
    ],
    [
      `recommendations p50/p99 ms @${at} conns`,
      latency("engine"),
      `${latency("hello")} hello; ${latency("postgres")} pg; ${latency("redis")} redis`,
      `${ratios.postgres.p50} / ${ratios.postgres.p99} vs pg`,
      "-",
      "-",
    ],
    [
      `server CPU µs per request @${at} conns`,
      String(level.engine.cpuMicrosPerRequest),
      `hello ${level.hello.cpuMicrosPerRequest}, pg ${level.postgres.cpuMicrosPerRequest}, redis ${level.redis.cpuMicrosPerRequest} (db CPU not counted)`,
      "-",
      "-",
      "-",
    ],
    [
      `recommendations peak req/s (knee @${result.knee})`,
      String(peaks.engine.perSecond),
      `hello ${peaks.hello.perSecond} @${peaks.hello.connections}, pg ${peaks.postgres.perSecond} @${peaks.postgres.connections}, redis ${peaks.redis.perSecond} @${peaks.redis.connections}`,
      `${peakRatios.hello} / ${peakRatios.postgres} / ${peakRatios.redis}`,
      "-",
      "-",
    ],
  ];
}
