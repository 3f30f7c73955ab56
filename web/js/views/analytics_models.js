/**
 * Model quality: the measured comparison on held-out clients (uplift against
 * T/S-learners, propensity, rules, collaborative filtering, the LLM and the
 * oracle) as a table and as Qini curves.
 *
 * @module
 */

import { api } from "../api.js";
import { h, number, replace } from "../dom.js";
import { chartFigure, chartSet, PALETTE } from "../charts.js";
import { label, lang, t } from "../i18n.js";

/**
 * @param {HTMLElement} panel
 * @returns {() => void}
 */
export function renderModels(panel) {
  const charts = chartSet();
  const controller = new AbortController();
  replace(panel, h("p", { class: "muted" }, t("common.loading")));
  api("/v1/analytics/models", { signal: controller.signal, token: null }).then((body) => {
    const language = lang();
    const name = (model) => label("model", model.ours ? "uplift" : model.name);
    const models = [...body.models].sort((a, b) => b.qini - a.qini);
    const table = h(
      "div",
      { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("models.tableTitle") },
      h(
        "table",
        { class: "table", id: "models-table" },
        h("caption", {}, t("models.tableTitle")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            ["models.model", "models.qini", "models.auuc", "models.upliftAtK", "models.incremental"].map((
              key,
            ) => h("th", { scope: "col" }, t(key, { share: Math.round(body.budgetShare * 100) }))),
          ),
        ),
        h(
          "tbody",
          {},
          models.map((model) =>
            h(
              "tr",
              { class: model.ours ? "ours" : null, data: { model: model.name } },
              h("th", { scope: "row" }, name(model)),
              h("td", { class: "number" }, number(model.qini, language, 4)),
              h("td", { class: "number" }, number(model.auuc, language, 4)),
              h("td", { class: "number" }, number(model.upliftAtK, language, 3)),
              h("td", { class: "number" }, number(model.incrementalConversions, language, 1)),
            )
          ),
          body.skipped.map((skipped) =>
            h(
              "tr",
              { class: "skipped", data: { model: skipped.name } },
              h("th", { scope: "row" }, label("model", skipped.name)),
              h(
                "td",
                { colspan: 4 },
                t("models.notMeasured", {
                  reason: /^no LLM configured/.test(skipped.reason) ? t("models.noLlm") : skipped.reason,
                }),
              ),
            )
          ),
        ),
      ),
    );
    const curves = charts.add(chartFigure({
      id: "qini-chart",
      caption: t("models.curvesCaption"),
      summary: t("models.curvesSummary", {
        best: name(models.find((model) => model.ours) ?? models[0]),
      }),
      tall: true,
      config: {
        type: "line",
        data: {
          datasets: body.models.map((model, i) => ({
            label: name(model),
            data: model.curve.x.map((x, j) => ({ x, y: model.curve.y[j] })),
            borderColor: PALETTE[i % PALETTE.length],
            backgroundColor: PALETTE[i % PALETTE.length],
            borderWidth: model.ours ? 3 : 1.5,
            borderDash: model.name === "oracle" ? [6, 4] : undefined,
            pointRadius: 0,
          })),
        },
        options: {
          parsing: true,
          scales: {
            x: { type: "linear", min: 0, max: 1, title: { display: true, text: t("models.axisShare") } },
            y: { title: { display: true, text: t("models.axisIncremental") } },
          },
        },
      },
    }));
    const map7 = Object.entries(body.nextProduct?.map7 ?? {});
    replace(
      panel,
      h(
        "p",
        { class: "lead" },
        t("models.intro", {
          seed: body.seed,
          users: body.users,
          rows: body.testRows,
          clients: body.testClients,
        }),
      ),
      table,
      curves,
      h("p", { class: "hint" }, t("models.howToRead")),
      map7.length
        ? h(
          "section",
          { "aria-labelledby": "map7-title" },
          h("h2", { id: "map7-title" }, t("models.map7Title")),
          h(
            "ul",
            { class: "plain" },
            map7.map(([model, value]) => h("li", {}, `${model}: ${number(value, language, 3)}`)),
          ),
        )
        : null,
    );
  }).catch((error) => {
    if (error?.name !== "AbortError") {
      replace(panel, h("p", { class: "error", role: "alert" }, error.message));
    }
  });
  return () => {
    controller.abort();
    charts.destroyAll();
  };
}
