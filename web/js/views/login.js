/**
 * Login by ID (the demo auth): search the database's users, pick one, and
 * the engine issues a token for that user.
 *
 * @module
 */

import { api } from "../api.js";
import { h, replace, uid } from "../dom.js";
import { label, t } from "../i18n.js";
import { navigate } from "../router.js";
import { startSession } from "../session.js";

/**
 * @param {HTMLElement} main
 * @returns {() => void}
 */
export function renderLogin(main) {
  const inputId = uid("user-search");
  const hintId = uid("user-search-hint");
  const results = h("ul", { class: "user-list", id: "user-list", "aria-label": t("login.results") });
  const status = h("p", { class: "muted", role: "status", id: "user-list-status" });
  const error = h("p", { class: "error", role: "alert" });
  const input = h("input", {
    id: inputId,
    type: "search",
    name: "query",
    autocomplete: "off",
    spellcheck: "false",
    maxlength: 64,
    placeholder: t("login.placeholder"),
    "aria-describedby": hintId,
  });
  let controller = new AbortController();
  let timer = 0;

  const search = async () => {
    controller.abort();
    controller = new AbortController();
    const query = input.value.trim();
    status.textContent = t("common.loading");
    try {
      const body = await api(`/v1/users?query=${encodeURIComponent(query)}&limit=20`, {
        signal: controller.signal,
        token: null,
      });
      const users = body.users ?? [];
      replace(results, users.map((user) => userButton(user, error)));
      status.textContent = users.length ? t("login.found", { count: users.length }) : t("login.none");
    } catch (caught) {
      if (caught?.name === "AbortError") return;
      status.textContent = "";
      error.textContent = t("login.searchFailed", { reason: caught.message });
    }
  };
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(search, 200);
  });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") {
      event.preventDefault();
      results.querySelector("button")?.focus();
    }
  });
  results.addEventListener("keydown", (event) => {
    const buttons = [...results.querySelectorAll("button")];
    const at = buttons.indexOf(document.activeElement);
    if (at < 0) return;
    if (event.key === "ArrowDown" && at < buttons.length - 1) {
      (event.preventDefault(), buttons[at + 1].focus());
    }
    if (event.key === "ArrowUp") (event.preventDefault(), (at > 0 ? buttons[at - 1] : input).focus());
  });

  replace(
    main,
    h(
      "section",
      { class: "panel narrow", "aria-labelledby": "login-title" },
      h("h1", { id: "login-title" }, t("login.title")),
      h("p", { class: "lead" }, t("login.lead")),
      h("label", { for: inputId }, t("login.search")),
      input,
      h("p", { id: hintId, class: "hint" }, t("login.hint")),
      error,
      status,
      results,
      h(
        "p",
        {},
        t("login.newClient"),
        " ",
        h("a", { href: "#/register", id: "to-register" }, t("login.register")),
      ),
    ),
  );
  search();
  return () => {
    controller.abort();
    clearTimeout(timer);
  };
}

/**
 * @param {{userId: string, displayName: string, segment?: string | null, kind: "bank" | "retail"}} user
 * @param {HTMLElement} error
 */
function userButton(user, error) {
  const button = h(
    "button",
    { type: "button", class: "user-item", data: { userId: user.userId } },
    h("span", { class: "user-name" }, user.displayName),
    h("span", { class: "user-meta" }, user.userId),
    h("span", { class: `badge ${user.kind}` }, t(`kind.${user.kind}`)),
    user.kind === "bank" && user.segment
      ? h("span", { class: "user-meta" }, label("segment", user.segment))
      : null,
  );
  button.addEventListener("click", async () => {
    button.disabled = true;
    error.textContent = "";
    try {
      const login = await api("/v1/auth/demo-login", { body: { userId: user.userId }, token: null });
      startSession({
        token: login.token,
        userId: login.userId ?? user.userId,
        displayName: user.displayName,
        kind: user.kind,
        segment: user.segment ?? undefined,
        expiresAt: login.expiresAt,
      });
      navigate("home");
    } catch (caught) {
      error.textContent = t("login.failed", { reason: caught.message });
      button.disabled = false;
    }
  });
  return h("li", {}, button);
}
