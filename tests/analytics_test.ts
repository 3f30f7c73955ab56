/**
 * The analytics endpoints and the web app's static serving, in process
 * (`app.request`) against an engine on the real Postgres with the demo data.
 */

import assert from "node:assert/strict";
import { MIN_COHORT } from "../http/analytics_routes.ts";
import { withEngine } from "./_engine_fixture.ts";
import { ADMIN_TOKEN } from "./_harness.ts";

interface Comparison {
  users: number;
  strategies: {
    strategy: string;
    contacts: number;
    expectedIncremental: number;
    expectedConversions: number;
    expectedWithoutOffer: number;
    negativeUpliftContacts: number;
    topProducts: { productId: string; name: string; count: number }[];
  }[];
}

Deno.test("analytics: model comparison, clusters, a client's profile and approach testing", async (t) => {
  await withEngine({}, async ({ call, json, login }) => {
    await t.step(
      "the model comparison is the measured evaluation, with curves and the LLM's status",
      async () => {
        const body = await json<{
          models: { name: string; ours: boolean; qini: number; curve: { x: number[]; y: number[] } }[];
          skipped: { name: string; reason: string }[];
          testRows: number;
        }>("/v1/analytics/models");
        assert.ok(body.testRows > 1000);
        const ours = body.models.find((model) => model.ours)!;
        const byName = Object.fromEntries(body.models.map((model) => [model.name, model]));
        for (
          const baseline of [
            "t-learner",
            "s-learner",
            "propensity only",
            "rules (if-else)",
            "collaborative filtering",
          ]
        ) {
          assert.ok(ours.qini >= byName[baseline].qini, `ours beats ${baseline} on Qini`);
        }
        assert.ok(byName.oracle.qini > ours.qini, "the oracle is the ceiling");
        assert.equal(ours.curve.x.length, ours.curve.y.length);
        assert.equal(ours.curve.x.at(-1), 1);
        const llm = [
          ...body.models.map((model) => model.name),
          ...body.skipped.map((skipped) => skipped.name),
        ]
          .filter((name) => name.startsWith("llm"));
        assert.equal(llm.length, 1, "the LLM baseline is either measured or listed with why not");
      },
    );

    await t.step("clusters come in the features' units", async () => {
      const body = await json<{ features: string[]; clusters: { size: number; centroid: number[] }[] }>(
        "/v1/analytics/clusters",
      );
      assert.ok(body.clusters.length >= 2);
      const age = body.features.indexOf("age");
      for (const cluster of body.clusters) {
        assert.equal(cluster.centroid.length, body.features.length);
        assert.ok(cluster.centroid[age] > 14 && cluster.centroid[age] < 100, `age ${cluster.centroid[age]}`);
        assert.ok(cluster.size > 0);
      }
    });

    await t.step("a client's profile: own token only, bank clients only", async () => {
      const own = await login("b-000002");
      const body = await json<{
        cluster: number;
        features: string[];
        values: (number | null)[];
        profiles: {
          productId: string;
          name: string;
          distance: number | null;
          differences: (number | null)[];
        }[];
      }>("/v1/users/b-000002/analytics?lang=en", { token: own });
      assert.equal(body.values.length, body.features.length);
      assert.ok(body.profiles.length >= 5);
      for (const profile of body.profiles) {
        assert.doesNotMatch(profile.name, /[а-яё]/i, "names in the asked language");
        if (profile.distance !== null) assert.ok(profile.distance >= 0);
        assert.equal(profile.differences.length, body.features.length);
      }
      const anonymous = await call("/v1/users/b-000002/analytics");
      assert.equal(anonymous.status, 401);
      await anonymous.body?.cancel();
      const stranger = await call("/v1/users/b-000002/analytics", { token: await login("b-000003") });
      assert.equal(stranger.status, 403);
      await stranger.body?.cancel();
      const shopper = await call("/v1/users/r-000001/analytics", { token: await login("r-000001") });
      assert.equal(shopper.status, 404);
      await shopper.body?.cancel();
    });

    await t.step("approach testing: each strategy decides the cohort; aggregates only", async () => {
      const token = await login("b-000002");
      const unauthenticated = await call("/v1/analytics/strategies?cohort=all");
      assert.equal(unauthenticated.status, 401);
      await unauthenticated.body?.cancel();
      const bad = await call("/v1/analytics/strategies?cohort=everyone", { token });
      assert.equal(bad.status, 400);
      await bad.body?.cancel();
      const all = await json<Comparison>("/v1/analytics/strategies?cohort=all&k=3", { token });
      assert.ok(all.users >= 500, `cohort of ${all.users}`);
      assert.deepEqual(all.strategies.map((row) => row.strategy), ["uplift", "propensity", "rules"]);
      const by = Object.fromEntries(all.strategies.map((row) => [row.strategy, row]));
      for (const row of all.strategies) {
        assert.ok(row.contacts <= all.users * 3);
        assert.ok(row.topProducts.length >= 1);
      }
      assert.equal(by.uplift.negativeUpliftContacts, 0, "the uplift strategy never contacts a sleeping dog");
      assert.ok(
        by.uplift.expectedIncremental / by.uplift.contacts >
          by.propensity.expectedIncremental / by.propensity.contacts,
        "uplift ranking causes more conversions per contact than propensity ranking",
      );
      const top = await json<Comparison>(
        `/v1/analytics/strategies?cohort=${encodeURIComponent("segment:01 - TOP")}`,
        {
          token,
        },
      );
      assert.ok(top.users >= MIN_COHORT && top.users < all.users);

      // The default scope is the whole cluster (here one node); a node's own part is for nodes only.
      const cluster = all as Comparison & {
        scope: string;
        nodes: { users: number }[];
        unreachable: string[];
      };
      assert.equal(cluster.scope, "cluster");
      assert.deepEqual(cluster.nodes.map((node) => node.users), [all.users]);
      assert.deepEqual(cluster.unreachable, []);
      const byUser = await call("/v1/analytics/strategies?cohort=all&k=3&scope=node", { token });
      assert.equal(byUser.status, 403);
      await byUser.body?.cancel();
      const badScope = await call("/v1/analytics/strategies?scope=planet", { token });
      assert.equal(badScope.status, 400);
      await badScope.body?.cancel();
      const part = await json<Comparison & { scope: string; nodeId: string }>(
        "/v1/analytics/strategies?cohort=all&k=3&scope=node",
        { token: ADMIN_TOKEN },
      );
      assert.equal(part.scope, "node");
      assert.equal(part.users, all.users);
    });

    await t.step("the product catalog lists every offer in the asked language", async () => {
      const body = await json<{ products: { productId: string; name: string; santander: boolean }[] }>(
        "/v1/products?lang=ru",
      );
      assert.equal(body.products.filter((product) => product.santander).length, 24);
      assert.ok(body.products.some((product) => product.productId === "partner_auto_accessories"));
    });

    await t.step("the web app is served with its security headers; nothing outside web/ is", async () => {
      const page = await call("/");
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<script src="\/app\/js\/main\.js" type="module">/);
      assert.match(page.headers.get("content-security-policy") ?? "", /frame-ancestors 'none'/);
      assert.equal(page.headers.get("x-frame-options"), "DENY");
      for (
        const path of [
          "/app/../deno.json",
          "/app/js/%2e%2e/%2e%2e/main.ts",
          "/app/index.html",
          "/app/js/nope.js",
        ]
      ) {
        const response = await call(path);
        assert.equal(response.status, 404, path);
        await response.body?.cancel();
      }
      const script = await call("/app/js/main.js");
      assert.equal(script.headers.get("content-type"), "text/javascript; charset=utf-8");
      assert.equal(script.headers.get("x-content-type-options"), "nosniff");
      await script.body?.cancel();
    });
  });
});
