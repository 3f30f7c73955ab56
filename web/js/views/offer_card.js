/**
 * Cards shared by the home page, the history page, the chat and the
 * strategy comparison: a bank offer (explanation, its source, reasons, the
 * uplift figures, disclosures) and a retail item, each with feedback buttons.
 *
 * @module
 */

import { api } from "../api.js";
import { h, money, number, percent, points } from "../dom.js";
import { label, lang, t } from "../i18n.js";
import { toast } from "../toast.js";

/**
 * Like / dislike / not interested buttons that post `/v1/feedback`.
 *
 * @param {{productId?: string, itemId?: string}} target
 * @param {(kind: string) => void} [onSent]
 * @returns {HTMLElement}
 */
export function feedbackButtons(target, onSent) {
  const group = h("div", { class: "feedback", role: "group", "aria-label": t("feedback.label") });
  for (const kind of ["like", "dislike", "not_interested"]) {
    const button = h(
      "button",
      { type: "button", class: "button small", "aria-pressed": "false", data: { feedback: kind } },
      t(`feedback.${kind}`),
    );
    button.addEventListener("click", async () => {
      button.disabled = true;
      try {
        await api("/v1/feedback", { body: { ...target, kind } });
        for (const other of group.querySelectorAll("button")) other.setAttribute("aria-pressed", "false");
        button.setAttribute("aria-pressed", "true");
        toast(t("feedback.saved"));
        onSent?.(kind);
      } catch (error) {
        toast(t("feedback.failed", { reason: error.message }), { kind: "error" });
      } finally {
        button.disabled = false;
      }
    });
    group.appendChild(button);
  }
  return group;
}

/**
 * One bank offer.
 *
 * @param {any} offer
 * @param {{compact?: boolean, onFeedback?: (kind: string, productId: string) => void}} [options]
 * @returns {HTMLElement}
 */
export function offerCard(offer, options = {}) {
  const language = lang();
  const titleId = `offer-${offer.productId}-${Math.random().toString(36).slice(2, 8)}`;
  const source = offer.explanationSource === "llm" ? "llm" : "template";
  const range = (value) =>
    value
      ? t("offer.range", { min: number(value.min, language, 1), max: number(value.max, language, 1) })
      : null;
  const fullCost = range(offer.disclosures?.fullCostRange);
  const rate = range(offer.disclosures?.rateRange);
  return h(
    "article",
    {
      class: `offer-card ${offer.role === "primary" ? "primary" : "alternative"}${
        options.compact ? " compact" : ""
      }`,
      "aria-labelledby": titleId,
      data: { productId: offer.productId, role: offer.role ?? "alternative" },
    },
    h(
      "div",
      { class: "offer-head" },
      h("span", { class: "offer-role" }, t(offer.role === "primary" ? "offer.primary" : "offer.alternative")),
      h("span", { class: "badge" }, label("family", offer.family)),
      offer.partner && offer.family !== "partner"
        ? h("span", { class: "badge partner" }, t("offer.partner"))
        : null,
    ),
    h("h3", { id: titleId, class: "offer-name" }, offer.name),
    h("p", { class: "explanation" }, offer.explanation),
    h(
      "p",
      { class: "source" },
      h("span", { class: `badge source-${source}`, data: { source } }, t(`source.${source}`)),
    ),
    fullCost || rate
      ? h(
        "p",
        { class: "disclosure" },
        fullCost ? `${t("offer.fullCost")}: ${fullCost}` : null,
        fullCost && rate ? " · " : null,
        rate ? `${t("offer.rate")}: ${rate}` : null,
      )
      : null,
    offer.reasons?.length
      ? h(
        "ul",
        { class: "reasons", "aria-label": t("offer.reasons") },
        offer.reasons.map((reason) => h("li", { data: { code: reason.code } }, reason.text)),
      )
      : null,
    options.compact ? null : upliftFigures(offer, language),
    feedbackButtons({ productId: offer.productId }, (kind) => options.onFeedback?.(kind, offer.productId)),
  );
}

/**
 * @param {any} offer
 * @param {string} language
 */
function upliftFigures(offer, language) {
  const row = (key, value) =>
    h(
      "div",
      { class: "figure" },
      h("dt", {}, t(key)),
      h(
        "dd",
        {},
        percent(value, language),
        " ",
        h("meter", { min: 0, max: 1, value, "aria-hidden": "true" }),
      ),
    );
  return h(
    "dl",
    { class: "figures" },
    row("offer.pTreated", offer.pTreated),
    row("offer.pControl", offer.pControl),
    h(
      "div",
      { class: "figure" },
      h("dt", {}, t("offer.uplift")),
      h(
        "dd",
        { class: offer.uplift >= 0 ? "positive" : "negative" },
        points(offer.uplift, t("unit.pp"), language),
      ),
    ),
  );
}

/**
 * One retail catalog item.
 *
 * @param {{id: string, name: string, price: number, brand?: string, category?: string, tags?: string[],
 *   available?: boolean}} item
 * @returns {HTMLElement}
 */
export function itemCard(item) {
  return h(
    "article",
    { class: "item-card", data: { itemId: item.id } },
    h("h3", { class: "offer-name" }, item.name),
    h(
      "p",
      { class: "item-meta" },
      h("strong", {}, money(item.price, lang())),
      item.brand ? ` · ${item.brand}` : null,
      item.category ? ` · ${label("retailCategory", item.category)}` : null,
    ),
    item.available === false ? h("p", { class: "badge reason" }, t("item.unavailable")) : null,
    item.tags?.length
      ? h("p", { class: "tags" }, item.tags.map((tag) => h("span", { class: "tag" }, label("tag", tag))))
      : null,
    feedbackButtons({ itemId: item.id }),
  );
}
