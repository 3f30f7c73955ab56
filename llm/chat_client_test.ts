import assert from "node:assert/strict";
import { ChatClient, type ChatMessage, LlmError, type StreamOptions } from "./chat_client.ts";
import { CircuitBreaker } from "./circuit_breaker.ts";
import { fakeBehaviours, startFakeOpenAi } from "./_fake_openai_server.ts";
import { resolveLlmSettings } from "./settings.ts";

const MESSAGES: ChatMessage[] = [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }];
const BUDGET: StreamOptions = { firstTokenBudgetMs: 2_000, totalBudgetMs: 5_000 };

function clientFor(baseUrl: string, options: ConstructorParameters<typeof ChatClient>[1] = {}): ChatClient {
  const settings = resolveLlmSettings({ baseUrl, apiKey: "k-1", model: "qwen2.5" });
  assert.ok(settings.ok && settings.settings);
  return new ChatClient(settings.settings, { backoffBaseMs: 5, ...options });
}

async function collect(stream: AsyncIterable<string>): Promise<string> {
  let text = "";
  for await (const delta of stream) text += delta;
  return text;
}

async function failure(stream: AsyncIterable<string>): Promise<LlmError> {
  try {
    await collect(stream);
  } catch (error) {
    assert.ok(error instanceof LlmError, `expected an LlmError, got ${error}`);
    return error;
  }
  assert.fail("the stream did not fail");
}

Deno.test("ChatClient streams text deltas through npm:openai with the provider's auth header", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.answer("Первое предложение. Второе предложение."));
  const client = clientFor(server.baseUrl);
  const deltas: string[] = [];
  for await (const delta of client.stream(MESSAGES, BUDGET)) deltas.push(delta);
  assert.equal(deltas.join(""), "Первое предложение. Второе предложение.");
  assert.ok(deltas.length > 1, "the answer arrives in several deltas");
  assert.equal(server.requests.length, 1);
  assert.equal(server.requests[0].body.stream, true);
  assert.equal(server.requests[0].headers.get("authorization"), "Bearer k-1");
  const metrics = client.metrics.snapshot();
  assert.equal(metrics.calls, 1);
  assert.equal(metrics.failures, 0);
  assert.equal(metrics.firstTokenCount, 1);
});

Deno.test("ChatClient.complete answers a non-streaming request", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.answer("Готово."));
  assert.equal(await clientFor(server.baseUrl).complete(MESSAGES), "Готово.");
  assert.equal(server.requests[0].body.stream, undefined);
});

Deno.test("ChatClient retries 429 and 5xx before the first byte, then succeeds", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.answer("Ок."));
  server.script(fakeBehaviours.status(429), fakeBehaviours.status(503));
  const client = clientFor(server.baseUrl);
  assert.equal(await collect(client.stream(MESSAGES, BUDGET)), "Ок.");
  assert.equal(server.requests.length, 3);
  assert.equal(client.metrics.snapshot().retries, 2);
  assert.equal(client.breaker.consecutiveFailures, 0);
});

Deno.test("ChatClient gives up after its retries and reports the HTTP failure", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.status(500));
  const client = clientFor(server.baseUrl, { maxRetries: 1 });
  const error = await failure(client.stream(MESSAGES, BUDGET));
  assert.equal(error.reason, "server_error");
  assert.equal(error.status, 500);
  assert.equal(server.requests.length, 2);
  assert.deepEqual(client.metrics.snapshot().failuresByReason, { server_error: 1 });
});

Deno.test("ChatClient does not retry a 400", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.status(400));
  const error = await failure(clientFor(server.baseUrl).stream(MESSAGES, BUDGET));
  assert.equal(error.reason, "http_error");
  assert.equal(server.requests.length, 1);
});

Deno.test("ChatClient ends a call with no first token within the budget", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.slowFirstToken(10_000, "Поздно."));
  const started = performance.now();
  const error = await failure(
    clientFor(server.baseUrl).stream(MESSAGES, { ...BUDGET, firstTokenBudgetMs: 200 }),
  );
  assert.equal(error.reason, "first_token_timeout");
  assert.ok(performance.now() - started < 200 + 500, "the budget bounds the wait");
});

Deno.test("ChatClient ends a stream that stalls after the first text", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.stall("Начало ответа. А потом тишина.", 15));
  const deltas: string[] = [];
  try {
    for await (const delta of clientFor(server.baseUrl).stream(MESSAGES, { ...BUDGET, stallMs: 200 })) {
      deltas.push(delta);
    }
    assert.fail("the stream did not fail");
  } catch (error) {
    assert.ok(error instanceof LlmError);
    assert.equal(error.reason, "stall");
  }
  assert.ok(deltas.join("").startsWith("Начало"));
});

Deno.test("ChatClient reports non-JSON chunks as garbage", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.garbage());
  assert.equal((await failure(clientFor(server.baseUrl).stream(MESSAGES, BUDGET))).reason, "garbage");
});

Deno.test("ChatClient reports a refused connection as a connect error", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = listener.addr.port;
  listener.close();
  const client = clientFor(`http://127.0.0.1:${port}/v1`, { maxRetries: 0 });
  assert.equal((await failure(client.stream(MESSAGES, BUDGET))).reason, "connect_error");
});

Deno.test("ChatClient stops at once when the caller aborts", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.slowFirstToken(10_000));
  const client = clientFor(server.baseUrl);
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  const error = await failure(client.stream(MESSAGES, { ...BUDGET, signal: controller.signal }));
  assert.equal(error.reason, "aborted");
  assert.equal(client.breaker.consecutiveFailures, 0, "a cancelled call is not the endpoint's failure");
});

Deno.test("ChatClient fails fast without a request once its breaker is open", async () => {
  await using server = startFakeOpenAi(fakeBehaviours.status(500));
  let nowMs = 0;
  const breaker = new CircuitBreaker({ failureThreshold: 2, coolDownMs: 1_000, now: () => nowMs });
  const client = clientFor(server.baseUrl, { breaker, maxRetries: 0 });
  await failure(client.stream(MESSAGES, BUDGET));
  await failure(client.stream(MESSAGES, BUDGET));
  assert.equal(breaker.state, "open");
  assert.equal(client.available, false);
  assert.equal((await failure(client.stream(MESSAGES, BUDGET))).reason, "circuit_open");
  assert.equal(server.requests.length, 2, "an open breaker sends nothing");
  nowMs = 1_000;
  server.script(fakeBehaviours.answer("Снова работаю."));
  assert.equal(await collect(client.stream(MESSAGES, BUDGET)), "Снова работаю.");
  assert.equal(breaker.state, "closed");
});
