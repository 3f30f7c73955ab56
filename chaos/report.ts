/**
 * Summaries and the printed table of the chaos report.
 *
 * @module
 */

import { CHAT_BUDGET_MS } from "../engine/chat_service.ts";
import type { ChaosReport } from "./scenario.ts";
import type { ChatSample, ReadSample } from "./_traffic.ts";

/** One pass/fail statement of the report. */
export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

/** One injected fault and what it did. */
export interface FaultReport {
  name: string;
  startedAt: number;
  /** When the fault was healed (the node restarted, the broker up, Postgres started, the LLM answering). */
  endedAt: number;
  recoveredAt: number | null;
  /** From injection to recovery (ownership complete, lag back to its steady level). */
  recoveryMs: number | null;
  /** From the fault's end to recovery. */
  recoveryAfterEndMs: number | null;
  details: Record<string, unknown>;
  /** Reads and chat from injection to recovery. */
  reads: ReadSummary;
  chat: ChatSummary;
  /** Reads in the calm period after recovery. */
  readsAfterRecovery: ReadSummary;
}

/** Reads by outcome, with availability = served / (requests to running nodes). */
export interface ReadSummary {
  total: number;
  served: number;
  moving: number;
  errors: number;
  cut: number;
  availability: number;
  p50Ms: number;
  p99Ms: number;
  errorSamples: string[];
}

/** Chat turns by outcome and answer source. */
export interface ChatSummary {
  total: number;
  served: number;
  moving: number;
  /** Streams that ended with an SSE `error` event (a clear reason) instead of `done`. */
  interrupted: number;
  errors: number;
  cut: number;
  llm: number;
  template: number;
  firstByteP50Ms: number;
  firstByteP99Ms: number;
  totalP50Ms: number;
  totalP99Ms: number;
  totalMaxMs: number;
  fallbackReasons: Record<string, number>;
  errorSamples: string[];
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]);
}

/** Reads by outcome. */
export function summarizeReads(samples: ReadSample[]): ReadSummary {
  const count = (outcome: ReadSample["outcome"]) => samples.filter((s) => s.outcome === outcome).length;
  const counted = samples.filter((s) => s.outcome !== "cut");
  const served = count("served");
  const latencies = samples.filter((s) => s.outcome === "served").map((s) => s.ms);
  return {
    total: samples.length,
    served,
    moving: count("moving"),
    errors: count("error"),
    cut: count("cut"),
    availability: counted.length === 0 ? 1 : Math.round((served / counted.length) * 10_000) / 10_000,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    errorSamples: samples.filter((s) => s.outcome === "error").slice(0, 10).map((s) =>
      `${s.nodeId} ${s.kind} ${s.status ?? "-"}: ${s.detail ?? ""}`
    ),
  };
}

/** Chat turns by outcome and source. */
export function summarizeChats(samples: ChatSample[]): ChatSummary {
  const served = samples.filter((s) => s.outcome === "served");
  const reasons: Record<string, number> = {};
  for (const sample of served) {
    if (sample.fallbackReason) reasons[sample.fallbackReason] = (reasons[sample.fallbackReason] ?? 0) + 1;
  }
  const firstBytes = served.flatMap((s) => s.firstByteMs === null ? [] : [s.firstByteMs]);
  const totals = served.map((s) => s.totalMs);
  return {
    total: samples.length,
    served: served.length,
    moving: samples.filter((s) => s.outcome === "moving").length,
    interrupted: samples.filter((s) => s.outcome === "interrupted").length,
    errors: samples.filter((s) => s.outcome === "error").length,
    cut: samples.filter((s) => s.outcome === "cut").length,
    llm: served.filter((s) => s.source === "llm").length,
    template: served.filter((s) => s.source === "template").length,
    firstByteP50Ms: percentile(firstBytes, 50),
    firstByteP99Ms: percentile(firstBytes, 99),
    totalP50Ms: percentile(totals, 50),
    totalP99Ms: percentile(totals, 99),
    totalMaxMs: Math.round(Math.max(0, ...totals)),
    fallbackReasons: reasons,
    errorSamples: samples.filter((s) => s.outcome === "error" || s.outcome === "interrupted").slice(0, 10)
      .map((
        s,
      ) => `${s.nodeId} ${s.outcome} ${s.status ?? "-"}: ${s.detail ?? ""}`),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i])).join("  ")).join("\n");
}

const seconds = (ms: number | null | undefined) =>
  ms === null || ms === undefined ? "-" : `${(ms / 1000).toFixed(1)} s`;

/** A short human-readable account of the report. */
export function formatReport(report: ChaosReport): string {
  const faults = [[
    "fault",
    "recovery",
    "after end",
    "reads ok/moving/err",
    "availability",
    "chat ok/err",
    "chat llm/tpl",
  ]];
  for (const fault of report.faults) {
    faults.push([
      fault.name,
      seconds(fault.recoveryMs),
      seconds(fault.recoveryAfterEndMs),
      `${fault.reads.served}/${fault.reads.moving}/${fault.reads.errors}`,
      String(fault.reads.availability),
      `${fault.chat.served}/${fault.chat.errors}`,
      `${fault.chat.llm}/${fault.chat.template}`,
    ]);
  }
  const once = report.exactlyOnce;
  const lines = [
    table(faults),
    "",
    `events produced ${once.produced} for ${once.users} users (${report.load.eventsPerSecondAchieved}/s); ` +
    `lost ${once.lost}, doubled ${once.doubled}; in Postgres after the stop: lost ${once.durableLost}, doubled ${once.durableDoubled}`,
    `one live actor per user: ${
      Object.values(report.singleActor.violationCounts).reduce((sum, count) => sum + count, 0)
    } violations in ${report.singleActor.views} node views ` +
    `(${report.singleActor.leaseMoves} lease moves)`,
    `reads: ${report.reads.total}, availability ${report.reads.availability}, ${report.reads.moving} moving (503 + Retry-After), ` +
    `${report.reads.errors} errors, ${report.reads.cut} cut by a kill`,
    `chat: ${report.chat.total} turns, ${report.chat.llm} llm / ${report.chat.template} template, ` +
    `${report.chat.interrupted} interrupted by a move, ${report.chat.errors} errors, ` +
    `total p99 ${report.chat.totalP99Ms} ms`,
    `lag: baseline p95 ${report.lag.baselineP95}, threshold ${report.lag.threshold}, drained in ${
      seconds(report.lag.drainMs)
    }`,
    "",
    ...report.checks.map((check) => `${check.ok ? "ok  " : "FAIL"} ${check.name}: ${check.detail}`),
    ...failureDetails(report),
  ];
  return lines.join("\n");
}

/**
 * When a check failed, the first pieces of evidence behind it, so that a CI log (often all one gets) says why:
 * nodes that did not end as planned, one-live-actor violations, exactly-once mismatches and error samples.
 */
function failureDetails(report: ChaosReport): string[] {
  if (report.passed) return [];
  const at = (ms: number) => new Date(ms).toISOString().slice(11, 19);
  const lines = ["", "evidence of the failures (first of each kind):"];
  for (const node of report.nodes) {
    if (node.exit !== "killed" && node.exit !== "exit 0") {
      lines.push(`  node ${node.nodeId}#${node.incarnation}: ${node.exit}`);
    }
  }
  for (const violation of report.singleActor.violations.slice(0, 5)) {
    lines.push(
      `  ${violation.kind} at ${
        at(violation.at)
      } on ${violation.nodeId}, partition ${violation.partition}: ${violation.detail}`,
    );
  }
  for (const mismatch of report.exactlyOnce.mismatches.slice(0, 3)) lines.push(`  live count ${mismatch}`);
  for (const mismatch of report.exactlyOnce.durableMismatches.slice(0, 3)) {
    lines.push(`  durable count ${mismatch}`);
  }
  for (const fault of report.faults) {
    for (const sample of fault.reads.errorSamples.slice(0, 2)) lines.push(`  ${fault.name}, read: ${sample}`);
    for (const sample of fault.chat.errorSamples.slice(0, 2)) lines.push(`  ${fault.name}, chat: ${sample}`);
  }
  return lines.map((line) => line.length > 300 ? `${line.slice(0, 297)}...` : line);
}

/** The pass/fail statements of a report. */
export function checksOf(report: ChaosReport, reads: ReadSample[], chats: ChatSample[]): Check[] {
  const checks: Check[] = [];
  const add = (name: string, ok: boolean, detail: string) => checks.push({ name, ok, detail });
  const once = report.exactlyOnce;
  add(
    "no event lost",
    once.lost === 0 && once.unknown === 0,
    `${once.lost} lost of ${once.produced}; ${once.unknown} users unreadable`,
  );
  add("no event applied twice", once.doubled === 0, `${once.doubled} doubled`);
  add(
    "snapshots in Postgres hold the same counts after a graceful stop",
    once.durableLost === 0 && once.durableDoubled === 0,
    `lost ${once.durableLost}, doubled ${once.durableDoubled}`,
  );
  add(
    "one live actor per user",
    report.singleActor.violations.length === 0,
    `${JSON.stringify(report.singleActor.violationCounts)} in ${report.singleActor.views} node views; ` +
      `users with two live actors: ${report.singleActor.usersWithTwoLiveActors.length}`,
  );
  for (const fault of report.faults) {
    add(`${fault.name}: recovered`, fault.recoveredAt !== null, `${fault.recoveryMs ?? "-"} ms`);
    add(
      `${fault.name}: reads answered 200 or 503 + Retry-After`,
      fault.reads.errors === 0,
      `${fault.reads.errors} errors of ${fault.reads.total}; availability ${fault.reads.availability}`,
    );
    add(
      `${fault.name}: reads served again after recovery (95 % or more)`,
      fault.readsAfterRecovery.total === 0 || fault.readsAfterRecovery.availability >= 0.95,
      `availability ${fault.readsAfterRecovery.availability} of ${fault.readsAfterRecovery.total}`,
    );
    add(
      `${fault.name}: chat answered`,
      fault.chat.errors === 0,
      `${fault.chat.errors} errors of ${fault.chat.total}`,
    );
    if (fault.name.startsWith("LLM hangs")) {
      // While it hung: from the injection to the moment it answered again (not the wait for the breaker after).
      const healedAt = (fault.details.healedAt as number | undefined) ?? fault.endedAt;
      const during = chats.filter((chat) => chat.at >= fault.startedAt && chat.at < healedAt);
      const served = during.filter((chat) => chat.outcome === "served");
      const slowest = Math.max(0, ...served.map((chat) => chat.totalMs));
      add(
        `${fault.name}: chat falls back to the template within the ${CHAT_BUDGET_MS} ms budget`,
        served.length > 0 && slowest <= CHAT_BUDGET_MS && served.every((chat) => chat.source === "template"),
        `${served.length} turns, slowest ${Math.round(slowest)} ms, sources ${
          [...new Set(served.map((chat) => chat.source))].join(",")
        }`,
      );
      const opened = fault.details.breakerOpenedMs as Record<string, number | null>;
      add(
        `${fault.name}: the circuit breaker opened`,
        Object.values(opened).some((at) => at !== null),
        JSON.stringify(opened),
      );
    }
  }
  const cut = reads.filter((read) => read.outcome === "cut").length;
  add(
    "reads overall: no errors",
    report.reads.errors === 0,
    `${report.reads.errors} errors, ${report.reads.moving} moving, ${cut} cut by a kill, availability ${report.reads.availability}`,
  );
  add(
    "every send of the load was acknowledged",
    report.load.unacknowledged === 0,
    `${report.load.unacknowledged} events unacknowledged; ${report.load.failedSends} failed sends retried`,
  );
  add(
    "the Kafka mock stayed up",
    report.kafkaMockExit === null,
    report.kafkaMockExit === null ? "" : JSON.stringify(report.kafkaMockExit),
  );
  add("the load drained to zero lag", report.lag.drainMs !== null, `${report.lag.drainMs} ms`);
  add(
    "nodes stopped gracefully at the end",
    report.nodes.every((node) => node.exit === "killed" || node.exit === "exit 0"),
    report.nodes.map((node) => `${node.nodeId}#${node.incarnation} ${node.exit}`).join(", "),
  );
  return checks;
}
