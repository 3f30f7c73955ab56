import assert from "node:assert/strict";
import { resolveLlmSettings } from "./settings.ts";

Deno.test("resolveLlmSettings leaves the LLM off when no base URL is set", () => {
  assert.deepEqual(resolveLlmSettings({ baseUrl: null, apiKey: null, model: null }), {
    ok: true,
    settings: null,
  });
});

Deno.test("resolveLlmSettings authenticates YandexGPT with Api-Key and checks the model URI", () => {
  const result = resolveLlmSettings({
    baseUrl: "https://llm.api.cloud.yandex.net/v1/",
    apiKey: "secret",
    model: "gpt://b1gfolder/yandexgpt/latest",
  });
  assert.ok(result.ok && result.settings);
  assert.equal(result.settings.provider, "yandexgpt");
  assert.equal(result.settings.baseUrl, "https://llm.api.cloud.yandex.net/v1");
  assert.deepEqual(result.settings.headers, { Authorization: "Api-Key secret" });
  const wrongModel = resolveLlmSettings({
    baseUrl: "https://llm.api.cloud.yandex.net/v1",
    apiKey: "k",
    model: "yandexgpt",
  });
  assert.equal(wrongModel.ok, false);
});

Deno.test("resolveLlmSettings handles GigaChat, Ollama and bad input", () => {
  const giga = resolveLlmSettings({
    baseUrl: "https://gigachat.devices.sberbank.ru/api/v1",
    apiKey: "tok",
    model: "GigaChat",
  });
  assert.ok(giga.ok && giga.settings?.provider === "gigachat");
  const ollama = resolveLlmSettings({ baseUrl: "http://ollama:11434/v1", apiKey: null, model: "qwen2.5:7b" });
  assert.ok(ollama.ok && ollama.settings?.provider === "openai-compatible");
  assert.deepEqual(ollama.ok && ollama.settings?.headers, {});
  assert.deepEqual(resolveLlmSettings({ baseUrl: "ftp://x", apiKey: null, model: "m" }), {
    ok: false,
    reason: "LLM_BASE_URL must be http or https",
  });
  assert.equal(resolveLlmSettings({ baseUrl: "not a url", apiKey: null, model: "m" }).ok, false);
  assert.equal(resolveLlmSettings({ baseUrl: "http://x/v1", apiKey: null, model: null }).ok, false);
});
