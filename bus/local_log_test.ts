import assert from "node:assert/strict";
import type { Consumer, IncomingRecord } from "./bus.ts";
import { partitionFor } from "./bus.ts";
import { LocalLog } from "./local_log.ts";

interface Collected {
  consumer: Consumer;
  records: IncomingRecord[];
  assignments: number[][];
  /** Resolves once at least `count` records arrived. */
  until(count: number): Promise<void>;
}

async function collect(
  log: LocalLog,
  topic: string,
  groupId: string,
): Promise<Collected> {
  const records: IncomingRecord[] = [];
  const assignments: number[][] = [];
  const consumer = await log.consume({
    topic,
    groupId,
    handlers: {
      onAssignment(partitions) {
        assignments.push(partitions);
        return Promise.resolve();
      },
      onBatch(_partition, batch) {
        records.push(...batch);
        return Promise.resolve();
      },
    },
  });
  const until = async (count: number) => {
    const deadline = Date.now() + 5000;
    while (records.length < count) {
      if (Date.now() > deadline) {
        assert.fail(`only ${records.length} of ${count} records arrived`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  };
  return { consumer, records, assignments, until };
}

function byPartition(records: IncomingRecord[]): Map<number, IncomingRecord[]> {
  const map = new Map<number, IncomingRecord[]>();
  for (const record of records) {
    if (!map.has(record.partition)) map.set(record.partition, []);
    map.get(record.partition)!.push(record);
  }
  return map;
}

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "local_log_test_" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

for (const mode of ["memory", "disk"] as const) {
  Deno.test(`LocalLog (${mode}) delivers each partition in offset order`, async () => {
    await withDir(async (dir) => {
      const log = await LocalLog.open({
        dir: mode === "disk" ? dir : null,
        partitions: 4,
        topics: ["events"],
      });
      const seen = await collect(log, "events", "g");
      assert.deepEqual(seen.assignments, [[0, 1, 2, 3]]);
      const produced = Array.from({ length: 400 }, (_, i) => ({
        key: `user-${i % 37}`,
        value: `v${i}`,
        headers: { n: String(i) },
      }));
      // Many concurrent calls, as the engine makes them; group commit must keep call order.
      await Promise.all(
        Array.from(
          { length: 8 },
          (_, c) => log.produce("events", produced.slice(c * 50, c * 50 + 50)),
        ),
      );
      await seen.until(400);
      for (const [partition, records] of byPartition(seen.records)) {
        assert.deepEqual(
          records.map((r) => r.offset),
          records.map((_, i) => i),
        );
        const expected = produced.filter((r) => partitionFor(r.key, 4) === partition);
        assert.deepEqual(
          records.map((r) => r.value),
          expected.map((r) => r.value),
        );
        for (const record of records) {
          assert.equal(record.headers.n, record.value.slice(1));
        }
      }
      await seen.consumer.stop();
      await log.close();
    });
  });
}

Deno.test("LocalLog places keys like partitionFor and round-robins null keys", async () => {
  const log = await LocalLog.open({ dir: null, partitions: 6 });
  const seen = await collect(log, "events", "g");
  const keys = ["21", "foobar", "abc", "пользователь", "u-1", "u-2", "u-3"];
  await log.produce("events", keys.map((key) => ({ key, value: key })));
  await log.produce(
    "events",
    Array.from({ length: 6 }, () => ({ key: null, value: "rr" })),
  );
  await log.produce("events", [{ key: "abc", value: "pinned", partition: 5 }]);
  await seen.until(keys.length + 7);
  for (const record of seen.records) {
    if (record.value === "rr" || record.value === "pinned") continue;
    assert.equal(record.partition, partitionFor(record.key!, 6), record.key!);
  }
  const roundRobin = seen.records.filter((r) => r.value === "rr").map((r) => r.partition).sort();
  assert.deepEqual(roundRobin, [0, 1, 2, 3, 4, 5]);
  assert.equal(seen.records.find((r) => r.value === "pinned")!.partition, 5);
  await assert.rejects(
    log.produce("events", [{ key: null, value: "x", partition: 6 }]),
    RangeError,
  );
  await assert.rejects(
    log.produce("events", [{ key: null, value: "x", partition: -1 }]),
    RangeError,
  );
  await assert.rejects(
    log.produce("events", [{ key: null, value: "x", partition: 1.5 }]),
    RangeError,
  );
  await assert.rejects(
    log.produce("../etc", [{ key: null, value: "x" }]),
    Error,
  );
  assert.equal(await log.partitionCount("events"), 6);
  assert.equal(log.healthy(), true);
  await seen.consumer.stop();
  await log.close();
  assert.equal(log.healthy(), false);
  await assert.rejects(
    log.produce("events", [{ key: null, value: "x" }]),
    /closed/,
  );
});

Deno.test("LocalLog keeps records and committed offsets across reopen", async () => {
  await withDir(async (dir) => {
    let log = await LocalLog.open({
      dir,
      partitions: 2,
      topics: ["events", "events.dlq"],
    });
    await log.produce(
      "events",
      Array.from(
        { length: 10 },
        (_, i) => ({ key: null, value: `a${i}`, partition: 0 }),
      ),
    );
    await log.produce("events.dlq", [{
      key: "k",
      value: "bad",
      headers: { reason: "too large" },
    }]);
    await log.commit("events", "g", 0, 4);
    await log.close();

    log = await LocalLog.open({ dir, partitions: 2 });
    const resumed = await collect(log, "events", "g");
    await resumed.until(6);
    assert.deepEqual(resumed.records.map((r) => r.offset), [4, 5, 6, 7, 8, 9]);
    assert.deepEqual(resumed.records.map((r) => r.value), [
      "a4",
      "a5",
      "a6",
      "a7",
      "a8",
      "a9",
    ]);
    const dlq = await collect(log, "events.dlq", "g");
    await dlq.until(1);
    assert.deepEqual(dlq.records[0].headers, { reason: "too large" });
    // New records continue the absolute offsets.
    await log.produce("events", [{ key: null, value: "a10", partition: 0 }]);
    await resumed.until(7);
    assert.equal(resumed.records[6].offset, 10);
    await resumed.consumer.stop();
    await dlq.consumer.stop();
    await log.close();
  });
});

Deno.test("LocalLog drops a torn last line after a crash", async () => {
  await withDir(async (dir) => {
    let log = await LocalLog.open({ dir, partitions: 1 });
    await log.produce("events", [{ key: "u", value: "one" }, {
      key: "u",
      value: "two",
    }]);
    await log.close();
    const path = `${dir}/events-0.log`;
    await Deno.writeTextFile(path, '{"k":"u","v":"thr', { append: true });

    log = await LocalLog.open({ dir, partitions: 1 });
    await log.produce("events", [{ key: "u", value: "three" }]);
    const seen = await collect(log, "events", "g");
    await seen.until(3);
    assert.deepEqual(seen.records.map((r) => [r.offset, r.value]), [
      [0, "one"],
      [1, "two"],
      [2, "three"],
    ]);
    await seen.consumer.stop();
    await log.close();
    // The file is clean again: every line parses.
    const lines = (await Deno.readTextFile(path)).trimEnd().split("\n");
    assert.equal(lines.length, 4);
    for (const line of lines) JSON.parse(line);

    // A complete but garbled last line (zeros from a crash) is also a torn tail.
    await Deno.writeFile(path, new Uint8Array([0, 0, 0, 10]), { append: true });
    log = await LocalLog.open({ dir, partitions: 1 });
    const again = await collect(log, "events", "g2");
    await again.until(3);
    assert.equal(again.records.length, 3);
    await again.consumer.stop();
    await log.close();
  });
});

Deno.test("LocalLog refuses a corrupt record in the middle of a file", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(
      `${dir}/events-0.log`,
      '{"base":0}\nnot json\n{"k":null,"v":"x","h":{}}\n',
    );
    await assert.rejects(
      LocalLog.open({ dir, partitions: 1 }),
      /Corrupt record/,
    );
  });
});

Deno.test("LocalLog compaction at open keeps absolute offsets", async () => {
  await withDir(async (dir) => {
    let log = await LocalLog.open({ dir, partitions: 1 });
    await log.produce(
      "events",
      Array.from({ length: 10 }, (_, i) => ({ key: null, value: `r${i}` })),
    );
    await log.commit("events", "a", 0, 6);
    await log.commit("events", "b", 0, 8);
    await log.close();

    log = await LocalLog.open({ dir, partitions: 1 });
    const header = (await Deno.readTextFile(`${dir}/events-0.log`)).split("\n")[0];
    assert.deepEqual(JSON.parse(header), { base: 6 });
    const a = await collect(log, "events", "a");
    const fresh = await collect(log, "events", "fresh");
    await a.until(4);
    await fresh.until(4);
    assert.deepEqual(a.records.map((r) => [r.offset, r.value]), [
      [6, "r6"],
      [7, "r7"],
      [8, "r8"],
      [9, "r9"],
    ]);
    // A group with no commit starts at the earliest retained record.
    assert.deepEqual(fresh.records.map((r) => r.offset), [6, 7, 8, 9]);
    await log.produce("events", [{ key: null, value: "r10" }]);
    await a.until(5);
    assert.equal(a.records[4].offset, 10);
    await a.consumer.stop();
    await fresh.consumer.stop();
    await log.close();
  });
});

Deno.test("LocalLog drops committed records from memory", async () => {
  const log = await LocalLog.open({ dir: null, partitions: 1 });
  await log.produce(
    "events",
    Array.from({ length: 5 }, (_, i) => ({ key: null, value: `r${i}` })),
  );
  await log.commit("events", "g", 0, 3);
  const late = await collect(log, "events", "late");
  await late.until(2);
  assert.deepEqual(late.records.map((r) => r.offset), [3, 4]);
  // While "late" runs without a commit, nothing more is dropped.
  await log.commit("events", "g", 0, 5);
  const later = await collect(log, "events", "later");
  await later.until(2);
  assert.deepEqual(later.records.map((r) => r.offset), [3, 4]);
  await late.consumer.stop();
  await later.consumer.stop();
  await log.close();
});

Deno.test("LocalLog wakes a waiting consumer on produce without polling", async () => {
  await withDir(async (dir) => {
    for (const logDir of [null, dir]) {
      const log = await LocalLog.open({ dir: logDir, partitions: 3 });
      let producedAt = 0;
      let latency = -1;
      let arrived!: () => void;
      const arrival = new Promise<void>((resolve) => arrived = resolve);
      const consumer = await log.consume({
        topic: "events",
        groupId: "g",
        handlers: {
          onAssignment: () => Promise.resolve(),
          onBatch() {
            latency = performance.now() - producedAt;
            arrived();
            return Promise.resolve();
          },
        },
      });
      await new Promise((resolve) => setTimeout(resolve, 50)); // let the consumer go idle
      producedAt = performance.now();
      await log.produce("events", [{ key: "u-1", value: "hello" }]);
      await arrival;
      assert.ok(latency >= 0 && latency < 200, `latency ${latency} ms`);
      await consumer.stop();
      await log.close();
    }
  });
});

Deno.test("LocalLog awaits each batch before the next and stop waits for it", async () => {
  const log = await LocalLog.open({ dir: null, partitions: 1 });
  await log.produce(
    "events",
    Array.from({ length: 12_000 }, (_, i) => ({ key: null, value: String(i) })),
  );
  let inFlight = 0;
  let finished = 0;
  const sizes: number[] = [];
  const consumer = await log.consume({
    topic: "events",
    groupId: "g",
    handlers: {
      onAssignment: () => Promise.resolve(),
      async onBatch(_partition, records, heartbeat) {
        assert.equal(++inFlight, 1);
        sizes.push(records.length);
        await heartbeat();
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        finished++;
      },
    },
  });
  while (sizes.length === 0) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  await consumer.stop();
  assert.equal(inFlight, 0);
  assert.equal(finished, sizes.length);
  assert.equal(sizes[0], 5000);
  await log.close();
});

Deno.test("LocalLog retries a failing batch and stop cancels the retry timer", async () => {
  const log = await LocalLog.open({ dir: null, partitions: 1 });
  await log.produce("events", [{ key: null, value: "x" }]);
  let attempts = 0;
  const originalError = console.error;
  console.error = () => {};
  try {
    const consumer = await log.consume({
      topic: "events",
      groupId: "g",
      handlers: {
        onAssignment: () => Promise.resolve(),
        onBatch() {
          attempts++;
          return Promise.reject(new Error("boom"));
        },
      },
    });
    while (attempts === 0) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await consumer.stop(); // the 1 s retry timer must not outlive this
  } finally {
    console.error = originalError;
  }
  assert.equal(attempts, 1);
  await log.close();
});

Deno.test("LocalLog close stops running consumers and rejects a second group member", async () => {
  const log = await LocalLog.open({ dir: null, partitions: 2 });
  await collect(log, "events", "g");
  await assert.rejects(collect(log, "events", "g"), /already consumes/);
  await log.close();
});

Deno.test("LocalLog reports each partition's end offset", async () => {
  const log = await LocalLog.open({ dir: null, partitions: 3 });
  try {
    assert.deepEqual([...(await log.endOffsets("events")).values()], [0, 0, 0]);
    await log.produce("events", [
      { key: null, value: "a", partition: 0 },
      { key: null, value: "b", partition: 0 },
      { key: null, value: "c", partition: 2 },
    ]);
    assert.deepEqual(await log.endOffsets("events"), new Map([[0, 2], [1, 0], [2, 1]]));
  } finally {
    await log.close();
  }
});
