/**
 * The chat: the answer streams in as it is written (SSE `delta`), then the
 * offers (bank) or catalog items (retail) it is grounded in appear as cards
 * with feedback buttons. The footer names the answer's source and latency.
 *
 * @module
 */

import { stream } from "../api.js";
import { h, number, replace } from "../dom.js";
import { lang, t } from "../i18n.js";
import { session } from "../session.js";
import { itemCard, offerCard } from "./offer_card.js";

/** The conversation survives switching views and languages within the tab. */
const conversations = new Map();

/**
 * @param {HTMLElement} main
 * @returns {() => void}
 */
export function renderChat(main) {
  const user = session();
  const conversation = conversations.get(user.userId) ?? { sessionId: null, domain: user.kind, turns: [] };
  conversations.set(user.userId, conversation);
  const controller = new AbortController();
  const log = h("ol", {
    class: "chat-log",
    id: "chat-log",
    "aria-live": "polite",
    "aria-label": t("chat.log"),
  });
  const input = h("textarea", {
    id: "chat-input",
    name: "message",
    rows: 2,
    maxlength: 2000,
    required: true,
    placeholder: t(user.kind === "bank" ? "chat.placeholderBank" : "chat.placeholderRetail"),
  });
  const send = h("button", { type: "submit", class: "button primary", id: "chat-send" }, t("chat.send"));
  const domain = h("p", { class: "muted small", id: "chat-domain" });
  const showDomain = () =>
    domain.textContent = t("chat.domain", { domain: t(`kind.${conversation.domain}`) });
  showDomain();

  const ask = async (message) => {
    const bubble = h("div", { class: "bubble assistant", "aria-busy": "true" });
    const text = h("p", { class: "answer-text" });
    const cards = h("div", { class: "chat-cards" });
    const footer = h("p", { class: "muted small answer-footer" });
    bubble.append(text, cards, footer);
    log.append(
      h("li", { class: "turn user" }, h("div", { class: "bubble user" }, message)),
      h("li", { class: "turn assistant" }, bubble),
    );
    bubble.scrollIntoView({ block: "nearest" });
    send.disabled = true;
    try {
      await stream("/v1/chat", {
        body: {
          message,
          lang: lang(),
          ...(conversation.sessionId ? { sessionId: conversation.sessionId } : {}),
        },
        signal: controller.signal,
        onEvent: (name, data) => {
          if (name === "meta") {
            conversation.sessionId = data.sessionId ?? conversation.sessionId;
            conversation.domain = data.domain ?? conversation.domain;
            bubble.dataset.domain = conversation.domain;
            showDomain();
          } else if (name === "delta") {
            text.append(String(data.text ?? ""));
          } else if (name === "offers") {
            replace(
              cards,
              (data.offers ?? []).map((offer) => offerCard(offer, { compact: true })),
              (data.items ?? []).map(itemCard),
            );
          } else if (name === "done") {
            const source = data.source === "llm" ? "llm" : "template";
            bubble.dataset.source = source;
            replace(
              footer,
              h("span", { class: `badge source-${source}`, data: { source } }, t(`source.${source}`)),
              " ",
              data.latency?.totalMs !== undefined
                ? t("chat.latency", { ms: number(data.latency.totalMs, lang(), 0) })
                : "",
            );
          } else if (name === "error") {
            footer.append(
              h("span", { class: "error", role: "alert" }, t("chat.error", { reason: data.reason ?? "" })),
            );
          }
        },
      });
    } catch (error) {
      if (error?.name !== "AbortError") {
        footer.append(
          h("span", { class: "error", role: "alert" }, t("chat.error", { reason: error.message })),
        );
      }
    } finally {
      bubble.setAttribute("aria-busy", "false");
      bubble.dataset.done = "true";
      send.disabled = false;
      conversation.turns.push(bubble.closest("li")?.previousSibling, bubble.closest("li"));
    }
  };
  const form = h(
    "form",
    { class: "chat-form", id: "chat-form" },
    h("label", { for: "chat-input", class: "visually-hidden" }, t("chat.label")),
    input,
    send,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const message = input.value.trim();
    if (!message || send.disabled) return;
    input.value = "";
    ask(message);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  const suggestions = h(
    "div",
    { class: "presets", role: "group", "aria-label": t("chat.suggestions") },
    [1, 2, 3].map((n) => {
      const prompt = t(`chat.suggest.${user.kind}.${n}`);
      return h("button", {
        type: "button",
        class: "button small",
        on: { click: () => send.disabled || ask(prompt) },
      }, prompt);
    }),
  );
  for (const turn of conversation.turns) if (turn) log.append(turn);
  replace(
    main,
    h(
      "section",
      { class: "panel chat", "aria-labelledby": "chat-title" },
      h("h1", { id: "chat-title" }, t("chat.title")),
      domain,
      suggestions,
      log,
      form,
    ),
  );
  return () => controller.abort();
}
