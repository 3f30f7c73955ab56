/**
 * Home: the client's offers with explanations, the "why not X" list, the
 * strategy switch (approach testing for this user) and live notifications.
 * A retail shopper's home leads to the chat.
 *
 * @module
 */

import { api } from "../api.js";
import { dateTime, h, replace, uid } from "../dom.js";
import { codes, label, lang, t } from "../i18n.js";
import { watchNotifications } from "../notifications.js";
import { session, setStrategyFor, startSession, strategyFor } from "../session.js";
import { recommendationsView } from "./recommendations.js";

/**
 * @param {HTMLElement} main
 * @returns {() => void}
 */
export function renderHome(main) {
  const user = session();
  const content = h("div", {
    class: "home-offers",
    id: "home-offers",
    "aria-live": "polite",
    "aria-busy": "true",
  });
  const controller = new AbortController();
  const aside = notificationsPanel();
  const load = async () => {
    content.setAttribute("aria-busy", "true");
    try {
      const strategy = strategyFor(user.userId);
      const pending = session()?.pendingEventId;
      const waitFor = pending ? `&waitFor=${encodeURIComponent(pending)}` : "";
      const path = `/v1/users/${encodeURIComponent(user.userId)}/recommendations`;
      // One visit counts as one impression for the contact policy; re-renders (language, strategy) do not.
      const recordKey = `engine.recorded.${user.userId}`;
      const record = sessionStorage.getItem(recordKey) ? 0 : 1;
      const body = await api(`${path}?k=3&lang=${lang()}&strategy=${strategy}&record=${record}${waitFor}`, {
        signal: controller.signal,
      });
      sessionStorage.setItem(recordKey, "1");
      if (pending) startSession({ ...session(), pendingEventId: undefined });
      replace(
        content,
        recommendationsView(body, { onFeedback: (kind) => kind === "not_interested" && load() }),
      );
    } catch (error) {
      if (error?.name === "AbortError") return;
      replace(
        content,
        h("p", { class: "error", role: "alert" }, t("home.failed", { reason: error.message })),
      );
    } finally {
      content.setAttribute("aria-busy", "false");
    }
  };

  const header = h(
    "div",
    { class: "page-head" },
    h("h1", {}, t("home.title", { name: user.displayName })),
    h("p", { class: "lead" }, t(user.kind === "bank" ? "home.leadBank" : "home.leadRetail")),
  );
  if (user.kind === "bank") {
    const selectId = uid("strategy");
    const select = h(
      "select",
      { id: selectId, name: "strategy" },
      codes("strategy").map((code) =>
        h("option", { value: code, selected: code === strategyFor(user.userId) }, label("strategy", code))
      ),
    );
    select.addEventListener("change", () => {
      setStrategyFor(user.userId, select.value);
      load();
    });
    header.appendChild(
      h("div", { class: "inline-field" }, h("label", { for: selectId }, t("home.strategy")), select),
    );
    replace(main, h("div", { class: "home-layout" }, h("div", {}, header, content), aside.element));
    load();
  } else {
    replace(
      main,
      h(
        "div",
        { class: "home-layout" },
        h(
          "div",
          {},
          header,
          h(
            "section",
            { class: "panel" },
            h("h2", {}, t("home.retailTitle")),
            h("p", {}, t("home.retailText")),
            h("a", { class: "button primary", href: "#/chat" }, t("home.openChat")),
          ),
        ),
        aside.element,
      ),
    );
  }
  return () => {
    controller.abort();
    aside.stop();
  };
}

function notificationsPanel() {
  const list = h("ul", { class: "notification-list", id: "notification-list" });
  const state = h("p", { class: "muted small", id: "notification-state" });
  const element = h(
    "aside",
    { class: "panel notifications", "aria-labelledby": "notifications-title" },
    h("h2", { id: "notifications-title" }, t("notifications.title")),
    state,
    list,
  );
  const stop = watchNotifications((items, status) => {
    state.textContent = t(`notifications.state.${status}`);
    state.dataset.state = status;
    replace(
      list,
      items.length
        ? items.map((item) =>
          h(
            "li",
            { data: { notificationId: item.id, productId: item.productId ?? "" } },
            h("p", {}, item.text),
            h("p", { class: "muted small" }, item.createdAt ? dateTime(item.createdAt, lang()) : ""),
          )
        )
        : h("li", { class: "empty" }, t("notifications.empty")),
    );
  });
  return { element, stop };
}
