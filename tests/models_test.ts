/**
 * The embedded default end to end: first start loads demo data through the
 * ingest path, actors are scored with the shipped ONNX model, and the
 * scheduled jobs (vectors, daily retrain from Postgres) really run.
 */

import assert from "node:assert/strict";
import { EngineNode, freePort } from "./_harness.ts";

interface Scores {
  eventsApplied: number;
  offers: { productId: string; pTreated: number; pControl: number; uplift: number }[];
  propensity: Record<string, number>;
  cluster: number;
  profileDistance: Record<string, number | null>;
}

Deno.test("the embedded default loads demo data, scores actors and runs the vectors and retrain jobs", async () => {
  const dataDir = await Deno.makeTempDir({ prefix: "engine-models-" });
  const node = new EngineNode("models", freePort(), { DATA_DIR: dataDir, FLUSH_INTERVAL_MS: "300" });
  try {
    await node.ready(120_000);
    const models = await node.json<{ loaded: boolean; source: string; offers: string[] }>("/admin/models");
    assert.equal(models.loaded, true);
    assert.equal(models.source, "shipped");
    assert.equal(models.offers.length, 12);

    const scores = await node.json<Scores>("/admin/actors/b-000002/scores");
    assert.ok(scores.eventsApplied > 10, "the demo history reached the actor");
    assert.equal(scores.offers.length, 12);
    for (const offer of scores.offers) {
      assert.ok(offer.pTreated >= 0 && offer.pTreated <= 1 && offer.pControl >= 0 && offer.pControl <= 1);
      assert.ok(Math.abs(offer.uplift) < 1);
    }
    const uplifts = scores.offers.map((offer) => offer.uplift);
    assert.deepEqual(uplifts, [...uplifts].sort((a, b) => b - a), "offers come sorted by uplift");
    assert.ok(Object.keys(scores.propensity).length >= 10);
    assert.ok(Number.isInteger(scores.cluster));
    const retail = await node.request("/admin/actors/r-000001/scores");
    assert.equal(retail.status, 200);
    await retail.body?.cancel();

    const vectors = await node.json<{ job: { lastOutcome: { ok: boolean; result: { scored: number } } } }>(
      "/admin/jobs/vectors.recompute/run",
      { method: "POST", signal: AbortSignal.timeout(60_000) },
    );
    assert.equal(vectors.job.lastOutcome.ok, true);
    assert.ok(vectors.job.lastOutcome.result.scored >= 500, JSON.stringify(vectors.job.lastOutcome));

    const retrain = await node.json<
      { job: { lastOutcome: { ok: boolean; result?: { clients: number; rows: number }; reason?: string } } }
    >("/admin/jobs/model.retrain/run", { method: "POST", signal: AbortSignal.timeout(240_000) });
    assert.equal(retrain.job.lastOutcome.ok, true, JSON.stringify(retrain.job.lastOutcome));
    assert.ok(retrain.job.lastOutcome.result!.clients >= 500);
    const after = await node.json<{ loaded: boolean; source: string; trainedAt: string }>("/admin/models");
    assert.equal(after.loaded, true);
    assert.equal(after.source, `${dataDir}/models`);
    const rescored = await node.json<Scores>("/admin/actors/b-000002/scores");
    assert.equal(rescored.offers.length, 12);
  } finally {
    await node.kill("SIGTERM");
    await Deno.remove(dataDir, { recursive: true });
  }
});
