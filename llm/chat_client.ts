/**
 * A minimal chat-completions client over `npm:openai`, configured by
 * {@linkcode LlmSettings} (YandexGPT, GigaChat, Qwen on vLLM or Ollama, any
 * OpenAI-compatible endpoint), with a hard latency budget.
 *
 * @module
 */

import OpenAI from "openai";
import type { LlmSettings } from "./settings.ts";

/** One chat message. */
export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
}

/** Sends chat completions to the configured endpoint. */
export class ChatClient {
  #client: OpenAI;
  #model: string;

  constructor(settings: LlmSettings) {
    this.#client = new OpenAI({
      baseURL: settings.baseUrl,
      // Authentication goes in the provider-specific header; the SDK wants some key.
      apiKey: "unused",
      defaultHeaders: settings.headers,
      maxRetries: 1,
    });
    this.#model = settings.model;
  }

  /** The completion text, or a rejection after `timeoutMs`. */
  async complete(
    messages: ChatMessage[],
    options: { timeoutMs?: number; temperature?: number } = {},
  ): Promise<string> {
    const response = await this.#client.chat.completions.create(
      { model: this.#model, messages, temperature: options.temperature ?? 0.2 },
      { timeout: options.timeoutMs ?? 15_000 },
    );
    return response.choices[0]?.message?.content ?? "";
  }
}
