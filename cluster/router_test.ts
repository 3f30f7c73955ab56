import assert from "node:assert/strict";
import { partitionFor } from "../bus/bus.ts";
import { ClusterRouter, type ClusterStore, type NodeRow } from "./router.ts";

const PARTITIONS = 4;

function store(nodes: NodeRow[]) {
  const state = { down: false, hang: false };
  const hung: (() => void)[] = [];
  const refuse = () =>
    state.hang
      ? new Promise<never>((_, reject) =>
        hung.push(() => reject(new Error("connect ECONNREFUSED 127.0.0.1:5432")))
      )
      : Promise.reject(new Error("connect ECONNREFUSED 127.0.0.1:5432"));
  const cluster: ClusterStore = {
    leases: () =>
      state.down ? refuse() : Promise.resolve(
        Array.from({ length: PARTITIONS }, (_, partition) => ({ partition, nodeId: "node-b", epoch: 1 })),
      ),
    nodes: () => state.down ? refuse() : Promise.resolve(nodes),
  };
  return { cluster, state, release: () => hung.splice(0).forEach((fail) => fail()) };
}

Deno.test("ClusterRouter routes by its last view while Postgres is away, and fails only with no view at all", async () => {
  // Found by `deno task chaos`: with Postgres stopped, every request for a user owned by another node
  // answered 500 because the routing table could not be refreshed.
  const other: NodeRow = {
    nodeId: "node-b",
    httpUrl: "http://127.0.0.1:9002",
    startedAt: new Date(),
    heartbeatAt: new Date(),
    assigned: [0, 1, 2, 3],
  };
  const { cluster, state, release } = store([other]);
  const router = new ClusterRouter({
    store: cluster,
    nodeId: "node-a",
    partitionCount: PARTITIONS,
    ownsPartition: () => false,
    assignedPartition: () => false,
    cacheMs: 0,
    aliveWithinMs: 50,
  });
  const user = "user-7";
  const expected = {
    local: false,
    partition: partitionFor(user, PARTITIONS),
    nodeId: "node-b",
    url: other.httpUrl,
  };

  state.down = true;
  await assert.rejects(router.route(user), /ECONNREFUSED/);
  state.down = false;
  assert.deepEqual(await router.route(user), expected);

  state.down = true;
  router.invalidate();
  // Longer than aliveWithinMs: nobody can heartbeat into a stopped Postgres, so the view is judged as of its read.
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.deepEqual(await router.route(user), expected);

  // A stopped server can also take seconds to refuse: the request does not wait for that.
  state.hang = true;
  const started = performance.now();
  assert.deepEqual(await router.route(user), expected);
  assert.ok(performance.now() - started < 2_000);
  release();

  state.down = false;
  state.hang = false;
  other.heartbeatAt = new Date(Date.now() - 1_000);
  assert.deepEqual(await router.route(user), {
    local: false,
    partition: expected.partition,
    nodeId: null,
    url: null,
  });
});
