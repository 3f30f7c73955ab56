/**
 * A live experiment between strategies on the running engine: each client's recommendations come from
 * their arm's strategy (through the route and the cached fast path alike) unless a strategy is asked for,
 * and the experiment's outcome counts who was shown an offer and who converted, per arm.
 */

import assert from "node:assert/strict";
import { armOf, type Experiment } from "../engine/experiment.ts";
import { withEngine } from "./_engine_fixture.ts";
import { loginAs } from "./_web_flows.ts";
import { waitForCount, WebSession } from "./_web_harness.ts";

const START = new Date(Date.now() - 86_400_000).toISOString();
const EXPERIMENT: Experiment = {
  id: "nbo-test",
  arms: [{ strategy: "uplift", weight: 50 }, { strategy: "propensity", weight: 50 }],
  startMs: Date.parse(START),
};

interface ArmRow {
  strategy: string;
  users: number;
  exposed: number;
  impressions: number;
  converted: number;
  conversionRate: number | null;
  difference: { value: number; low: number; high: number } | null;
}

Deno.test("experiment: clients get their arm's strategy, and the outcome is counted per arm", async (t) => {
  await withEngine({
    EXPERIMENT_ID: EXPERIMENT.id,
    EXPERIMENT_ARMS: "uplift:50,propensity:50",
    EXPERIMENT_START: START,
  }, async ({ engine, call, login }) => {
    const users = Array.from({ length: 24 }, (_, i) => `b-${String(i + 1).padStart(6, "0")}`);
    const shown = new Map<string, string[]>();
    let outcome: ArmRow[] = [];

    await t.step(
      "without a strategy each client gets the arm's, named in x-experiment, on every path",
      async () => {
        for (const userId of users) {
          const token = await login(userId);
          const arm = armOf(EXPERIMENT, userId);
          // The first read decides and records the impressions; the second is served from the cache.
          for (const record of ["1", "1"]) {
            const response = await call(`/v1/users/${userId}/recommendations?k=2&record=${record}`, {
              token,
            });
            assert.equal(response.status, 200);
            assert.equal(response.headers.get("x-experiment"), `${EXPERIMENT.id}/${arm}`, userId);
            const body = await response.json();
            assert.equal(body.strategy, arm, userId);
            shown.set(userId, body.offers.map((offer: { productId: string }) => offer.productId));
          }
          const asked = await call(`/v1/users/${userId}/recommendations?k=2&record=0&strategy=rules`, {
            token,
          });
          assert.equal(
            asked.headers.get("x-experiment"),
            null,
            "an asked-for strategy is outside the experiment",
          );
          assert.equal((await asked.json()).strategy, "rules");
        }
        const arms = new Set(users.map((userId) => armOf(EXPERIMENT, userId)));
        assert.deepEqual(
          [...arms].sort(),
          ["propensity", "uplift"],
          "both arms are among the test's clients",
        );
      },
    );

    await t.step(
      "a conversion after an impression is attributed, and the outcome is counted per arm",
      async () => {
        const converter = users.find((userId) => (shown.get(userId) ?? []).length > 0)!;
        const token = await login(converter);
        const feedback = await call("/v1/feedback", {
          token,
          method: "POST",
          json: { kind: "conversion", productId: shown.get(converter)![0] },
        });
        assert.equal(feedback.status, 202);
        await feedback.body?.cancel();

        const forbidden = await call("/v1/analytics/experiment?scope=node", { token });
        assert.equal(forbidden.status, 403);
        await forbidden.body?.cancel();
        const response = await call("/v1/analytics/experiment", { token });
        assert.equal(response.status, 200);
        const body = await response.json() as {
          experiment: { id: string; startedAt: string };
          scope: string;
          unreachable: string[];
          arms: ArmRow[];
        };
        assert.equal(body.experiment.id, EXPERIMENT.id);
        assert.equal(body.experiment.startedAt, START);
        assert.equal(body.scope, "cluster");
        assert.deepEqual(body.unreachable, []);
        assert.deepEqual(body.arms.map((arm) => arm.strategy), ["uplift", "propensity"]);
        assert.equal(
          body.arms.reduce((sum, arm) => sum + arm.users, 0),
          600,
          "every demo bank client is in an arm",
        );
        for (const arm of body.arms) {
          // The test's own clients with offers were shown them; notifications may have shown others more.
          const ours = users.filter((userId) =>
            armOf(EXPERIMENT, userId) === arm.strategy && (shown.get(userId) ?? []).length > 0
          );
          assert.ok(
            arm.exposed >= ours.length,
            `${arm.strategy}: ${arm.exposed} exposed, ${ours.length} ours`,
          );
          assert.ok(arm.impressions >= arm.exposed);
          assert.ok(arm.converted <= arm.exposed);
          if (arm.exposed < 10) assert.equal(arm.conversionRate, null, "too few to show a rate");
          else assert.equal(arm.conversionRate, arm.converted / arm.exposed);
        }
        const converterArm = body.arms.find((arm) => arm.strategy === armOf(EXPERIMENT, converter))!;
        assert.ok(converterArm.converted >= 1, "the attributed conversion is counted in its arm");
        outcome = body.arms;
      },
    );

    await t.step("the analytics panel shows the experiment as the API counts it", async () => {
      await using server = Deno.serve(
        { port: 0, hostname: "127.0.0.1", onListen: () => {} },
        (request) => engine.app.fetch(request),
      );
      const web = await WebSession.open(`http://127.0.0.1:${server.addr.port}`);
      try {
        await loginAs(web, users[0]);
        const page = web.page;
        await page.click('[data-nav="analytics"]');
        await page.click("#tab-strategies");
        await waitForCount(page, "#experiment-table tbody tr", 2);
        assert.match(await page.locator("#experiment-summary").innerText(), /Эксперимент nbo-test/);
        for (const arm of outcome) {
          const row = page.locator(`#experiment-table tr[data-strategy="${arm.strategy}"]`);
          assert.equal(Number(await row.getAttribute("data-exposed")), arm.exposed);
          assert.equal(Number(await row.getAttribute("data-converted")), arm.converted);
          assert.equal(await row.locator("td").nth(0).innerText(), String(arm.users));
        }
        await page.locator("#experiment-table").scrollIntoViewIfNeeded();
        await web.screenshot("15-analytics-experiment");
        assert.deepEqual(web.problems, []);
        assert.deepEqual(web.foreignRequests, []);
      } finally {
        await web.close();
      }
    });
  });
});

Deno.test("experiment: the outcome endpoint answers 404 while no experiment runs", async () => {
  await withEngine({}, async ({ call, login }) => {
    const response = await call("/v1/analytics/experiment", { token: await login("b-000001") });
    assert.equal(response.status, 404);
    assert.match((await response.json()).error, /no experiment is running/);
  });
});
