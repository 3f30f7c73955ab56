/**
 * The web app end to end: a real engine (the embedded default with its demo
 * data) and Debian's Chromium. Every flow of the app is driven the way a
 * visitor would, and the test asserts what the page shows against what the
 * engine answers. The LLM is the project's fake OpenAI-compatible server. Screenshots land in `SCREENSHOT_DIR` (default
 * `test-results/web`); `SCREENSHOT_DIR=docs/screenshots` refreshes the README's.
 */

import assert from "node:assert/strict";
import { type RecordedRequest, startFakeOpenAi } from "../llm/_fake_openai_server.ts";
import { EngineNode, freePort } from "./_harness.ts";
import { WebSession } from "./_web_harness.ts";
import {
  analyticsFlow,
  chatFlow,
  coldStartFlow,
  historyFlow,
  homeFlow,
  languageAndPhoneFlow,
  loginFlow,
  opsFlow,
  retailChatFlow,
} from "./_web_flows.ts";

const OFFER_CODE = /\b(?:ind_[a-z_]+_ult1|ins_[a-z_]+|partner_[a-z_]+)\b/g;

/** The fake LLM's answers: one plain sentence per offer, or a short chat reply. */
function fakeAnswer(request: RecordedRequest): string {
  if (/TASK: explain_offers/.test(request.user)) {
    const codes = [...new Set(request.user.match(OFFER_CODE) ?? [])];
    return JSON.stringify(Object.fromEntries(codes.map((code) => [
      code,
      "Мы подобрали это предложение по вашим операциям и профилю: именно оно заметнее всего меняет ваш выбор.",
    ])));
  }
  return /товар|завтрак|купить/i.test(request.user)
    ? "Подобрал товары из каталога под ваш запрос и ваши предпочтения — они ниже."
    : "Посмотрите предложения ниже: они выбраны по тому, как каждое меняет ваши шансы, а не по популярности.";
}

Deno.test({
  name: "the web app drives every flow against a running engine in Chromium",
  // playwright-core talks to Chromium over pipes it closes itself after the test's last await.
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const dataDir = await Deno.makeTempDir({ prefix: "engine-web-" });
    // No LLM is reachable from these machines: the project's fake OpenAI-compatible server stands in,
    // so the page shows both explanation sources and a chat answer streamed in pieces.
    const llm = startFakeOpenAi({ kind: "text", text: fakeAnswer });
    const node = new EngineNode("web", freePort(), {
      DATA_DIR: dataDir,
      FLUSH_INTERVAL_MS: "300",
      LLM_BASE_URL: llm.baseUrl,
      LLM_MODEL: "qwen2.5-7b-instruct",
    });
    let web: WebSession | null = null;
    try {
      await node.ready(120_000);
      await t.step("the app is served with security headers and no remote origins", async () => {
        const response = await fetch(`${node.url}/`);
        const html = await response.text();
        assert.equal(response.status, 200);
        const csp = response.headers.get("content-security-policy") ?? "";
        assert.match(csp, /frame-ancestors 'none'/);
        assert.match(csp, /default-src 'self'/);
        assert.doesNotMatch(csp, /https?:|\*/, "the policy names no remote origin");
        assert.equal(response.headers.get("x-content-type-options"), "nosniff");
        assert.equal(response.headers.get("referrer-policy"), "no-referrer");
        assert.doesNotMatch(html, /(src|href)="(https?:)?\/\//, "the page loads nothing from another origin");
        const chart = await fetch(`${node.url}/app/vendor/chart.js`);
        assert.equal(chart.status, 200);
        assert.match(await chart.text(), /Chart\.js v4/);
        const escape = await fetch(`${node.url}/app/js/%2e%2e/%2e%2e/deno.json`);
        assert.equal(escape.status, 404);
        await escape.body?.cancel();
      });
      web = await WebSession.open(node.url);
      const session = web;
      await t.step("login by ID: search the database and log in with the keyboard", () => loginFlow(session));
      await t.step(
        "home: offers with explanations, sources, why-not and the strategy switch",
        () => homeFlow(session),
      );
      await t.step(
        "history: add operations by hand; offers are decided again; a notification arrives",
        () => historyFlow(session),
      );
      await t.step(
        "chat (bank): the answer streams, offers come as cards with feedback",
        () => chatFlow(session),
      );
      await t.step(
        "analytics: model quality, median profiles, clusters, approach testing",
        () => analyticsFlow(session),
      );
      await t.step("ops: the admin token opens the cluster and actor view", () => opsFlow(session, node));
      await t.step("English by toggle; readable on a phone", () => languageAndPhoneFlow(session));
      await t.step("cold start: validated registration, offers at once", () => coldStartFlow(session));
      await t.step("chat (retail): catalog items as cards", () => retailChatFlow(session));
      assert.deepEqual(session.foreignRequests, [], "no request left the engine's origin");
      assert.deepEqual(session.problems, [], "no script error, console error or CSP violation");
    } catch (error) {
      throw new Error(`${(error as Error).stack}\n--- engine logs (tail) ---\n${node.logs().slice(-4000)}`);
    } finally {
      await web?.close();
      await node.kill("SIGTERM");
      await llm.close();
      await Deno.remove(dataDir, { recursive: true }).catch(() => {});
    }
  },
});
