/**
 * LLM endpoint settings from configuration. Every supported provider speaks
 * the OpenAI chat-completions protocol; they differ in how they authenticate
 * and name models. The client itself (npm:openai) comes with explanations
 * and chat.
 *
 * @module
 */

/** Providers the engine knows how to authenticate against. */
export const LLM_PROVIDERS = ["yandexgpt", "gigachat", "openai-compatible"] as const;
/** One of {@linkcode LLM_PROVIDERS}. */
export type LlmProvider = typeof LLM_PROVIDERS[number];

/** Resolved settings for an OpenAI-compatible client. */
export interface LlmSettings {
  provider: LlmProvider;
  baseUrl: string;
  model: string;
  /** Headers to send with every request (authentication). */
  headers: Record<string, string>;
}

/** The outcome of resolving settings: none configured, usable, or a reason why not. */
export type LlmSettingsResult =
  | { ok: true; settings: LlmSettings | null }
  | { ok: false; reason: string };

/**
 * Resolves settings from `LLM_BASE_URL`, `LLM_API_KEY` and `LLM_MODEL`.
 *
 * - YandexGPT (`*.yandex.net` or a `gpt://<folder>/…` model) uses `Authorization: Api-Key <key>` and needs the
 *   folder in the model URI;
 * - GigaChat (`*.sberbank.ru` / `gigachat` hosts) uses a bearer access token;
 * - anything else (vLLM, Ollama, OpenAI) uses a bearer key when one is given.
 */
export function resolveLlmSettings(
  config: { baseUrl: string | null; apiKey: string | null; model: string | null },
): LlmSettingsResult {
  if (config.baseUrl === null) return { ok: true, settings: null };
  let url: URL;
  try {
    url = new URL(config.baseUrl);
  } catch {
    return { ok: false, reason: "LLM_BASE_URL is not a URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    return { ok: false, reason: "LLM_BASE_URL must be http or https" };
  }
  if (!config.model) return { ok: false, reason: "LLM_MODEL is required when LLM_BASE_URL is set" };
  const baseUrl = url.toString().replace(/\/+$/, "");
  const host = url.hostname.toLowerCase();
  if (host.endsWith("yandex.net") || config.model.startsWith("gpt://")) {
    if (!config.apiKey) return { ok: false, reason: "YandexGPT needs LLM_API_KEY (an API key)" };
    if (!/^gpt:\/\/[^/]+\/[^/]+/.test(config.model)) {
      return { ok: false, reason: "YandexGPT models look like gpt://<folder-id>/yandexgpt/latest" };
    }
    return {
      ok: true,
      settings: {
        provider: "yandexgpt",
        baseUrl,
        model: config.model,
        headers: { Authorization: `Api-Key ${config.apiKey}` },
      },
    };
  }
  if (host.includes("gigachat") || host.endsWith("sberbank.ru")) {
    if (!config.apiKey) return { ok: false, reason: "GigaChat needs LLM_API_KEY (an access token)" };
    return {
      ok: true,
      settings: {
        provider: "gigachat",
        baseUrl,
        model: config.model,
        headers: { Authorization: `Bearer ${config.apiKey}` },
      },
    };
  }
  return {
    ok: true,
    settings: {
      provider: "openai-compatible",
      baseUrl,
      model: config.model,
      headers: config.apiKey ? { Authorization: `Bearer ${config.apiKey}` } : {},
    },
  };
}
