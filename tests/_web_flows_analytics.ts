/**
 * The analyst and operator flows of the web app test: the analytics tabs,
 * the ops view, the language toggle and the phone layout.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Response } from "playwright-core";
import { ADMIN_TOKEN, type EngineNode } from "./_harness.ts";
import { canvasHasInk, waitForCount, type WebSession } from "./_web_harness.ts";

/** The page's globals, inside `page.evaluate` (the tests are type-checked without the DOM lib). */
// deno-lint-ignore no-explicit-any
type Dom = any;

interface ModelRow {
  name: string;
  ours: boolean;
  qini: number;
}

const ru = (value: number, digits: number) =>
  new Intl.NumberFormat("ru-RU", { maximumFractionDigits: digits }).format(value);
const apiResponse = (path: string) => (response: Response) =>
  new URL(response.url()).pathname === path && response.request().method() === "GET";

/** Analytics: the four tabs, each checked against the engine's numbers. */
export async function analyticsFlow(web: WebSession): Promise<void> {
  const page = web.page;
  const [modelsResponse] = await Promise.all([
    page.waitForResponse(apiResponse("/v1/analytics/models")),
    page.click('[data-nav="analytics"]'),
  ]);
  const models = await modelsResponse.json() as { models: ModelRow[]; skipped: { name: string }[] };
  await page.locator("#models-table").waitFor();
  for (const model of models.models) {
    const row = page.locator(`#models-table tr[data-model="${model.name}"]`);
    assert.equal(await row.locator("td").first().innerText(), ru(model.qini, 4), model.name);
  }
  const names = models.models.map((model) => model.name);
  for (const baseline of ["rules (if-else)", "collaborative filtering", "propensity only", "t-learner"]) {
    assert.ok(names.includes(baseline), `${baseline} is compared`);
  }
  const ours = models.models.find((model) => model.ours)!;
  assert.ok(ours.qini > models.models.find((model) => model.name === "rules (if-else)")!.qini);
  // The LLM baseline is listed: measured when an endpoint was configured, else with the reason it was not.
  const llm = page.locator('#models-table tr[data-model^="llm"]');
  assert.equal(await llm.count(), 1);
  if (models.skipped.some((skipped) => skipped.name.startsWith("llm"))) {
    assert.match(await llm.innerText(), /не измерено/);
  }
  await page.locator('[data-chart="qini-chart"][data-rendered="true"]').waitFor();
  assert.ok(await canvasHasInk(page, "#qini-chart"), "the Qini curves are drawn");
  await web.screenshot("08-analytics-models");

  // Tabs are keyboard-operable: arrow right moves to the next tab.
  await page.focus("#tab-models");
  const [profileResponse] = await Promise.all([
    page.waitForResponse((r) => /\/v1\/users\/[^/]+\/analytics/.test(r.url())),
    page.keyboard.press("ArrowRight"),
  ]);
  await page.waitForURL(/#\/analytics\/profile$/);
  await page.waitForFunction(() => (globalThis as Dom).document.activeElement?.id === "tab-profile");
  const profile = await profileResponse.json() as {
    cluster: number;
    features: string[];
    profiles: unknown[];
  };
  assert.equal(await page.getAttribute("#profile-cluster", "data-cluster"), String(profile.cluster));
  await waitForCount(page, "#profile-table tbody tr", profile.features.length);
  await page.locator('[data-chart="profile-distance-chart"][data-rendered="true"]').waitFor();
  await page.locator('[data-chart="profile-differences-chart"][data-rendered="true"]').waitFor();
  assert.ok(await canvasHasInk(page, "#profile-differences-chart"));
  await web.screenshot("09-analytics-profile");

  await page.click("#tab-clusters");
  await page.locator('[data-chart="cluster-chart"][data-rendered="true"]').waitFor();
  assert.ok(await canvasHasInk(page, "#cluster-chart"));
  const clusters = await (await fetch(`${web.origin}/v1/analytics/clusters`)).json() as {
    clusters: unknown[];
  };
  assert.equal(await page.locator("#clusters-table thead th").count(), clusters.clusters.length + 2);
  await web.screenshot("10-analytics-clusters");

  await page.click("#tab-strategies");
  await waitForCount(page, ".strategy-column li", 3);
  assert.equal(await page.locator(".strategy-column").count(), 3);
  await page.click('[data-use-strategy="rules"]');
  assert.match(await page.locator("#strategy-current").innerText(), /Правила банка/);
  const [cohortResponse] = await Promise.all([
    page.waitForResponse(apiResponse("/v1/analytics/strategies")),
    page.click("#cohort-run"),
  ]);
  assert.equal(cohortResponse.status(), 200, await cohortResponse.text());
  const cohort = await cohortResponse.json() as {
    users: number;
    strategies: { strategy: string; contacts: number; expectedIncremental: number }[];
  };
  assert.ok(cohort.users >= 500, "the cohort covers the resident demo clients");
  await waitForCount(page, "#strategies-table tbody tr", 3);
  for (const row of cohort.strategies) {
    const cells = page.locator(`#strategies-table tr[data-strategy="${row.strategy}"] td`);
    assert.equal(await cells.nth(0).innerText(), String(row.contacts));
    assert.equal(await cells.nth(1).innerText(), ru(row.expectedIncremental, 1));
  }
  const by = Object.fromEntries(cohort.strategies.map((row) => [row.strategy, row]));
  assert.ok(
    by.uplift.expectedIncremental / by.uplift.contacts >
      by.propensity.expectedIncremental / by.propensity.contacts,
    "per contact, uplift ranking causes more conversions than propensity ranking",
  );
  await page.locator('[data-chart="strategies-chart"][data-rendered="true"]').waitFor();
  // This engine runs no live experiment: the section says how to start one instead of a table.
  assert.match(
    await page.locator("#experiment-none").innerText(),
    /EXPERIMENT_ID, EXPERIMENT_ARMS и EXPERIMENT_START/,
  );
  assert.equal(await page.locator("#experiment-table").count(), 0);
  await web.screenshot("11-analytics-strategies");
  await page.click('[data-use-strategy="uplift"]');
}

/** Ops: the admin token opens nodes, partitions, actors and one actor's state. */
export async function opsFlow(web: WebSession, node: EngineNode): Promise<void> {
  const page = web.page;
  await page.click('[data-nav="ops"]');
  await page.fill("#ops-token", "not-the-token");
  await page.click("#ops-connect");
  await page.locator("#ops-content", { hasText: "Токен не подошёл." }).waitFor();
  await page.fill("#ops-token", ADMIN_TOKEN);
  await page.click("#ops-connect");
  await page.locator('#ops-nodes tr[data-node-id="web"]').waitFor();
  const resident = Number(await page.getAttribute("#ops-resident", "data-resident"));
  assert.ok(resident >= 600, `resident actors: ${resident}`);
  await page.locator('[data-chart="ops-partitions-chart"][data-rendered="true"]').waitFor();
  const actor = await page.locator("#ops-actor-list button").first().getAttribute("data-actor");
  await page.locator("#ops-actor-list button").first().click();
  const detail = page.locator(`#ops-actor-detail [data-actor="${actor}"]`);
  await detail.waitFor();
  const state = await node.json<{ eventsApplied: number; partition: number }>(`/admin/actors/${actor}`);
  assert.match(await detail.innerText(), new RegExp(`Событий применено\\s+${state.eventsApplied}`));
  await web.screenshot("12-ops");
}

/** English by toggle (offers come back in English too); the home page fits a phone. */
export async function languageAndPhoneFlow(web: WebSession): Promise<void> {
  const page = web.page;
  await page.click('[data-nav="home"]');
  await page.locator(".primary-offer .offer-card").waitFor();
  const [english] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/recommendations") && r.url().includes("lang=en")),
    page.click("#lang-toggle"),
  ]);
  assert.equal(await page.evaluate(() => (globalThis as Dom).document.documentElement.lang), "en");
  assert.match(await page.locator("h1").innerText(), /^Hello, /);
  assert.equal(await page.locator('[data-nav="history"]').innerText(), "History");
  const body = await english.json() as { offers: { name: string; role: string }[] };
  const primary = body.offers.find((offer) => offer.role === "primary")!;
  await page.locator(".primary-offer .offer-name", { hasText: primary.name }).waitFor();
  assert.doesNotMatch(primary.name, /[а-яё]/i, "offer names come in English");
  await web.screenshot("13-home-en");
  await page.click("#lang-toggle");
  await page.locator("h1", { hasText: "Здравствуйте" }).waitFor();

  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await page.locator(".primary-offer .offer-card").waitFor();
  const overflow = () =>
    page.evaluate(() => {
      const dom = globalThis as Dom;
      return dom.document.documentElement.scrollWidth - dom.innerWidth as number;
    });
  assert.ok(await overflow() <= 1, `nothing spills sideways on a phone (${await overflow()}px)`);
  await web.screenshot("14-home-phone");
  // Wide tables scroll inside their own region; the page itself never does.
  for (
    const [route, ready] of [
      ["history", "#operations-table"],
      ["chat", "#chat-input"],
      ["analytics/models", "#models-table"],
      ["analytics/strategies", ".strategy-column"],
    ]
  ) {
    await page.goto(`${web.origin}/#/${route}`);
    await page.locator(ready).first().waitFor();
    assert.ok(await overflow() <= 1, `${route} fits a phone (${await overflow()}px)`);
  }
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${web.origin}/#/home`);
}
