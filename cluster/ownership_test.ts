import assert from "node:assert/strict";
import {
  type LeaseStore,
  type OwnershipOptions,
  type PartitionHost,
  PartitionOwnership,
} from "./ownership.ts";

/** Leases in memory; `releaseLease` waits until the test lets it go, as a slow Postgres would. */
function leaseStore() {
  const epochs = new Map<number, number>();
  const releasing: number[] = [];
  let letGo: (() => void) | null = null;
  const gate = new Promise<void>((resolve) => letGo = resolve);
  const store: LeaseStore = {
    acquireLease: (partition) => {
      const epoch = (epochs.get(partition) ?? 0) + 1;
      epochs.set(partition, epoch);
      return Promise.resolve({ ok: true, epoch });
    },
    forceLease: (partition) => Promise.resolve((epochs.get(partition) ?? 0) + 1),
    releaseLease: async (partition) => {
      releasing.push(partition);
      await gate;
      return true;
    },
    leaseEpochs: () => Promise.resolve(new Map(epochs)),
    heartbeat: () => Promise.resolve(),
    removeNode: () => Promise.resolve(),
  };
  return { store, releasing, letGo: () => letGo!() };
}

Deno.test("PartitionOwnership gives up every revoked partition together with its actors, before the leases go", async () => {
  // Found by `deno task chaos`: partitions were un-owned one by one, each after the previous lease release
  // had gone through Postgres, so a read could activate an actor of a partition whose actors were already
  // dropped; that actor stayed resident without the lease.
  const leases = leaseStore();
  const dropped: number[][] = [];
  const host: PartitionHost = {
    releasePartitions: (partitions) => {
      dropped.push([...partitions]);
      return Promise.resolve();
    },
    dropPartitions: () => {},
  };
  const ownership = new PartitionOwnership({
    store: leases.store,
    nodeId: "node-1",
    httpUrl: "http://node-1",
  });
  ownership.attach(host);
  await ownership.onAssignment([0, 1, 2]);
  for (const partition of [0, 1, 2]) assert.equal(await ownership.ensureOwned(partition), true);

  const revoking = ownership.onAssignment([2]);
  while (leases.releasing.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
  // The first lease release is still waiting on the store: neither revoked partition is owned any more.
  assert.deepEqual(dropped, [[0, 1]]);
  assert.equal(ownership.epochOf(0), undefined);
  assert.equal(ownership.epochOf(1), undefined);
  assert.equal(ownership.epochOf(2), 1);
  leases.letGo();
  await revoking;
  assert.deepEqual(leases.releasing.sort(), [0, 1]);
  await ownership.stop();
});

Deno.test("PartitionOwnership does not force a lease while Postgres is away: the holder gets its handover time after", async () => {
  // Found by `deno task chaos`: a rebalance during a 10 s Postgres stop; the new owner's handover window ran
  // out while no lease could be released, so it forced the lease the moment Postgres was back, while the old
  // owner was still handing the partition over.
  let down = true;
  const forced: number[] = [];
  const store: LeaseStore = {
    acquireLease: () =>
      down
        ? Promise.reject(new Error("connect ECONNREFUSED"))
        : Promise.resolve({ ok: false, holder: "node-b" }),
    forceLease: () => {
      forced.push(Date.now());
      return Promise.resolve(7);
    },
    releaseLease: () => Promise.resolve(true),
    leaseEpochs: () => Promise.resolve(new Map()),
    heartbeat: () => Promise.resolve(),
    removeNode: () => Promise.resolve(),
  };
  const ownership = new PartitionOwnership({
    store,
    nodeId: "node-a",
    httpUrl: "http://node-a",
    handoverTimeoutMs: 300,
  });
  await ownership.onAssignment([0]);
  const owned = ownership.ensureOwned(0);
  await new Promise((resolve) => setTimeout(resolve, 600));
  assert.deepEqual(forced, [], "no force while every attempt failed");
  const back = Date.now();
  down = false;
  assert.equal(await owned, true);
  assert.equal(forced.length, 1);
  assert.ok(forced[0] - back >= 250, `forced ${forced[0] - back} ms after Postgres came back`);
  assert.equal(ownership.epochOf(0), 7);
  await ownership.stop();
});

/** A node that owns partition 0 and records the partitions it drops in `dropped`. */
async function owningPartitionZero(
  store: LeaseStore,
  dropped: number[][],
  options: Partial<OwnershipOptions> = {},
): Promise<PartitionOwnership> {
  const ownership = new PartitionOwnership({ store, nodeId: "node-1", httpUrl: "http://node-1", ...options });
  ownership.attach({
    releasePartitions: () => Promise.resolve(),
    dropPartitions: (partitions) => dropped.push([...partitions]),
  });
  await ownership.onAssignment([0]);
  assert.equal(await ownership.ensureOwned(0), true);
  return ownership;
}

Deno.test("PartitionOwnership gives up on a heartbeat that hangs, so later ones still run and find a lost lease", async () => {
  // A query on a connection the network dropped without a reset hangs until TCP notices (minutes). The
  // heartbeat shares one in-flight promise, so one hung query used to stop every later heartbeat.
  const leases = leaseStore();
  let beats = 0;
  const hung: (() => void)[] = [];
  leases.store.heartbeat = () => {
    beats++;
    return beats === 1 ? new Promise<void>((resolve) => hung.push(resolve)) : Promise.resolve();
  };
  const dropped: number[][] = [];
  const logs: string[] = [];
  const ownership = await owningPartitionZero(leases.store, dropped, {
    heartbeatMs: 40,
    heartbeatTimeoutMs: 100,
    onLog: (message, fields) => logs.push(`${message} ${fields.error ?? ""}`),
  });
  ownership.start();
  try {
    // Another node forces the lease meanwhile; only a heartbeat that runs can notice.
    leases.store.leaseEpochs = () => Promise.resolve(new Map([[0, 99]]));
    const deadline = Date.now() + 2_000;
    while (ownership.epochOf(0) !== undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(ownership.epochOf(0), undefined, "the lost lease was noticed");
    assert.deepEqual(dropped, [[0]]);
    assert.ok(beats >= 2);
    assert.ok(logs.some((line) => line.includes("heartbeat took over 100 ms")), logs.join("\n"));
  } finally {
    hung.forEach((resolve) => resolve());
    await ownership.stop();
  }
});

Deno.test("PartitionOwnership does not call a lease lost that was acquired while the heartbeat read the lease table", async () => {
  // Found by the suite: the heartbeat read the node's leases, partition 2's lease was acquired before the
  // answer came back, and the heartbeat then called that new lease lost because the answer lacked it.
  const leases = leaseStore();
  let answer: ((held: Map<number, number>) => void) | null = null;
  let reads = 0;
  // The first read waits for the test; later ones answer the truth at once.
  leases.store.leaseEpochs = () =>
    reads++ === 0 ? new Promise((resolve) => answer = resolve) : Promise.resolve(new Map([[0, 1], [2, 1]]));
  const dropped: number[][] = [];
  const ownership = await owningPartitionZero(leases.store, dropped);
  // A heartbeat starts and reads the lease table (which holds partition 0 only)...
  ownership.start();
  while (answer === null) await new Promise((resolve) => setTimeout(resolve, 1));
  // ...and partition 2 is assigned and leased before that read comes back.
  await ownership.onAssignment([0, 2]);
  assert.equal(await ownership.ensureOwned(2), true);
  const reply = answer as (held: Map<number, number>) => void;
  reply(new Map([[0, 1]]));
  await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(ownership.epochOf(2), 1, "the new lease is kept");
  assert.deepEqual(dropped, []);
  leases.letGo();
  await ownership.stop();
});
