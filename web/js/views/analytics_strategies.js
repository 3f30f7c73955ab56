/**
 * Approach testing: the same client decided by each strategy side by side
 * (and a switch that makes one of them this client's), and a cohort decided
 * by each strategy, compared on the uplift model's expected outcomes.
 *
 * @module
 */

import { api, ApiError } from "../api.js";
import { h, number, percent, points, replace, uid } from "../dom.js";
import { chartFigure, chartSet, PALETTE } from "../charts.js";
import { codes, label, lang, t } from "../i18n.js";
import { session, setStrategyFor, strategyFor } from "../session.js";

/**
 * @param {HTMLElement} panel
 * @returns {() => void}
 */
export function renderStrategies(panel) {
  const charts = chartSet();
  const controller = new AbortController();
  const user = session();
  const mine = h("section", { "aria-labelledby": "strategies-user-title", id: "strategies-user" });
  const cohort = h("section", { "aria-labelledby": "strategies-cohort-title", id: "strategies-cohort" });
  const experiment = h("section", { "aria-labelledby": "experiment-title", id: "strategies-experiment" });
  replace(panel, mine, cohort, experiment);
  if (user?.kind === "bank") renderForUser(mine, user, controller.signal);
  else {replace(
      mine,
      h("h2", { id: "strategies-user-title" }, t("strategies.userTitle")),
      h("p", { class: "empty" }, t("profile.needBank")),
    );}
  renderForCohort(cohort, charts, controller.signal);
  renderExperiment(experiment, controller.signal);
  return () => {
    controller.abort();
    charts.destroyAll();
  };
}

/**
 * @param {HTMLElement} section
 * @param {{userId: string}} user
 * @param {AbortSignal} signal
 */
async function renderForUser(section, user, signal) {
  const language = lang();
  const current = h(
    "p",
    { id: "strategy-current" },
    t("strategies.current", { strategy: label("strategy", strategyFor(user.userId)) }),
  );
  const columns = h("div", { class: "strategy-columns" }, h("p", { class: "muted" }, t("common.loading")));
  replace(
    section,
    h("h2", { id: "strategies-user-title" }, t("strategies.userTitle")),
    h("p", { class: "hint" }, t("strategies.userHint")),
    current,
    columns,
  );
  try {
    const base = `/v1/users/${encodeURIComponent(user.userId)}/recommendations?k=3&record=0&lang=${language}`;
    const results = await Promise.all(
      codes("strategy").map((strategy) => api(`${base}&strategy=${strategy}`, { signal })),
    );
    replace(
      columns,
      results.map((result, i) => {
        const strategy = codes("strategy")[i];
        const total = result.offers.reduce((sum, offer) => sum + offer.uplift, 0);
        return h(
          "article",
          { class: "panel strategy-column", data: { strategy } },
          h("h3", {}, label("strategy", strategy)),
          h(
            "ol",
            { class: "plain" },
            result.offers.map((offer) =>
              h(
                "li",
                { data: { productId: offer.productId } },
                h("strong", {}, offer.name),
                h("br"),
                h(
                  "span",
                  { class: "muted small" },
                  t("strategies.offerLine", {
                    uplift: points(offer.uplift, t("unit.pp"), language),
                    treated: percent(offer.pTreated, language),
                    control: percent(offer.pControl, language),
                  }),
                ),
              )
            ),
          ),
          h(
            "p",
            { class: "total", data: { totalUplift: total.toFixed(4) } },
            t("strategies.total", { value: points(total, t("unit.pp"), language) }),
          ),
          h("button", {
            type: "button",
            class: "button",
            data: { useStrategy: strategy },
            "aria-pressed": strategyFor(user.userId) === strategy ? "true" : "false",
            on: {
              click: (event) => {
                setStrategyFor(user.userId, strategy);
                current.textContent = t("strategies.current", { strategy: label("strategy", strategy) });
                for (const button of columns.querySelectorAll("[data-use-strategy]")) {
                  button.setAttribute("aria-pressed", "false");
                }
                event.currentTarget.setAttribute("aria-pressed", "true");
              },
            },
          }, t("strategies.use")),
        );
      }),
    );
  } catch (error) {
    if (error?.name !== "AbortError") {
      replace(columns, h("p", { class: "error", role: "alert" }, error.message));
    }
  }
}

/**
 * @param {HTMLElement} section
 * @param {ReturnType<typeof chartSet>} charts
 * @param {AbortSignal} signal
 */
function renderForCohort(section, charts, signal) {
  const cohortId = uid("cohort");
  const kId = uid("cohort-k");
  const select = h(
    "select",
    { id: cohortId, name: "cohort" },
    h("option", { value: "all" }, t("strategies.cohortAll")),
    codes("segment").map((segment) =>
      h("option", { value: `segment:${segment}` }, label("segment", segment))
    ),
  );
  api("/v1/analytics/clusters", { signal, token: null }).then((clusters) => {
    for (const cluster of clusters.clusters) {
      select.append(
        h(
          "option",
          { value: `cluster:${cluster.cluster}` },
          t("strategies.cohortCluster", { n: cluster.cluster + 1 }),
        ),
      );
    }
  }).catch(() => {});
  const k = h(
    "select",
    { id: kId, name: "k" },
    [1, 2, 3, 4, 5].map((n) => h("option", { value: n, selected: n === 3 }, String(n))),
  );
  const result = h("div", { id: "cohort-result", "aria-live": "polite" });
  const run = h(
    "button",
    { type: "submit", class: "button primary", id: "cohort-run" },
    t("strategies.compare"),
  );
  const form = h(
    "form",
    { class: "inline-fields" },
    h("div", { class: "inline-field" }, h("label", { for: cohortId }, t("strategies.cohort")), select),
    h("div", { class: "inline-field" }, h("label", { for: kId }, t("strategies.k")), k),
    run,
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    run.disabled = true;
    charts.destroyAll();
    replace(result, h("p", { class: "muted" }, t("common.loading")));
    try {
      const body = await api(
        `/v1/analytics/strategies?cohort=${encodeURIComponent(select.value)}&k=${k.value}&lang=${lang()}`,
        { signal },
      );
      replace(result, cohortResult(body, charts));
    } catch (error) {
      if (error?.name !== "AbortError") {
        replace(result, h("p", { class: "error", role: "alert" }, error.message));
      }
    } finally {
      run.disabled = false;
    }
  });
  replace(
    section,
    h("h2", { id: "strategies-cohort-title" }, t("strategies.cohortTitle")),
    h("p", { class: "hint" }, t("strategies.cohortHint")),
    form,
    result,
  );
}

/**
 * @param {any} body
 * @param {ReturnType<typeof chartSet>} charts
 */
function cohortResult(body, charts) {
  const language = lang();
  const names = body.strategies.map((row) => label("strategy", row.strategy));
  return h(
    "div",
    { data: { users: body.users } },
    h(
      "p",
      { id: "cohort-summary" },
      t("strategies.cohortSummary", {
        users: body.users,
        k: body.k,
        ms: number(body.computeMs, language, 0),
        nodes: body.nodes?.length ?? 1,
      }),
    ),
    body.unreachable?.length
      ? h(
        "p",
        { class: "error", role: "status" },
        t("strategies.unreachable", { nodes: body.unreachable.join(", ") }),
      )
      : null,
    charts.add(chartFigure({
      id: "strategies-chart",
      caption: t("strategies.chartCaption"),
      summary: t("strategies.chartSummary"),
      config: {
        type: "bar",
        data: {
          labels: names,
          datasets: [
            {
              label: t("strategies.incremental"),
              data: body.strategies.map((row) => row.expectedIncremental),
              backgroundColor: PALETTE[0],
            },
            {
              label: t("strategies.anyway"),
              data: body.strategies.map((row) => row.expectedWithoutOffer),
              backgroundColor: PALETTE[7],
            },
          ],
        },
      },
    })),
    h(
      "div",
      { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("strategies.tableTitle") },
      h(
        "table",
        { class: "table", id: "strategies-table" },
        h("caption", {}, t("strategies.tableTitle")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [
              "strategies.strategy",
              "strategies.contacts",
              "strategies.incremental",
              "strategies.perContact",
              "strategies.conversions",
              "strategies.anyway",
              "strategies.negative",
              "strategies.top",
            ].map((key) => h("th", { scope: "col" }, t(key))),
          ),
        ),
        h(
          "tbody",
          {},
          body.strategies.map((row) =>
            h(
              "tr",
              { data: { strategy: row.strategy } },
              h("th", { scope: "row" }, label("strategy", row.strategy)),
              h("td", { class: "number" }, String(row.contacts)),
              h("td", { class: "number" }, number(row.expectedIncremental, language, 1)),
              h(
                "td",
                { class: "number" },
                row.contacts ? points(row.expectedIncremental / row.contacts, t("unit.pp"), language) : "—",
              ),
              h("td", { class: "number" }, number(row.expectedConversions, language, 1)),
              h("td", { class: "number" }, number(row.expectedWithoutOffer, language, 1)),
              h("td", { class: "number" }, String(row.negativeUpliftContacts)),
              h(
                "td",
                {},
                row.topProducts.slice(0, 3).map((product) => `${product.name} (${product.count})`).join(", "),
              ),
            )
          ),
        ),
      ),
    ),
  );
}

/**
 * The live experiment's outcome per arm (when one runs): real exposures and conversions, not estimates.
 *
 * @param {HTMLElement} section
 * @param {AbortSignal} signal
 */
async function renderExperiment(section, signal) {
  const language = lang();
  const title = h("h2", { id: "experiment-title" }, t("experiment.title"));
  replace(section, title, h("p", { class: "muted" }, t("common.loading")));
  let body;
  try {
    body = await api("/v1/analytics/experiment", { signal });
  } catch (error) {
    if (error?.name === "AbortError") return;
    const none = error instanceof ApiError && error.status === 404;
    replace(
      section,
      title,
      none ? h("p", { class: "hint", id: "experiment-none" }, t("experiment.none")) : h(
        "p",
        { class: "error", role: "alert" },
        error.message,
      ),
    );
    return;
  }
  const rate = (/** @type {number | null} */ value) =>
    value === null ? t("experiment.tooFew") : percent(value, language);
  replace(
    section,
    title,
    h(
      "p",
      { class: "hint", id: "experiment-summary" },
      t("experiment.summary", {
        id: body.experiment.id,
        start: new Date(body.experiment.startedAt).toLocaleDateString(language === "en" ? "en-GB" : "ru-RU"),
        control: label("strategy", body.arms[0].strategy),
      }),
    ),
    body.unreachable.length
      ? h(
        "p",
        { class: "error", role: "status" },
        t("strategies.unreachable", { nodes: body.unreachable.join(", ") }),
      )
      : null,
    h(
      "div",
      { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("experiment.title") },
      h(
        "table",
        { class: "table", id: "experiment-table" },
        h("caption", {}, t("experiment.title")),
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            [
              "experiment.arm",
              "experiment.users",
              "experiment.exposed",
              "experiment.converted",
              "experiment.rate",
              "experiment.difference",
            ].map((key) => h("th", { scope: "col" }, t(key))),
          ),
        ),
        h(
          "tbody",
          {},
          body.arms.map((/** @type {any} */ arm) =>
            h(
              "tr",
              { data: { strategy: arm.strategy, exposed: arm.exposed, converted: arm.converted } },
              h("th", { scope: "row" }, label("strategy", arm.strategy)),
              h("td", { class: "number" }, String(arm.users)),
              h("td", { class: "number" }, String(arm.exposed)),
              h("td", { class: "number" }, String(arm.converted)),
              h("td", { class: "number" }, rate(arm.conversionRate)),
              h(
                "td",
                { class: "number" },
                arm.difference === null ? "—" : t("experiment.interval", {
                  value: points(arm.difference.value, t("unit.pp"), language),
                  low: points(arm.difference.low, t("unit.pp"), language),
                  high: points(arm.difference.high, t("unit.pp"), language),
                }),
              ),
            )
          ),
        ),
      ),
    ),
  );
}
