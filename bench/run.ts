/**
 * `deno task bench`: runs every benchmark on the real components in one
 * process, each figure beside a baseline measured in the same run, writes
 * `bench/results/latest.json` and prints a short table. `BENCH_SCALE` (e.g.
 * 0.1) shrinks every size and duration; `BENCH_ONLY=ingest,memory` runs a
 * subset. `serving` and `chat` run the engine as a subprocess and load it over
 * HTTP from other processes.
 *
 * @module
 */

import { ACTIVATION_TARGET_P99_MS, runActivationBench } from "./activation.ts";
import { CHAT_TARGET_FIRST_BYTE_P99_MS, chatTableRows, runChatBench } from "./chat.ts";
import type { EmbeddingsResult } from "./embeddings.ts";
import { runFlushBench } from "./flush.ts";
import { INGEST_TARGET_EVENTS_PER_SECOND, INGEST_TARGET_RATIO, runIngestBench } from "./ingest.ts";
import { LATENCY_TARGET_P99_MS, runLatencyBench } from "./latency.ts";
import { MEMORY_TARGET_BYTES, runMemoryBench } from "./memory.ts";
import {
  runServingBench,
  SERVING_REFERENCE_CONNECTIONS,
  SERVING_TARGET_HELLO_RATIO,
  SERVING_TARGET_POSTGRES_RATIO,
  servingTableRows,
} from "./serving.ts";

/** One SPEC target and whether this run met it. */
export interface TargetCheck {
  name: string;
  value: number | null;
  target: string;
  met: boolean;
}

/** The JSON written to `bench/results/latest.json`. */
export interface BenchReport {
  timestamp: string;
  deno: typeof Deno.version;
  cpuCount: number;
  scale: number;
  seconds: number;
  results: Record<string, unknown>;
  errors: Record<string, string>;
  targets: TargetCheck[];
}

const NAMES = [
  "ingest",
  "latency",
  "memory",
  "activation",
  "flush",
  "serving",
  "chat",
  "embeddings",
] as const;

function scaled(value: number, scale: number, minimum: number): number {
  return Math.max(minimum, Math.round(value * scale));
}

/** Runs the selected benchmarks at `scale` and returns the report. */
export async function runBench(scale: number, only: ReadonlySet<string>): Promise<BenchReport> {
  const started = performance.now();
  const results: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  const targets: TargetCheck[] = [];
  const step = async <T>(name: string, run: () => Promise<T>, check: (result: T) => void) => {
    if (!only.has(name)) return;
    const stepStarted = performance.now();
    console.error(`bench: ${name}…`);
    try {
      const result = await run();
      results[name] = result;
      check(result);
    } catch (error) {
      errors[name] = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.error(`bench: ${name} failed: ${errors[name]}`);
    }
    console.error(`bench: ${name} took ${((performance.now() - stepStarted) / 1000).toFixed(1)} s`);
  };

  const ingestEvents = scaled(300_000, scale, 10_000);
  await step("ingest", () =>
    runIngestBench({
      events: ingestEvents,
      users: scaled(50_000, scale, 2_000),
      // The librdkafka mock keeps about 5 MB per partition; stay well below it.
      partitions: Math.max(6, Math.ceil(ingestEvents / 10_000)),
    }), (result) => {
    targets.push({
      name: "ingest events/s",
      value: result.engine.perSecond,
      target: `>= ${INGEST_TARGET_EVENTS_PER_SECOND}`,
      met: result.engine.perSecond >= INGEST_TARGET_EVENTS_PER_SECOND,
    });
    targets.push({
      name: "ingest vs raw kafkajs",
      value: result.ratio,
      target: `>= ${INGEST_TARGET_RATIO}x`,
      met: (result.ratio ?? 0) >= INGEST_TARGET_RATIO,
    });
  });
  await step("latency", () =>
    runLatencyBench({
      eventsPerSecond: scaled(20_000, scale, 1_000),
      warmupMs: 3_000,
      measureMs: scaled(8_000, scale, 3_000),
      users: scaled(50_000, scale, 2_000),
      partitions: 24,
    }), (result) => {
    targets.push({
      name: `event-to-state p99 ms at ${result.targetRate}/s`,
      value: result.latencyMs.p99,
      target: `<= ${LATENCY_TARGET_P99_MS}`,
      met: result.met,
    });
  });
  await step(
    "memory",
    () => runMemoryBench({ actors: scaled(100_000, scale, 5_000), eventsPerActor: 5 }),
    (result) => {
      targets.push({
        name: "bytes per idle actor",
        value: result.bytesPerIdleActor,
        target: `<= ${MEMORY_TARGET_BYTES}`,
        met: result.bytesPerIdleActor <= MEMORY_TARGET_BYTES,
      });
      targets.push({
        name: "bytes per idle bank actor",
        value: result.bank.bytesPerIdleActor,
        target: `<= ${MEMORY_TARGET_BYTES}`,
        met: result.bank.bytesPerIdleActor <= MEMORY_TARGET_BYTES,
      });
    },
  );
  await step("activation", () =>
    runActivationBench({
      users: scaled(20_000, scale, 2_000),
      eventsPerUser: 5,
      activations: scaled(20_000, scale, 2_000),
    }), (result) => {
    targets.push({
      name: "activation p99 ms",
      value: result.activation.p99,
      target: `<= ${ACTIVATION_TARGET_P99_MS}`,
      met: result.met,
    });
  });
  await step(
    "flush",
    () => runFlushBench({ actors: scaled(50_000, scale, 2_000), eventsPerActor: 5 }),
    () => {},
  );
  await step("serving", () =>
    runServingBench({
      levels: [1, 8, SERVING_REFERENCE_CONNECTIONS, 64, 128, 256],
      warmupMs: scaled(1_000, scale, 500),
      durationMs: scaled(3_000, scale, 1_000),
      rounds: scale >= 0.5 ? 3 : 1,
    }), (result) => {
    const at = result.target.connections;
    targets.push({
      name: `recommendations vs hello-world at ${at} connections`,
      value: result.atReference.hello.throughput,
      target: `>= ${SERVING_TARGET_HELLO_RATIO}x`,
      met: (result.atReference.hello.throughput ?? 0) >= SERVING_TARGET_HELLO_RATIO,
    });
    targets.push({
      name: `recommendations vs stateless postgres at ${at} connections`,
      value: result.atReference.postgres.throughput,
      target: `>= ${SERVING_TARGET_POSTGRES_RATIO}x`,
      met: (result.atReference.postgres.throughput ?? 0) >= SERVING_TARGET_POSTGRES_RATIO,
    });
  });
  await step("chat", () =>
    runChatBench({
      turns: scaled(400, scale, 50),
      warmupTurns: 40,
      concurrency: 8,
      concurrentTurns: scaled(400, scale, 50),
    }), (result) => {
    targets.push({
      name: "chat first byte p99 ms",
      value: result.sequential.firstByteMs.p99,
      target: `<= ${CHAT_TARGET_FIRST_BYTE_P99_MS}`,
      met: result.met,
    });
  });
  // Last, and imported only when selected: transformers.js loads onnxruntime into the process.
  await step(
    "embeddings",
    async () => (await import("./embeddings.ts")).runEmbeddingsBench({ queries: scaled(2_000, scale, 200) }),
    () => {},
  );

  return {
    timestamp: new Date().toISOString(),
    deno: Deno.version,
    cpuCount: navigator.hardwareConcurrency,
    scale,
    seconds: Math.round((performance.now() - started) / 100) / 10,
    results,
    errors,
    targets,
  };
}

function row(cells: string[], widths: number[]): string {
  return cells.map((cell, i) => cell.padEnd(widths[i])).join("  ");
}

/** A short human-readable table of the report. */
export function formatReport(report: BenchReport): string {
  const r = report.results as Record<string, Record<string, unknown> | undefined>;
  const lines: string[][] = [["measurement", "value", "baseline", "ratio", "target", "met"]];
  const met = (name: string) => {
    const check = report.targets.find((target) => target.name.startsWith(name));
    return check === undefined ? "-" : check.met ? "yes" : "NO";
  };
  const ingest = r.ingest as Awaited<ReturnType<typeof runIngestBench>> | undefined;
  if (ingest) {
    lines.push([
      "ingest events/s",
      String(ingest.engine.perSecond),
      `${ingest.rawKafkajs.perSecond} raw kafkajs`,
      String(ingest.ratio),
      `>=${INGEST_TARGET_EVENTS_PER_SECOND}, >=${INGEST_TARGET_RATIO}x`,
      ingest.met ? "yes" : "NO",
    ]);
  }
  const latency = r.latency as Awaited<ReturnType<typeof runLatencyBench>> | undefined;
  if (latency) {
    lines.push([
      `latency p50/p99 ms @${latency.achievedRate}/s`,
      `${latency.latencyMs.p50} / ${latency.latencyMs.p99}`,
      `${latency.rawKafkajs.latencyMs.p50} / ${latency.rawKafkajs.latencyMs.p99} raw`,
      `${latency.ratioP50} / ${latency.ratioP99}`,
      `p99<=${LATENCY_TARGET_P99_MS}`,
      met("event-to-state"),
    ]);
  }
  const memory = r.memory as Awaited<ReturnType<typeof runMemoryBench>> | undefined;
  if (memory) {
    lines.push([
      "bytes per idle actor",
      String(memory.bytesPerIdleActor),
      `snapshot ${memory.snapshotBytes.mean} B`,
      "-",
      `<=${MEMORY_TARGET_BYTES}`,
      met("bytes per idle actor"),
    ]);
    lines.push([
      "bytes per idle bank actor",
      String(memory.bank.bytesPerIdleActor),
      `snapshot ${memory.bank.snapshotBytes.mean} B`,
      "-",
      `<=${MEMORY_TARGET_BYTES}`,
      met("bytes per idle bank actor"),
    ]);
  }
  const activation = r.activation as Awaited<ReturnType<typeof runActivationBench>> | undefined;
  if (activation) {
    lines.push([
      "activation p50/p99 ms",
      `${activation.activation.p50} / ${activation.activation.p99}`,
      `${activation.selectOneBaseline.p50} / ${activation.selectOneBaseline.p99} select 1`,
      `${activation.ratioP50} / ${activation.ratioP99}`,
      `p99<=${ACTIVATION_TARGET_P99_MS}`,
      met("activation"),
    ]);
  }
  const flush = r.flush as Awaited<ReturnType<typeof runFlushBench>> | undefined;
  if (flush) {
    lines.push([
      "flush snapshots/s",
      `${flush.flush.rowsPerSecond} (${flush.snapshotOnlyFlush.rowsPerSecond} snapshot-only)`,
      `${flush.insertBaseline.rowsPerSecond} insert`,
      `${flush.ratio} / ${flush.snapshotOnlyRatio}`,
      "-",
      "-",
    ]);
  }
  const embeddings = r.embeddings as EmbeddingsResult | undefined;
  if (embeddings) {
    lines.push([
      "embed one query p50/p99 ms",
      `${embeddings.embedQuery.p50} / ${embeddings.embedQuery.p99} (cached ${embeddings.embedQueryCached.p50})`,
      `${embeddings.barePipeline.p50} / ${embeddings.barePipeline.p99} bare pipeline`,
      String(embeddings.embedOverBare),
      "-",
      "-",
    ]);
    lines.push([
      `catalog search p50/p99 ms (${embeddings.catalogItems} items)`,
      `${embeddings.search.p50} / ${embeddings.search.p99} (cached ${embeddings.searchCached.p50})`,
      `${embeddings.bareScan.p50} / ${embeddings.bareScan.p99} bare scan`,
      "-",
      "-",
      "-",
    ]);
  }
  const serving = r.serving as Awaited<ReturnType<typeof runServingBench>> | undefined;
  if (serving) lines.push(...servingTableRows(serving, met));
  const chat = r.chat as Awaited<ReturnType<typeof runChatBench>> | undefined;
  if (chat) lines.push(...chatTableRows(chat, met));
  for (const name of Object.keys(report.errors)) lines.push([name, "FAILED", "", "", "", "NO"]);
  const widths = lines[0].map((_, i) => Math.max(...lines.map((line) => line[i].length)));
  return lines.map((line) => row(line, widths)).join("\n");
}

if (import.meta.main) {
  const scale = Number(Deno.env.get("BENCH_SCALE") ?? "1");
  if (!(scale > 0)) throw new RangeError("BENCH_SCALE must be a positive number");
  const only = new Set(Deno.env.get("BENCH_ONLY")?.split(",").map((name) => name.trim()) ?? NAMES);
  const report = await runBench(scale, only);
  const directory = new URL("./results/", import.meta.url);
  await Deno.mkdir(directory, { recursive: true });
  await Deno.writeTextFile(new URL("latest.json", directory), JSON.stringify(report, null, 2) + "\n");
  console.log(formatReport(report));
  console.log(`\n${report.seconds} s at scale ${scale}; JSON in bench/results/latest.json`);
  if (Object.keys(report.errors).length > 0) Deno.exitCode = 1;
}
