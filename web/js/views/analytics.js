/**
 * The analytics panel: tabs for model quality, the client's profile against
 * median product profiles, clusters, and approach testing. Tabs follow the
 * WAI-ARIA pattern (arrow keys, Home/End) and each has its own URL.
 *
 * @module
 */

import { h, replace } from "../dom.js";
import { t } from "../i18n.js";
import { renderModels } from "./analytics_models.js";
import { renderProfile } from "./analytics_profile.js";
import { renderClusters } from "./analytics_clusters.js";
import { renderStrategies } from "./analytics_strategies.js";

/** @type {Record<string, (panel: HTMLElement) => (() => void)>} */
const TABS = {
  models: renderModels,
  profile: renderProfile,
  clusters: renderClusters,
  strategies: renderStrategies,
};

/** The tab to focus after the next render (set when the keyboard moved between tabs). */
let focusTab = "";

/**
 * @param {HTMLElement} main
 * @param {string[]} args
 * @returns {() => void}
 */
export function renderAnalytics(main, args) {
  const names = Object.keys(TABS);
  const active = names.includes(args[0]) ? args[0] : "models";
  const panel = h("div", {
    class: "tab-panel",
    role: "tabpanel",
    id: "analytics-panel",
    "aria-labelledby": `tab-${active}`,
    tabindex: 0,
    data: { tab: active },
  });
  const tabs = names.map((name) =>
    h("button", {
      type: "button",
      role: "tab",
      id: `tab-${name}`,
      class: "tab",
      "aria-selected": name === active ? "true" : "false",
      "aria-controls": "analytics-panel",
      tabindex: name === active ? 0 : -1,
      data: { tab: name },
      on: { click: () => (location.hash = `#/analytics/${name}`) },
    }, t(`analytics.tab.${name}`))
  );
  const tablist = h("div", { role: "tablist", class: "tabs", "aria-label": t("analytics.tabs") }, tabs);
  tablist.addEventListener("keydown", (event) => {
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const next = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: tabs.length - 1 }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    const target = tabs[(next + tabs.length) % tabs.length];
    focusTab = target.dataset.tab;
    location.hash = `#/analytics/${target.dataset.tab}`;
  });
  replace(
    main,
    h(
      "div",
      { class: "page-head" },
      h("h1", {}, t("analytics.title")),
      h("p", { class: "lead" }, t("analytics.lead")),
    ),
    tablist,
    panel,
  );
  if (focusTab === active) tabs[names.indexOf(active)].focus();
  focusTab = "";
  return TABS[active](panel);
}
