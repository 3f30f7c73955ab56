import assert from "node:assert/strict";
import { ChatClient } from "../../llm/chat_client.ts";
import { resolveLlmSettings } from "../../llm/settings.ts";
import { FEATURE_COUNT, FEATURE_NAMES } from "../features.ts";
import { llmPrompt, llmScores, parseRanking } from "./llm.ts";

const OFFERS = ["ins_auto", "partner_auto_accessories", "ind_tjcr_fin_ult1"];

Deno.test("parseRanking keeps only listed offer codes, in order, once", () => {
  const scores = parseRanking(
    "1. partner_auto_accessories\n2. gold_bars_ult1\n3. ins_auto\nins_auto",
    OFFERS,
  );
  assert.deepEqual([...scores], [["partner_auto_accessories", 3], ["ins_auto", 2]]);
  assert.equal(parseRanking("I cannot help with that.", OFFERS).size, 0);
});

Deno.test("llmPrompt carries derived features only, never identifiers", () => {
  const features = new Float32Array(FEATURE_COUNT);
  features[FEATURE_NAMES.indexOf("age")] = 33;
  features[FEATURE_NAMES.indexOf("life_car_purchase_recent")] = 1;
  const prompt = llmPrompt(features, 2, OFFERS);
  assert.match(prompt, /age=33\.00/);
  assert.match(prompt, /life_car_purchase_recent/);
  assert.match(prompt, /partner_auto_accessories: 15% off/);
  assert.doesNotMatch(prompt, /b-\d{6}/);
});

// No LLM is reachable from this machine: a fake OpenAI-compatible server stands in for one.
Deno.test("llmScores talks to an OpenAI-compatible endpoint through npm:openai", async () => {
  let seenAuth = "";
  let seenPrompt = "";
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    seenAuth = request.headers.get("authorization") ?? "";
    const body = await request.json();
    seenPrompt = body.messages.at(-1).content;
    return Response.json({
      id: "c1",
      object: "chat.completion",
      created: 0,
      model: body.model,
      choices: [{
        index: 0,
        finish_reason: "stop",
        message: { role: "assistant", content: "partner_auto_accessories\nmade_up_offer\nind_tjcr_fin_ult1" },
      }],
    });
  });
  try {
    const settings = resolveLlmSettings({
      baseUrl: `http://127.0.0.1:${server.addr.port}/v1`,
      apiKey: "k-123",
      model: "qwen2.5",
    });
    assert.ok(settings.ok && settings.settings);
    const scores = await llmScores(
      new ChatClient(settings.settings),
      new Float32Array(FEATURE_COUNT),
      0,
      OFFERS,
    );
    assert.deepEqual([...scores.keys()], ["partner_auto_accessories", "ind_tjcr_fin_ult1"]);
    assert.equal(seenAuth, "Bearer k-123");
    assert.match(seenPrompt, /Rank the offers/);
  } finally {
    await server.shutdown();
  }
});
