/**
 * A decision as the client sees it: the primary offer, its alternatives and
 * the "why not X" list of suppressed products with their reasons.
 *
 * @module
 */

import { h, number } from "../dom.js";
import { label, lang, t } from "../i18n.js";
import { offerCard } from "./offer_card.js";

/**
 * Renders `GET /v1/users/:id/recommendations` (or the recommendations an
 * operation returned).
 *
 * @param {any} body
 * @param {{onFeedback?: (kind: string, productId: string) => void, idPrefix?: string}} [options]
 * @returns {HTMLElement}
 */
export function recommendationsView(body, options = {}) {
  const prefix = options.idPrefix ?? "recs";
  const offers = body.offers ?? [];
  const primary = offers.find((offer) => offer.role === "primary") ?? offers[0];
  const alternatives = offers.filter((offer) => offer !== primary);
  const suppressed = body.suppressed ?? [];
  return h(
    "div",
    { class: "recommendations", data: { strategy: body.strategy ?? "uplift" } },
    h(
      "section",
      { class: "primary-offer", "aria-labelledby": `${prefix}-primary` },
      h("h2", { id: `${prefix}-primary` }, t("home.primary")),
      primary
        ? offerCard({ ...primary, role: "primary" }, options)
        : h("p", { class: "empty", data: { empty: "offers" } }, t("home.noOffers")),
    ),
    alternatives.length
      ? h(
        "section",
        { class: "alternatives", "aria-labelledby": `${prefix}-alternatives` },
        h("h2", { id: `${prefix}-alternatives` }, t("home.alternatives")),
        h("div", { class: "card-grid" }, alternatives.map((offer) => offerCard(offer, options))),
      )
      : null,
    whyNot(suppressed, prefix),
    h(
      "p",
      { class: "muted small" },
      t("home.meta", {
        events: body.eventsApplied ?? 0,
        latency: number(body.latencyMs ?? 0, lang(), 1),
        strategy: label("strategy", body.strategy ?? "uplift"),
      }),
    ),
  );
}

/**
 * @param {{productId: string, name: string, reason: string, detail?: string}[]} suppressed
 * @param {string} prefix
 */
function whyNot(suppressed, prefix) {
  return h(
    "section",
    { class: "why-not", "aria-labelledby": `${prefix}-why-not` },
    h("h2", { id: `${prefix}-why-not` }, t("home.whyNot", { count: suppressed.length })),
    h("p", { class: "hint" }, t("home.whyNotHint")),
    suppressed.length
      ? h(
        "ul",
        { class: "suppressed-list" },
        suppressed.map((item) =>
          h(
            "li",
            { data: { productId: item.productId, reason: item.reason } },
            h(
              "details",
              {},
              h(
                "summary",
                {},
                t("home.whyNotItem", { name: item.name }),
                " ",
                h("span", { class: `badge reason reason-${item.reason}` }, label("reason", item.reason)),
              ),
              h("p", {}, item.detail || label("reason", item.reason)),
            ),
          )
        ),
      )
      : h("p", { class: "empty" }, t("home.nothingSuppressed")),
  );
}
