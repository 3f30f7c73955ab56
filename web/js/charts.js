/**
 * Charts with Chart.js (from npm, served by the engine at
 * `/app/vendor/chart.js`). Each chart is a canvas with a text alternative;
 * the same numbers are always in a table next to it.
 *
 * @module
 */

import { h } from "./dom.js";
import { t } from "./i18n.js";

/** Colours with enough contrast on white, in a stable order. */
export const PALETTE = [
  "#0b5cad",
  "#c2410c",
  "#15803d",
  "#7e22ce",
  "#b91c1c",
  "#0f766e",
  "#a16207",
  "#475569",
  "#db2777",
];

/**
 * Draws a chart into a new canvas inside a figure with a caption.
 * Returns the figure and a `destroy` function.
 *
 * @param {{id: string, caption: string, summary: string, config: any, tall?: boolean}} options
 * @returns {{figure: HTMLElement, destroy: () => void}}
 */
export function chartFigure(options) {
  const canvas = h("canvas", { id: options.id, role: "img", "aria-label": options.summary });
  const figure = h(
    "figure",
    { class: `chart${options.tall ? " tall" : ""}`, data: { chart: options.id } },
    h("div", { class: "chart-box" }, canvas),
    h("figcaption", {}, options.caption),
  );
  const Chart = globalThis.Chart;
  if (!Chart) {
    figure.replaceChild(h("p", { class: "error" }, t("charts.missing")), figure.firstChild);
    return { figure, destroy: () => {} };
  }
  const config = { ...options.config };
  config.options = {
    responsive: true,
    maintainAspectRatio: false,
    animation: false,
    ...config.options,
    plugins: { legend: { position: "bottom", labels: { boxWidth: 12 } }, ...config.options?.plugins },
  };
  // Chart.js measures its parent, so draw once the figure is in the document.
  let instance = null;
  const frame = requestAnimationFrame(() => {
    instance = new Chart(canvas, config);
    figure.dataset.rendered = "true";
  });
  return {
    figure,
    destroy: () => {
      cancelAnimationFrame(frame);
      instance?.destroy();
    },
  };
}

/**
 * Collects destroy functions so a view can free its charts at once.
 *
 * @returns {{add: (chart: {figure: HTMLElement, destroy: () => void}) => HTMLElement, destroyAll: () => void}}
 */
export function chartSet() {
  /** @type {(() => void)[]} */
  const destroyers = [];
  return {
    add(chart) {
      destroyers.push(chart.destroy);
      return chart.figure;
    },
    destroyAll() {
      for (const destroy of destroyers.splice(0)) destroy();
    },
  };
}
