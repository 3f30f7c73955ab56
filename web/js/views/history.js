/**
 * «История»: the client's operations, and a form to add one by hand (a
 * purchase, a salary, a transfer or a life event such as buying a car).
 * The engine applies it to the actor and decides again; the new offers show
 * at once, next to what was offered before.
 *
 * @module
 */

import { api } from "../api.js";
import { dateTime, h, money, replace } from "../dom.js";
import { codes, label, lang, t } from "../i18n.js";
import { session, strategyFor } from "../session.js";
import { recommendationsView } from "./recommendations.js";

/** Quick operations a tester reaches for most. */
const PRESETS = [
  { key: "history.presetCar", body: { kind: "life_event", lifeEvent: "car_purchase" } },
  { key: "history.presetSalary", body: { kind: "salary", amount: 150_000 } },
  { key: "history.presetChild", body: { kind: "life_event", lifeEvent: "child" } },
];

/**
 * @param {HTMLElement} main
 * @returns {() => void}
 */
export function renderHistory(main) {
  const user = session();
  const base = `/v1/users/${encodeURIComponent(user.userId)}`;
  const controller = new AbortController();
  const table = h(
    "div",
    { id: "operations", "aria-live": "polite" },
    h("p", { class: "muted" }, t("common.loading")),
  );
  const updated = h("div", { id: "history-updated", "aria-live": "polite" });
  const status = h("p", { role: "status", id: "history-status", class: "muted" });
  const query = () => `lang=${lang()}&strategy=${strategyFor(user.userId)}`;

  let limit = 20;
  const loadOperations = async () => {
    try {
      const body = await api(`${base}/operations?limit=${limit}&lang=${lang()}`, {
        signal: controller.signal,
      });
      const operations = body.operations ?? [];
      const more = operations.length === limit && limit < 500
        ? h("button", {
          type: "button",
          class: "button",
          id: "history-more",
          on: {
            click: () => {
              limit = Math.min(500, limit + 50);
              loadOperations();
            },
          },
        }, t("history.more"))
        : null;
      replace(table, operationsTable(operations), more);
    } catch (error) {
      if (error?.name !== "AbortError") {
        replace(table, h("p", { class: "error", role: "alert" }, error.message));
      }
    }
  };
  const submit = async (body) => {
    status.textContent = t("history.sending");
    try {
      const before = await api(
        `${base}/recommendations?k=3&record=0&${query()}`,
        {
          signal: controller.signal,
        },
      ).catch(() => null);
      const result = await api(`${base}/operations?k=3&${query()}`, { body, signal: controller.signal });
      status.textContent = t("history.applied");
      const previous = before?.offers?.find((offer) => offer.role === "primary") ?? before?.offers?.[0];
      const next = result.recommendations?.offers?.find((offer) => offer.role === "primary") ??
        result.recommendations?.offers?.[0];
      replace(
        updated,
        h(
          "section",
          {
            class: "panel updated",
            "aria-labelledby": "history-updated-title",
            data: { eventId: result.eventId },
          },
          h("h2", { id: "history-updated-title" }, t("history.updatedTitle")),
          h(
            "p",
            { class: "change", id: "history-change" },
            previous?.productId === next?.productId
              ? t("history.samePrimary", { name: next?.name ?? "—" })
              : t("history.newPrimary", { before: previous?.name ?? "—", after: next?.name ?? "—" }),
          ),
          result.recommendations
            ? recommendationsView(result.recommendations, { idPrefix: "history-recs" })
            : null,
        ),
      );
      await loadOperations();
    } catch (error) {
      if (error?.name !== "AbortError") status.textContent = t("history.failed", { reason: error.message });
    }
  };

  replace(
    main,
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, t("history.title")),
      h("p", { class: "lead" }, t("history.lead")),
    ),
    h(
      "div",
      { class: "history-layout" },
      h(
        "section",
        { class: "panel", "aria-labelledby": "history-add-title" },
        h("h2", { id: "history-add-title" }, t("history.add")),
        h(
          "div",
          { class: "presets", role: "group", "aria-label": t("history.presets") },
          PRESETS.map((preset) =>
            h("button", {
              type: "button",
              class: "button",
              data: { preset: preset.body.lifeEvent ?? preset.body.kind },
              on: { click: () => submit(preset.body) },
            }, t(preset.key))
          ),
        ),
        operationForm(submit),
        status,
      ),
      h(
        "section",
        { class: "panel", "aria-labelledby": "history-list-title" },
        h("h2", { id: "history-list-title" }, t("history.list")),
        table,
      ),
    ),
    updated,
  );
  loadOperations();
  return () => controller.abort();
}

/**
 * @param {(body: Record<string, unknown>) => Promise<void>} submit
 */
function operationForm(submit) {
  const kind = h(
    "select",
    { id: "op-kind", name: "kind" },
    codes("operationKind").map((code) => h("option", { value: code }, label("operationKind", code))),
  );
  const category = h(
    "select",
    { id: "op-category", name: "category" },
    codes("category").map((code) => h("option", { value: code }, label("category", code))),
  );
  const lifeEvent = h(
    "select",
    { id: "op-life-event", name: "lifeEvent" },
    codes("lifeEvent").map((code) => h("option", { value: code }, label("lifeEvent", code))),
  );
  const amount = h("input", {
    id: "op-amount",
    name: "amount",
    type: "number",
    min: 1,
    max: 10_000_000,
    step: "any",
    inputmode: "decimal",
    "aria-describedby": "op-amount-error",
  });
  const amountError = h("p", { class: "field-error", id: "op-amount-error" });
  const wrap = (id, key, control, extra) =>
    h(
      "div",
      { class: "field", data: { field: control.name } },
      h("label", { for: id }, t(key)),
      control,
      extra,
    );
  const categoryField = wrap("op-category", "history.category", category);
  const lifeField = wrap("op-life-event", "history.lifeEvent", lifeEvent);
  const amountField = wrap("op-amount", "history.amount", amount, amountError);
  const sync = () => {
    categoryField.hidden = kind.value !== "purchase";
    lifeField.hidden = kind.value !== "life_event";
    amountField.hidden = kind.value === "life_event";
  };
  kind.addEventListener("change", sync);
  sync();
  const form = h(
    "form",
    { id: "operation-form", novalidate: true },
    wrap("op-kind", "history.kind", kind),
    categoryField,
    lifeField,
    amountField,
    h("button", { type: "submit", class: "button primary", id: "op-submit" }, t("history.submit")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    amountError.textContent = "";
    amount.setAttribute("aria-invalid", "false");
    const body = { kind: kind.value };
    if (kind.value === "life_event") body.lifeEvent = lifeEvent.value;
    else {
      const value = Number(amount.value);
      if (!amount.value || !Number.isFinite(value) || value <= 0 || value > 10_000_000) {
        amountError.textContent = t("history.amountInvalid");
        amount.setAttribute("aria-invalid", "true");
        amount.focus();
        return;
      }
      body.amount = value;
      if (kind.value === "purchase") body.category = category.value;
    }
    submit(body);
  });
  return form;
}

/**
 * A category code of the history (spending, salary, a life event, a product) as a label.
 *
 * @param {string | null | undefined} code
 */
function categoryLabel(code) {
  if (!code) return "—";
  for (const group of ["category", "lifeEvent", "operationKind"]) {
    const text = label(group, code);
    if (text !== code) return text;
  }
  return code.startsWith("ind_") ? t("history.product") : code;
}

/**
 * @param {{eventId: string, ts: string, type: string, category?: string, amount?: number, description?: string}[]} operations
 */
function operationsTable(operations) {
  if (!operations.length) return h("p", { class: "empty" }, t("history.empty"));
  return h(
    "div",
    { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("history.list") },
    h(
      "table",
      { class: "table", id: "operations-table" },
      h("caption", { class: "visually-hidden" }, t("history.list")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          ["history.when", "history.description", "history.category", "history.amount"].map((
            key,
          ) => h("th", { scope: "col", class: key === "history.category" ? "optional" : null }, t(key))),
        ),
      ),
      h(
        "tbody",
        {},
        operations.map((operation) =>
          h(
            "tr",
            { data: { eventId: operation.eventId, type: operation.type } },
            h("td", { class: "nowrap" }, dateTime(operation.ts, lang(), "short")),
            h("td", {}, operation.description ?? ""),
            h("td", { class: "optional" }, categoryLabel(operation.category)),
            h(
              "td",
              { class: "number" },
              typeof operation.amount === "number" ? money(operation.amount, lang()) : "—",
            ),
          )
        ),
      ),
    ),
  );
}
