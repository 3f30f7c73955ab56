/**
 * The client against median product profiles (seed 004's client analytics):
 * how far the logged-in client is from the typical holder of each offer, and
 * feature by feature, where they differ.
 *
 * @module
 */

import { api } from "../api.js";
import { h, number, replace, uid } from "../dom.js";
import { chartFigure, chartSet, PALETTE } from "../charts.js";
import { label, lang, t } from "../i18n.js";
import { session } from "../session.js";

/**
 * A feature in its natural unit: the model keeps amounts as logarithms.
 *
 * @param {string} name
 * @param {number | null} value
 */
export function naturalValue(name, value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return null;
  if (name === "log_renta") return Math.exp(value);
  if (name.endsWith("_log")) return Math.expm1(value);
  return value;
}

/**
 * @param {HTMLElement} panel
 * @returns {() => void}
 */
export function renderProfile(panel) {
  const user = session();
  const charts = chartSet();
  const controller = new AbortController();
  if (!user || user.kind !== "bank") {
    replace(
      panel,
      h("p", { class: "empty" }, t("profile.needBank")),
      h("a", { href: "#/login", class: "button" }, t("nav.login")),
    );
    return () => {};
  }
  replace(panel, h("p", { class: "muted" }, t("common.loading")));
  api(`/v1/users/${encodeURIComponent(user.userId)}/analytics?lang=${lang()}`, { signal: controller.signal })
    .then((body) => {
      const language = lang();
      const profiles = body.profiles.filter((profile) => profile.distance !== null).sort((a, b) =>
        a.distance - b.distance
      );
      const selectId = uid("profile-offer");
      const select = h(
        "select",
        { id: selectId },
        profiles.map((profile) => h("option", { value: profile.productId }, profile.name)),
      );
      const detail = h("div", { id: "profile-detail" });
      const detailCharts = chartSet();
      const showDetail = () => {
        detailCharts.destroyAll();
        const profile = profiles.find((candidate) => candidate.productId === select.value);
        if (!profile) return replace(detail);
        const labels = body.features.map((feature) => label("feature", feature));
        replace(
          detail,
          detailCharts.add(chartFigure({
            id: "profile-differences-chart",
            caption: t("profile.differencesCaption", { name: profile.name, holders: profile.holders }),
            summary: t("profile.differencesSummary", {
              name: profile.name,
              distance: number(profile.distance, language, 2),
            }),
            tall: true,
            config: {
              type: "bar",
              data: {
                labels,
                datasets: [{
                  label: t("profile.difference"),
                  data: profile.differences.map((value) => value ?? 0),
                  backgroundColor: profile.differences.map((value) =>
                    (value ?? 0) >= 0 ? PALETTE[0] : PALETTE[1]
                  ),
                }],
              },
              options: {
                indexAxis: "y",
                scales: { x: { title: { display: true, text: t("profile.axisDifference") } } },
              },
            },
          })),
          h(
            "div",
            { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("profile.tableTitle") },
            h(
              "table",
              { class: "table", id: "profile-table" },
              h("caption", {}, t("profile.tableCaption", { name: profile.name })),
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  ["profile.feature", "profile.client", "profile.median"].map((key) =>
                    h("th", { scope: "col" }, t(key))
                  ),
                ),
              ),
              h(
                "tbody",
                {},
                body.features.map((feature, j) =>
                  h(
                    "tr",
                    { data: { feature } },
                    h("th", { scope: "row" }, label("feature", feature)),
                    h("td", { class: "number" }, format(naturalValue(feature, body.values[j]), language)),
                    h("td", { class: "number" }, format(naturalValue(feature, profile.medians[j]), language)),
                  )
                ),
              ),
            ),
          ),
        );
      };
      select.addEventListener("change", showDetail);
      replace(
        panel,
        h(
          "p",
          { class: "lead", id: "profile-cluster", data: { cluster: body.cluster } },
          t("profile.intro", { cluster: body.cluster + 1 }),
        ),
        charts.add(chartFigure({
          id: "profile-distance-chart",
          caption: t("profile.distanceCaption"),
          summary: t("profile.distanceSummary", { name: profiles[0]?.name ?? "—" }),
          config: {
            type: "bar",
            data: {
              labels: profiles.map((profile) => profile.name),
              datasets: [{
                label: t("profile.distance"),
                data: profiles.map((profile) => profile.distance),
                backgroundColor: PALETTE[0],
              }],
            },
            options: { indexAxis: "y", plugins: { legend: { display: false } } },
          },
          tall: true,
        })),
        h("div", { class: "inline-field" }, h("label", { for: selectId }, t("profile.pick")), select),
        detail,
      );
      showDetail();
      charts.add({ figure: detail, destroy: () => detailCharts.destroyAll() });
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

/**
 * @param {number | null} value
 * @param {string} language
 */
function format(value, language) {
  return value === null ? "—" : number(value, language, Math.abs(value) >= 100 ? 0 : 2);
}
