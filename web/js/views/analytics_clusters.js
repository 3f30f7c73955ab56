/**
 * The cluster view: the k-means clusters of clients as bubbles (size =
 * clients in the training set) on two chosen features, the logged-in
 * client's position among them, and every centroid as a table.
 *
 * @module
 */

import { api } from "../api.js";
import { h, number, replace, uid } from "../dom.js";
import { chartFigure, chartSet, PALETTE } from "../charts.js";
import { label, lang, t } from "../i18n.js";
import { session } from "../session.js";
import { naturalValue } from "./analytics_profile.js";

/**
 * @param {HTMLElement} panel
 * @returns {() => void}
 */
export function renderClusters(panel) {
  const charts = chartSet();
  const controller = new AbortController();
  const user = session();
  replace(panel, h("p", { class: "muted" }, t("common.loading")));
  const client = user?.kind === "bank"
    ? api(`/v1/users/${encodeURIComponent(user.userId)}/analytics?lang=${lang()}`, {
      signal: controller.signal,
    }).catch(() => null)
    : Promise.resolve(null);
  Promise.all([api("/v1/analytics/clusters", { signal: controller.signal, token: null }), client]).then(
    ([body, me]) => {
      const language = lang();
      const axis = (id, initial) =>
        h(
          "select",
          { id },
          body.features.map((feature) =>
            h("option", { value: feature, selected: feature === initial }, label("feature", feature))
          ),
        );
      const xId = uid("cluster-x");
      const yId = uid("cluster-y");
      const xSelect = axis(xId, "age");
      const ySelect = axis(yId, "log_renta");
      const chartBox = h("div", { id: "cluster-chart-box" });
      const maxSize = Math.max(...body.clusters.map((cluster) => cluster.size));
      const draw = () => {
        charts.destroyAll();
        const xi = body.features.indexOf(xSelect.value);
        const yi = body.features.indexOf(ySelect.value);
        const datasets = body.clusters.map((cluster, i) => ({
          label: t("clusters.cluster", { n: cluster.cluster + 1, size: cluster.size }),
          data: [{
            x: naturalValue(body.features[xi], cluster.centroid[xi]),
            y: naturalValue(body.features[yi], cluster.centroid[yi]),
            r: 6 + 24 * Math.sqrt(cluster.size / maxSize),
          }],
          backgroundColor: `${PALETTE[i % PALETTE.length]}99`,
          borderColor: PALETTE[i % PALETTE.length],
        }));
        if (me) {
          datasets.push({
            label: t("clusters.you", { n: me.cluster + 1 }),
            data: [{
              x: naturalValue(body.features[xi], me.values[xi]),
              y: naturalValue(body.features[yi], me.values[yi]),
              r: 8,
            }],
            backgroundColor: "#111827",
            borderColor: "#ffffff",
            pointStyle: "triangle",
          });
        }
        replace(
          chartBox,
          charts.add(chartFigure({
            id: "cluster-chart",
            caption: t("clusters.caption"),
            summary: t("clusters.summary", { count: body.clusters.length }),
            tall: true,
            config: {
              type: "bubble",
              data: { datasets },
              options: {
                scales: {
                  x: { title: { display: true, text: label("feature", xSelect.value) } },
                  y: { title: { display: true, text: label("feature", ySelect.value) } },
                },
              },
            },
          })),
        );
      };
      xSelect.addEventListener("change", draw);
      ySelect.addEventListener("change", draw);
      replace(
        panel,
        h(
          "p",
          { class: "lead", id: "clusters-intro" },
          me ? t("clusters.introClient", { n: me.cluster + 1 }) : t("clusters.intro"),
        ),
        h(
          "div",
          { class: "inline-fields" },
          h("div", { class: "inline-field" }, h("label", { for: xId }, t("clusters.x")), xSelect),
          h("div", { class: "inline-field" }, h("label", { for: yId }, t("clusters.y")), ySelect),
        ),
        chartBox,
        centroidTable(body, me, language),
      );
      draw();
    },
  ).catch((error) => {
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
 * @param {{features: string[], clusters: {cluster: number, size: number, centroid: number[]}[]}} body
 * @param {{cluster: number, values: (number | null)[]} | null} me
 * @param {string} language
 */
function centroidTable(body, me, language) {
  const cell = (feature, value) => {
    const natural = naturalValue(feature, value);
    return natural === null ? "—" : number(natural, language, Math.abs(natural) >= 100 ? 0 : 2);
  };
  return h(
    "div",
    { class: "table-scroll", tabindex: 0, role: "region", "aria-label": t("clusters.tableTitle") },
    h(
      "table",
      { class: "table", id: "clusters-table" },
      h("caption", {}, t("clusters.tableTitle")),
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          h("th", { scope: "col" }, t("profile.feature")),
          body.clusters.map((cluster) =>
            h(
              "th",
              { scope: "col", class: me?.cluster === cluster.cluster ? "ours" : null },
              t("clusters.short", { n: cluster.cluster + 1, size: cluster.size }),
            )
          ),
          me ? h("th", { scope: "col" }, t("clusters.youShort")) : null,
        ),
      ),
      h(
        "tbody",
        {},
        body.features.map((feature, j) =>
          h(
            "tr",
            {},
            h("th", { scope: "row" }, label("feature", feature)),
            body.clusters.map((cluster) => h("td", { class: "number" }, cell(feature, cluster.centroid[j]))),
            me ? h("td", { class: "number" }, cell(feature, me.values[j])) : null,
          )
        ),
      ),
    ),
  );
}
