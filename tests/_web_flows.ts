/**
 * The client-facing flows of the web app test: login by ID, home, history,
 * chat (bank and retail) and cold start. Each asserts what the page shows
 * against what the engine answered.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page, Response } from "playwright-core";
import { waitForCount, type WebSession } from "./_web_harness.ts";

/** The page's globals, inside `page.evaluate` (the tests are type-checked without the DOM lib). */
// deno-lint-ignore no-explicit-any
type Dom = any;

export { analyticsFlow, languageAndPhoneFlow, opsFlow } from "./_web_flows_analytics.ts";

/** The bank client the flows log in as: the first demo client with three offers (see {@linkcode pickBankUser}). */
let bankUser = "";
/** The retail shopper the flows log in as. */
export const RETAIL_USER = "r-000001";

interface Offer {
  productId: string;
  name: string;
  role: string;
  explanation: string;
  explanationSource: string;
}
interface Recommendations {
  userId: string;
  strategy: string;
  eventsApplied: number;
  offers: Offer[];
  suppressed: { productId: string; name: string; reason: string; detail: string }[];
}

const isRecommendations = (response: Response) =>
  /^\/v1\/users\/[^/]+\/recommendations$/.test(new URL(response.url()).pathname) &&
  response.request().method() === "GET";

/** Logs in by searching for `userId` and choosing it with the keyboard. */
export async function loginAs(web: WebSession, userId: string): Promise<void> {
  const page = web.page;
  await page.goto(`${web.origin}/#/login`);
  const search = page.locator("#main input[type=search]");
  await search.fill(userId);
  // Wait for this search's answer, not the list the page showed before it.
  await page.waitForFunction((id) => {
    const buttons = (globalThis as Dom).document.querySelectorAll("#user-list button");
    return buttons.length === 1 && buttons[0].dataset.userId === id;
  }, userId);
  await search.press("ArrowDown");
  assert.equal(await page.evaluate(() => (globalThis as Dom).document.activeElement.dataset.userId), userId);
  await page.keyboard.press("Enter");
  await page.waitForURL(/#\/home$/);
  await page.locator("#whoami", { hasText: userId }).waitFor();
}

/**
 * The first bank client in the picker whose decision has three offers. The
 * demo history ends yesterday, so who that is can change from day to day.
 */
async function pickBankUser(origin: string): Promise<{ userId: string; displayName: string }> {
  const listed = await (await fetch(`${origin}/v1/users?query=b-&limit=40`)).json() as {
    users: { userId: string; displayName: string; kind: string }[];
  };
  for (const user of listed.users.filter((candidate) => candidate.kind === "bank")) {
    const login = await (await fetch(`${origin}/v1/auth/demo-login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ userId: user.userId }),
    })).json() as { token: string };
    const response = await fetch(`${origin}/v1/users/${user.userId}/recommendations?k=3&record=0`, {
      headers: { authorization: `Bearer ${login.token}` },
    });
    const body = await response.json() as Recommendations;
    if (body.offers.length === 3) return user;
  }
  throw new Error("no demo bank client has three offers");
}

/** Login by ID: the picker lists the database's users, searchable. */
export async function loginFlow(web: WebSession): Promise<void> {
  const page = web.page;
  const expected = await pickBankUser(web.origin);
  bankUser = expected.userId;
  await page.goto(`${web.origin}/`);
  assert.equal(await page.locator("h1").textContent(), "Вход по ID");
  assert.equal(await page.evaluate(() => (globalThis as Dom).document.documentElement.lang), "ru");
  await waitForCount(page, "#user-list button", 5);
  // A search narrows the list to the matching ids, each with its name, kind and segment.
  await page.locator("#main input[type=search]").fill("b-00000");
  await page.waitForFunction(() => {
    const buttons = [...(globalThis as Dom).document.querySelectorAll("#user-list button")];
    return buttons.length === 9 &&
      buttons.every((button: Dom) => button.dataset.userId.startsWith("b-00000"));
  });
  const button = page.locator(`#user-list button[data-user-id="${bankUser}"]`);
  if (bankUser.startsWith("b-00000")) {
    assert.match(await button.innerText(), new RegExp(expected.displayName));
  }
  assert.match(await page.locator("#user-list-status").innerText(), /Найдено: 9/);
  await web.screenshot("01-login");
  await loginAs(web, bankUser);
}

/** Home: what the engine decided, shown as it decided it. */
export async function homeFlow(web: WebSession): Promise<void> {
  const page = web.page;
  // Let the first load settle, then read a decision from a fresh load.
  await page.locator(".recommendations").waitFor();
  const [response] = await Promise.all([page.waitForResponse(isRecommendations), page.reload()]);
  const body = await response.json() as Recommendations;
  assert.ok(body.offers.length >= 1, "the demo client gets at least one offer");
  await page.locator(".recommendations").waitFor();
  const primary = body.offers.find((offer) => offer.role === "primary")!;
  const card = page.locator(".primary-offer .offer-card");
  assert.equal(await card.getAttribute("data-product-id"), primary.productId);
  assert.equal(await card.locator(".offer-name").innerText(), primary.name);
  assert.equal(await card.locator(".explanation").innerText(), primary.explanation.trim());
  assert.ok(primary.explanation.length > 20, "the explanation says something");
  assert.equal(await card.locator("[data-source]").getAttribute("data-source"), primary.explanationSource);
  const sourceText = primary.explanationSource === "llm" ? "Текст: LLM" : "Текст: шаблон";
  assert.equal(await card.locator("[data-source]").innerText(), sourceText);
  assert.equal(await page.locator(".alternatives .offer-card").count(), body.offers.length - 1);
  assert.ok(body.suppressed.length >= 1, "something is held back");
  assert.equal(await page.locator(".suppressed-list li").count(), body.suppressed.length);
  const first = body.suppressed[0];
  const item = page.locator(`.suppressed-list li[data-product-id="${first.productId}"]`);
  await item.locator("summary").click();
  assert.match(await item.locator("summary").innerText(), new RegExp(`Почему не «${escape(first.name)}»`));
  assert.equal(await item.locator("details p").innerText(), first.detail);
  await page.locator("#notification-state[data-state=live]").waitFor();
  await web.screenshot("02-home");

  // LLM texts are written in the background; a later read of the same state shows them, labelled.
  let source = primary.explanationSource;
  for (let attempt = 0; attempt < 20 && source !== "llm"; attempt++) {
    await page.waitForTimeout(250);
    await page.locator(".recommendations").waitFor();
    const [again] = await Promise.all([page.waitForResponse(isRecommendations), page.reload()]);
    source = ((await again.json()) as Recommendations).offers[0]?.explanationSource ?? source;
  }
  assert.equal(source, "llm", "the LLM's explanation replaces the template once written");
  await page.locator('.primary-offer [data-source="llm"]', { hasText: "Текст: LLM" }).waitFor();

  // Approach testing for this user: the strategy switch re-decides with another ranking.
  const [switched] = await Promise.all([
    page.waitForResponse((r) => isRecommendations(r) && r.url().includes("strategy=propensity")),
    page.selectOption("select[name=strategy]", "propensity"),
  ]);
  assert.equal((await switched.json() as Recommendations).strategy, "propensity");
  await page.locator('.recommendations[data-strategy="propensity"]').waitFor();
  await Promise.all([
    page.waitForResponse(isRecommendations),
    page.selectOption("select[name=strategy]", "uplift"),
  ]);
  await page.locator('.recommendations[data-strategy="uplift"]').waitFor();

  // "Not interested" goes to the engine; the next decision holds that product back.
  const dismissed = await page.locator(".offer-card").last().getAttribute("data-product-id");
  const [feedback, after] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/v1/feedback")),
    page.waitForResponse(isRecommendations),
    page.locator(".offer-card").last().locator('[data-feedback="not_interested"]').click(),
  ]);
  assert.equal(feedback.status(), 202);
  const next = await after.json() as Recommendations;
  assert.ok(
    !next.offers.some((offer) => offer.productId === dismissed),
    "the dismissed offer is not shown again",
  );
  await page.locator(`.suppressed-list li[data-product-id="${dismissed}"]`).waitFor();
  await page.locator(".toast", { hasText: "Спасибо, учтём" }).first().waitFor();
}

/** History: operations listed; a hand-added operation re-decides at once and pushes a notification. */
export async function historyFlow(web: WebSession): Promise<void> {
  const page = web.page;
  const [listing] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/operations?") && r.request().method() === "GET"),
    page.click('[data-nav="history"]'),
  ]);
  const { operations } = await listing.json() as { operations: { eventId: string }[] };
  assert.equal(operations.length, 20, "the latest 20 operations come first");
  await waitForCount(page, "#operations-table tbody tr", operations.length);

  const [added] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/operations?") && r.request().method() === "POST"),
    page.click('[data-preset="car_purchase"]'),
  ]);
  assert.equal(added.status(), 202);
  const result = await added.json() as { eventId: string; recommendations: Recommendations };
  const section = page.locator(`#history-updated [data-event-id="${result.eventId}"]`);
  await section.waitFor();
  assert.equal(await section.locator(".offer-card").count(), result.recommendations.offers.length);
  const shown = await section.locator(".offer-card").evaluateAll((cards) =>
    cards.map((card) => (card as Dom).dataset.productId as string)
  );
  assert.deepEqual(shown, result.recommendations.offers.map((offer) => offer.productId));
  // The seed's example: after a car purchase, insurance is a sure thing; the partner discount is what moves.
  const all = [
    ...result.recommendations.offers.map((o) => o.productId),
    ...result.recommendations.suppressed.map((s) => s.productId),
  ];
  assert.ok(all.includes("partner_auto_accessories") && all.includes("ins_auto"));
  await page.locator("#operations-table tbody tr td", { hasText: "Покупка автомобиля" }).first().waitFor();
  // The offer watch pushes the new primary offer over SSE.
  await page.locator(".toast[data-kind=notification]").first().waitFor({ timeout: 20_000 });
  await web.screenshot("03-history");

  await page.selectOption("#op-kind", "purchase");
  await page.fill("#op-amount", "");
  await page.click("#op-submit");
  assert.equal(await page.locator("#op-amount-error").innerText(), "Сумма от 1 до 10 000 000 ₽");
  assert.equal(await page.getAttribute("#op-amount", "aria-invalid"), "true");
  await page.selectOption("#op-kind", "salary");
  await page.fill("#op-amount", "150000");
  await Promise.all([
    page.waitForResponse((r) => r.url().includes("/operations?") && r.request().method() === "POST"),
    page.click("#op-submit"),
  ]);
  await page.locator("#operations-table tbody tr", { hasText: "150 000 ₽" }).first().waitFor();

  const [more] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/operations?limit=70") && r.request().method() === "GET"),
    page.click("#history-more"),
  ]);
  const longer = (await more.json() as { operations: unknown[] }).operations.length;
  assert.ok(longer > 20);
  await waitForCount(page, "#operations-table tbody tr", longer);

  await page.click('[data-nav="home"]');
  await page.locator("#notification-list li[data-notification-id]").first().waitFor();
  // After a reload the list comes from the stored inbox (JSON), not from the live stream.
  await page.reload();
  const stored = page.locator("#notification-list li[data-notification-id]").first();
  await stored.waitFor();
  assert.match(await stored.innerText(), /автоаксессуаров/);
}

/** Chat as a bank client: streamed text, offer cards, feedback. */
export async function chatFlow(web: WebSession): Promise<void> {
  const page = web.page;
  await page.click('[data-nav="chat"]');
  await page.locator("#chat-input").waitFor();
  await countAnswerMutations(page);
  await page.fill("#chat-input", "Я купил машину, что посоветуете?");
  await page.press("#chat-input", "Enter");
  const bubble = page.locator(".bubble.assistant[data-done=true]").last();
  await bubble.waitFor({ timeout: 20_000 });
  const text = await bubble.locator(".answer-text").innerText();
  assert.ok(text.length > 20, `the answer says something: ${text}`);
  assert.ok(
    await page.evaluate(() => (globalThis as Dom).answerChunks as number) >= 2,
    "the answer arrived in pieces",
  );
  assert.match(
    await bubble.locator(".answer-footer [data-source]").getAttribute("data-source") ?? "",
    /^(llm|template)$/,
  );
  assert.equal(await bubble.getAttribute("data-domain"), "bank");
  const cards = await waitForCount(page, ".bubble.assistant .chat-cards .offer-card", 1);
  assert.ok(cards >= 1);
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/v1/feedback") && r.status() === 202),
    bubble.locator('.offer-card [data-feedback="like"]').first().click(),
  ]);
  assert.equal(
    await bubble.locator('.offer-card [data-feedback="like"]').first().getAttribute("aria-pressed"),
    "true",
  );
  await web.screenshot("04-chat");
}

/** Cold start: the form validates, registers and shows offers for the new client at once. */
export async function coldStartFlow(web: WebSession): Promise<void> {
  const page = web.page;
  await page.click("#logout");
  await page.click('[data-nav="register"]');
  await page.locator("#register-products input[type=checkbox]").first().waitFor();
  await page.click("#register-submit");
  assert.equal(await page.locator('[data-error-for="age"]').innerText(), "Обязательное поле");
  assert.equal(await page.locator('[data-error-for="sexo"]').innerText(), "Обязательное поле");
  assert.equal(await page.evaluate(() => (globalThis as Dom).document.activeElement.name), "age");
  await page.fill("#register-age", "9");
  await page.click("#register-submit");
  assert.equal(await page.locator('[data-error-for="age"]').innerText(), "От 14 до 110");
  await page.fill("#register-displayName", "Анна Тестовая");
  await page.fill("#register-age", "34");
  await page.check('input[name=sexo][value="H"]');
  await page.fill("#register-renta", "52000");
  await page.selectOption("#register-segmento", "02 - PARTICULARES");
  await page.fill("#register-antiguedad", "12");
  await page.selectOption("#register-canal_entrada", "KHE");
  await page.selectOption("#register-location", "kzn");
  await page.check('input[name=products][value="ind_ecue_fin_ult1"]');
  await web.screenshot("05-register");
  const [created, first] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/v1/users") && r.request().method() === "POST"),
    page.waitForResponse(isRecommendations),
    page.click("#register-submit"),
  ]);
  assert.equal(created.status(), 201);
  const { userId } = await created.json() as { userId: string };
  await page.locator("#whoami", { hasText: userId }).waitFor();
  const body = await first.json() as Recommendations;
  assert.equal(body.userId, userId);
  assert.ok(
    body.eventsApplied >= 1,
    "the registration's profile reached the actor before the first decision",
  );
  assert.ok(body.offers.length >= 1, "the new client gets offers at once");
  await page.locator(".primary-offer .offer-card").waitFor();
  const owned = page.locator('.suppressed-list li[data-product-id="ind_ecue_fin_ult1"]');
  assert.equal(await owned.getAttribute("data-reason"), "owned");
  await web.screenshot("06-cold-start-home");
}

/** Chat as a retail shopper: catalog items with prices and feedback. */
export async function retailChatFlow(web: WebSession): Promise<void> {
  const page = web.page;
  await page.click("#logout");
  await loginAs(web, RETAIL_USER);
  await page.locator("a.button", { hasText: "Открыть чат" }).click();
  await page.fill("#chat-input", "Хочу что-нибудь на завтрак");
  await page.press("#chat-input", "Enter");
  const bubble = page.locator(".bubble.assistant[data-done=true]").last();
  await bubble.waitFor({ timeout: 20_000 });
  assert.equal(await bubble.getAttribute("data-domain"), "retail");
  assert.match(await page.locator("#chat-domain").innerText(), /Ритейл/);
  const items = await waitForCount(page, ".bubble.assistant .item-card", 1);
  assert.ok(items >= 1);
  assert.match(await bubble.locator(".item-card .item-meta").first().innerText(), /₽/);
  await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/v1/feedback") && r.status() === 202),
    bubble.locator('.item-card [data-feedback="not_interested"]').first().click(),
  ]);
  await web.screenshot("07-chat-retail");
}

async function countAnswerMutations(page: Page): Promise<void> {
  // Counts text pieces appended to an answer: a streamed answer arrives in more than one.
  await page.evaluate(() => {
    const dom = globalThis as Dom;
    dom.answerChunks = 0;
    new dom.MutationObserver((records: Dom[]) => {
      for (const record of records) {
        if (record.target.classList?.contains("answer-text")) dom.answerChunks += record.addedNodes.length;
      }
    }).observe(dom.document.getElementById("chat-log"), { childList: true, subtree: true });
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
