/**
 * The chaos scenario: three engine nodes on a 3-broker librdkafka mock
 * cluster and a private Postgres, under sustained event load, reads and chat.
 * Each round injects, in turn: `kill -9` of a node and its restart, a broker
 * set down and up, Postgres stopped for 10 s and started, and an LLM that
 * hangs. Then the load stops and every user's `eventsApplied` is compared with
 * what was produced for them, live and (after a graceful stop) in Postgres.
 *
 * **Recovery** of a fault is the time from its injection to the first moment
 * after it ended from which ownership stayed complete and the lag stayed at
 * its steady level for `stableMs` (5 s; 10 s in the full run): at most
 * `lagThreshold` events behind, which is twice the p95 lag of the fault-free
 * warm-up or one second of load, whichever is larger.
 * (Under sustained load the lag is never exactly zero: events are in flight
 * and snapshots are written every 200 ms. When the load stops, `drainMs` says
 * how long it took to reach exactly zero.)
 *
 * @module
 */

import { fakeBehaviours } from "../llm/_fake_openai_server.ts";
import { seededRandom } from "../fuzz/random.ts";
import { ChaosCluster } from "./_cluster.ts";
import type { KafkaProcess } from "./kafka_process.ts";
import { chaosUserId, EventLoad } from "./_load.ts";
import { Traffic } from "./_traffic.ts";
import { type ActorViolation, ClusterWatch } from "./_watch.ts";
import { type Check, checksOf, type FaultReport, summarizeChats, summarizeReads } from "./report.ts";
import { compareApplied, compareDurable, countBy, countLeaseMoves, watchBreakers } from "./_verify.ts";

/** What to run. */
export interface ChaosOptions {
  mode: "short" | "full";
  seed: number;
  /** How many times the four faults run, in turn. */
  rounds: number;
  partitions: number;
  users: number;
  eventsPerSecond: number;
  readers: number;
  chatters: number;
  warmupMs: number;
  /** Steady load between a recovery and the next fault. */
  calmMs: number;
  /** How long ownership and lag must stay healthy to count as recovered. */
  stableMs: number;
  brokerDownMs: number;
  postgresDownMs: number;
  llmHangMs: number;
  /** Wait, after the LLM heals, until answers come from it again (the breaker's cool-down is 30 s). */
  awaitLlmReturn: boolean;
  /** Longest wait for a recovery before the fault counts as unrecovered. */
  recoveryTimeoutMs: number;
  log: (line: string) => void;
  /** Where each node's and Postgres's output is written at the end (none when null). */
  logDir?: string | null;
}

/** Presets for `deno task chaos` and `deno task chaos --short`. */
export const PRESETS: Record<ChaosOptions["mode"], Omit<ChaosOptions, "seed" | "log">> = {
  short: {
    mode: "short",
    rounds: 1,
    partitions: 12,
    users: 240,
    eventsPerSecond: 200,
    readers: 3,
    chatters: 2,
    warmupMs: 8_000,
    calmMs: 3_000,
    stableMs: 5_000,
    brokerDownMs: 8_000,
    postgresDownMs: 10_000,
    llmHangMs: 20_000,
    awaitLlmReturn: false,
    recoveryTimeoutMs: 90_000,
  },
  full: {
    mode: "full",
    rounds: 2,
    partitions: 12,
    users: 600,
    eventsPerSecond: 400,
    readers: 4,
    chatters: 3,
    warmupMs: 30_000,
    calmMs: 30_000,
    stableMs: 10_000,
    brokerDownMs: 20_000,
    postgresDownMs: 10_000,
    llmHangMs: 45_000,
    awaitLlmReturn: true,
    recoveryTimeoutMs: 120_000,
  },
};

/** The JSON report. */
export interface ChaosReport {
  timestamp: string;
  mode: ChaosOptions["mode"];
  seed: number;
  seconds: number;
  deno: typeof Deno.version;
  cpuCount: number;
  settings: Omit<ChaosOptions, "log">;
  load: {
    produced: number;
    users: number;
    eventsPerSecondTarget: number;
    eventsPerSecondAchieved: number;
    failedSends: number;
    stalledMs: number;
    /** Events of a send given up on at the end (their fate unknown): must be 0. */
    unacknowledged: number;
  };
  lag: { baselineP95: number; baselineMax: number; threshold: number; drainMs: number | null };
  faults: FaultReport[];
  exactlyOnce: {
    users: number;
    produced: number;
    applied: number;
    lost: number;
    doubled: number;
    /** Users whose count could not be read at the end. */
    unknown: number;
    mismatches: string[];
    durableApplied: number | null;
    durableLost: number | null;
    durableDoubled: number | null;
    durableMismatches: string[];
  };
  singleActor: {
    viewRounds: number;
    views: number;
    /** Every violation observed (one per node view that showed it), by kind. */
    violationCounts: Record<string, number>;
    /** The first 50 of them. */
    violations: ActorViolation[];
    usersWithTwoLiveActors: string[];
    dualResidencyRounds: number;
    leaseMoves: number;
  };
  reads: ReturnType<typeof summarizeReads>;
  chat: ReturnType<typeof summarizeChats>;
  nodes: { nodeId: string; incarnation: number; startedAt: string; readyMs: number | null; exit: string }[];
  /** How the Kafka mock process ended if it ended during the run (librdkafka has asserted under group churn). */
  kafkaMockExit: KafkaProcess["exit"];
  checks: Check[];
  passed: boolean;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Runs the scenario; resolves with the report (`passed` says whether every check held). */
export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const started = performance.now();
  const { log } = options;
  const random = seededRandom(options.seed);
  const users = Array.from({ length: options.users }, (_, i) => chaosUserId(i));
  log(`chaos: ${options.mode}, seed ${options.seed}; private postgres, 3 brokers, fake LLM`);
  const cluster = await ChaosCluster.start({ partitions: options.partitions });
  fatal = () =>
    cluster.mock.exit === null ? null : `the Kafka mock process exited: ${cluster.mock.exit.stderr}`;
  let lastSendError = 0;
  const load = new EventLoad({
    kafka: cluster.kafka,
    partitions: options.partitions,
    users,
    eventsPerSecond: options.eventsPerSecond,
    random,
    onError: (message) => {
      if (Date.now() - lastSendError < 5_000) return;
      lastSendError = Date.now();
      log(`chaos: a send failed (retrying; ${load.failedSends} so far): ${message.slice(0, 200)}`);
    },
  });
  cluster.onUnexpectedExit = (handle) => {
    // Printed at once with the node's last words: a CI log shows why, even when the run goes on for minutes.
    const tail = handle.node.logs().split("\n").filter((line) => line.trim() !== "").slice(-25);
    log(
      `chaos: ${handle.nodeId}#${handle.incarnation} ${handle.exit}; its last lines:\n  ${tail.join("\n  ")}`,
    );
  };
  const watch = new ClusterWatch(cluster, load);
  const traffic = new Traffic(cluster, users, random);
  const faults: FaultReport[] = [];
  let progress: ReturnType<typeof setInterval> | undefined;
  try {
    log(`chaos: postgres on port ${cluster.database.port}; starting node-a, node-b, node-c`);
    watch.start();
    await Promise.all(["node-a", "node-b", "node-c"].map((nodeId) => cluster.startNode(nodeId)));
    await waitUntil(
      "the three nodes own every partition",
      90_000,
      () => watch.latest()?.ownershipComplete === true,
    );
    await load.seedProfiles(Date.now());
    load.start();
    traffic.start({ readers: options.readers, chatters: options.chatters });
    progress = setInterval(() => {
      // Written as the run goes, so they survive whatever ends it.
      if (options.logDir) writeLogs(cluster, options.logDir).catch(() => {});
      const sample = watch.latest();
      log(
        `chaos: produced ${load.total}, lag ${sample?.lag ?? "?"}, ownership ${
          sample?.ownershipComplete ?? "?"
        }, reads ${traffic.reads.length}, chats ${traffic.chats.length}`,
      );
    }, 10_000);
    log(
      `chaos: load ${options.eventsPerSecond} events/s over ${users.length} users, reads and chat; warm-up`,
    );
    const warmupStart = Date.now();
    await sleep(options.warmupMs);
    const baselineLags = watch.samples
      .filter((sample) => sample.at >= warmupStart + 2_000 && sample.lag !== null)
      .map((sample) => sample.lag!);
    const baselineP95 = percentile(baselineLags, 95);
    const threshold = Math.max(2 * baselineP95, options.eventsPerSecond);
    log(`chaos: baseline lag p95 ${baselineP95}, threshold ${threshold}`);

    // Recovered from the first moment the cluster then stayed recovered for `stableMs` (a group often
    // rebalances once more a few seconds after a broker or a node comes back).
    const recovered = (after: number) => {
      let since: number | null = null;
      return waitUntil(
        `recovery (ownership complete, lag <= ${threshold})`,
        options.recoveryTimeoutMs,
        () => {
          const sample = watch.latest();
          if (sample === undefined || sample.at < after) return false;
          const healthy = sample.ownershipComplete === true && sample.lag !== null && sample.lag <= threshold;
          if (!healthy) since = null;
          else since ??= sample.at;
          return since !== null && sample.at - since >= options.stableMs;
        },
      ).then(() => since, () => null);
    };

    const run = async (
      name: string,
      inject: (fault: FaultReport) => Promise<void>,
      heal: (fault: FaultReport) => Promise<void>,
    ) => {
      const fault: FaultReport = {
        name,
        startedAt: Date.now(),
        endedAt: 0,
        recoveredAt: null,
        recoveryMs: null,
        recoveryAfterEndMs: null,
        details: {},
        reads: summarizeReads([]),
        chat: summarizeChats([]),
        readsAfterRecovery: summarizeReads([]),
      };
      faults.push(fault);
      const dead = fatal();
      if (dead !== null) {
        fault.details.skipped = dead;
        fault.endedAt = Date.now();
        return;
      }
      log(`chaos: ${name}`);
      await inject(fault);
      await heal(fault);
      fault.endedAt = Date.now();
      fault.recoveredAt = await recovered(fault.endedAt);
      if (fault.recoveredAt !== null) {
        fault.recoveryMs = fault.recoveredAt - fault.startedAt;
        fault.recoveryAfterEndMs = fault.recoveredAt - fault.endedAt;
      }
      const windowEnd = fault.recoveredAt ?? Date.now();
      fault.reads = summarizeReads(traffic.reads.filter((s) => s.at >= fault.startedAt && s.at <= windowEnd));
      fault.chat = summarizeChats(traffic.chats.filter((s) => s.at >= fault.startedAt && s.at <= windowEnd));
      log(
        `chaos: ${name}: recovered in ${fault.recoveryMs ?? "-"} ms (${
          fault.recoveryAfterEndMs ?? "-"
        } ms after it ended)`,
      );
      const calmStart = Date.now();
      await sleep(options.calmMs);
      fault.readsAfterRecovery = summarizeReads(traffic.reads.filter((s) => s.at >= calmStart));
    };

    for (let round = 0; round < options.rounds; round++) {
      const victimId = ["node-b", "node-c", "node-a"][round % 3];
      await run(`kill -9 ${victimId} and restart it`, async (fault) => {
        const victim = cluster.live().find((handle) => handle.nodeId === victimId)!;
        await cluster.kill(victim);
        const takeover = await waitUntil(
          "the survivors own every partition",
          options.recoveryTimeoutMs,
          () => {
            const sample = watch.latest();
            return sample !== undefined && sample.at > victim.endedAt! && sample.ownershipComplete === true;
          },
        ).then(() => watch.latest()!.at, () => null);
        fault.details.survivorsOwnAllMs = takeover === null ? null : takeover - fault.startedAt;
      }, async (fault) => {
        const restartedAt = Date.now();
        const handle = await cluster.startNode(victimId);
        fault.details.restartReadyMs = handle.readyAt! - restartedAt;
      });

      const broker = 1 + (round + 1) % 3;
      await run(`broker ${broker} down for ${options.brokerDownMs / 1000} s`, async () => {
        await cluster.mock.setBrokerDown(broker);
        await sleep(options.brokerDownMs);
      }, async () => {
        await cluster.mock.setBrokerUp(broker);
      });

      await run(`postgres stopped for ${options.postgresDownMs / 1000} s`, async (fault) => {
        const stopping = Date.now();
        await cluster.database.stop("fast");
        fault.details.stopMs = Date.now() - stopping;
        await sleep(Math.max(0, options.postgresDownMs - (Date.now() - stopping)));
      }, async (fault) => {
        const starting = Date.now();
        await cluster.database.resume();
        fault.details.startMs = Date.now() - starting;
        fault.details.downMs = Date.now() - fault.startedAt;
      });

      await run(`LLM hangs for ${options.llmHangMs / 1000} s`, async (fault) => {
        cluster.llm.setFallback(fakeBehaviours.hang());
        const opened = await watchBreakers(cluster, options.llmHangMs);
        fault.details.breakerOpenedMs = Object.fromEntries(
          Object.entries(opened).map(([nodeId, at]) => [nodeId, at === null ? null : at - fault.startedAt]),
        );
      }, async (fault) => {
        cluster.llm.setFallback(fakeBehaviours.answer());
        const healed = Date.now();
        fault.details.healedAt = healed;
        if (!options.awaitLlmReturn) return;
        const back = await waitUntil(
          "an LLM answer again",
          60_000,
          () => traffic.chats.some((chat) => chat.at >= healed && chat.source === "llm"),
        ).then(() => Date.now(), () => null);
        fault.details.llmAnswersAgainMs = back === null ? null : back - healed;
      });
    }

    log("chaos: stopping the load; waiting for the lag to drain to zero");
    await load.stop();
    const stoppedAt = Date.now();
    const drainedAt = await waitUntil("zero lag", 60_000, () => {
      const sample = watch.latest();
      return sample !== undefined && sample.at > stoppedAt && sample.lag === 0;
    }).then(() => watch.latest()!.at, () => null);
    await traffic.stop();
    await watch.stop();

    log("chaos: comparing every user's eventsApplied with what was produced");
    const dead = fatal();
    const live = dead === null
      ? await compareApplied(cluster.live(), load.produced)
      : { applied: 0, lost: 0, doubled: 0, unknown: users.length, mismatches: [dead] };
    await cluster.stopNodes();
    const durable = await compareDurable(cluster, load.produced);

    const reads = summarizeReads(traffic.reads);
    const chat = summarizeChats(traffic.chats);
    const leaseMoves = countLeaseMoves(watch);
    const report: ChaosReport = {
      timestamp: new Date().toISOString(),
      mode: options.mode,
      seed: options.seed,
      seconds: 0,
      deno: Deno.version,
      cpuCount: navigator.hardwareConcurrency,
      settings: (({ log: _log, ...rest }) => rest)(options),
      load: {
        produced: load.total,
        users: users.length,
        eventsPerSecondTarget: options.eventsPerSecond,
        eventsPerSecondAchieved: Math.round(load.total / Math.max(1, (stoppedAt - warmupStart) / 1000)),
        failedSends: load.failedSends,
        stalledMs: Math.round(load.stalledMs),
        unacknowledged: load.unacknowledged,
      },
      lag: {
        baselineP95,
        baselineMax: Math.max(0, ...baselineLags),
        threshold,
        drainMs: drainedAt === null ? null : drainedAt - stoppedAt,
      },
      faults,
      exactlyOnce: { users: users.length, produced: load.total, ...live, ...durable },
      singleActor: {
        viewRounds: watch.viewRounds,
        views: watch.views,
        violationCounts: countBy(watch.violations.map((violation) => violation.kind)),
        violations: watch.violations.slice(0, 50),
        usersWithTwoLiveActors: watch.usersWithTwoLiveActors,
        dualResidencyRounds: watch.dualResidencyRounds,
        leaseMoves,
      },
      reads,
      chat,
      nodes: cluster.handles.map((handle) => ({
        nodeId: handle.nodeId,
        incarnation: handle.incarnation,
        startedAt: new Date(handle.startedAt).toISOString(),
        readyMs: handle.readyAt === null ? null : handle.readyAt - handle.startedAt,
        exit: handle.exit ?? "running",
      })),
      kafkaMockExit: cluster.mock.exit,
      checks: [],
      passed: false,
    };
    report.checks = checksOf(report, traffic.reads, traffic.chats);
    report.passed = report.checks.every((check) => check.ok);
    report.seconds = Math.round((performance.now() - started) / 100) / 10;
    return report;
  } finally {
    clearInterval(progress);
    await traffic.stop().catch(() => {});
    await watch.stop().catch(() => {});
    await load.close().catch(() => {});
    await cluster.stopNodes().catch(() => {});
    if (options.logDir) await writeLogs(cluster, options.logDir).catch(() => {});
    await cluster.close().catch((error) => log(`chaos: cleanup failed: ${error}`));
  }
}

async function writeLogs(cluster: ChaosCluster, dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  for (const handle of cluster.handles) {
    await Deno.writeTextFile(`${dir}/${handle.nodeId}-${handle.incarnation}.log`, handle.node.logs());
  }
  await Deno.writeTextFile(`${dir}/postgres.log`, cluster.database.logs());
}

/** Set while a run is going: a component that died for good (the Kafka mock) ends every wait at once. */
let fatal: () => string | null = () => null;

async function waitUntil(what: string, timeoutMs: number, check: () => boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    const reason = fatal();
    if (reason !== null) throw new Error(`Gave up waiting for ${what}: ${reason}`);
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(100);
  }
}
