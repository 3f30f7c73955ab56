/**
 * The app shell: a hash router over the views, the top bar (menu, language
 * toggle, logout) and the live notification stream while someone is logged in.
 *
 * @module
 */

import { h, replace } from "./dom.js";
import { lang, onLangChange, setLang, t } from "./i18n.js";
import { startNotifications, stopNotifications } from "./notifications.js";
import { navigate } from "./router.js";
import { endSession, session } from "./session.js";
import { renderLogin } from "./views/login.js";
import { renderHome } from "./views/home.js";
import { renderRegister } from "./views/register.js";
import { renderHistory } from "./views/history.js";
import { renderChat } from "./views/chat.js";
import { renderAnalytics } from "./views/analytics.js";
import { renderOps } from "./views/ops.js";

/**
 * Routes: name → [view, needs a logged-in user, menu label key].
 * A view renders into `main` and may return a cleanup function.
 *
 * @type {Record<string, [(main: HTMLElement, args: string[]) => (void | (() => void)), boolean, string]>}
 */
const ROUTES = {
  login: [renderLogin, false, "nav.login"],
  register: [renderRegister, false, "nav.register"],
  home: [renderHome, true, "nav.home"],
  history: [renderHistory, true, "nav.history"],
  chat: [renderChat, true, "nav.chat"],
  analytics: [renderAnalytics, false, "nav.analytics"],
  ops: [renderOps, false, "nav.ops"],
};
const MENU_IN = ["home", "history", "chat", "analytics", "ops"];
const MENU_OUT = ["login", "register", "analytics", "ops"];

/** @type {(() => void) | void} */
let cleanup;
let notificationsFor = "";

function parseHash() {
  const [name, ...args] = location.hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  return { name: name || "", args };
}

function renderChrome(active) {
  const user = session();
  const nav = document.getElementById("nav");
  replace(
    nav,
    h(
      "ul",
      {},
      (user ? MENU_IN : MENU_OUT).filter((name) => name !== "history" || user?.kind === "bank").map((name) =>
        h(
          "li",
          {},
          h("a", {
            href: `#/${name}`,
            "aria-current": name === active ? "page" : null,
            data: { nav: name },
          }, t(ROUTES[name][2])),
        )
      ),
    ),
  );
  document.getElementById("brand-name").textContent = t("app.title");
  document.getElementById("skip-link").textContent = t("app.skip");
  nav.setAttribute("aria-label", t("nav.label"));
  const whoami = document.getElementById("whoami");
  whoami.textContent = user ? `${user.displayName} · ${user.userId}` : "";
  const toggle = document.getElementById("lang-toggle");
  toggle.textContent = lang() === "ru" ? "English" : "Русский";
  toggle.setAttribute("lang", lang() === "ru" ? "en" : "ru");
  toggle.setAttribute("aria-label", t("app.switchLanguage"));
  const logout = document.getElementById("logout");
  logout.hidden = !user;
  logout.textContent = t("nav.logout");
}

function route() {
  if (typeof cleanup === "function") cleanup();
  cleanup = undefined;
  const user = session();
  let { name, args } = parseHash();
  if (!ROUTES[name]) name = user ? "home" : "login";
  if (ROUTES[name][1] && !user) name = "login";
  if (name !== parseHash().name) history.replaceState(null, "", `#/${name}`);
  if (user && notificationsFor !== user.userId) {
    stopNotifications();
    startNotifications();
    notificationsFor = user.userId;
  } else if (!user && notificationsFor) {
    stopNotifications();
    notificationsFor = "";
  }
  renderChrome(name);
  const main = document.getElementById("main");
  replace(main);
  main.dataset.view = name;
  cleanup = ROUTES[name][0](main, args);
  document.title = `${t(ROUTES[name][2])} · ${t("app.title")}`;
  const heading = main.querySelector("h1");
  // Move focus to the new page's heading unless the view already placed it (a tab moved by keyboard).
  if (heading && !main.contains(document.activeElement)) {
    heading.setAttribute("tabindex", "-1");
    heading.focus({ preventScroll: true });
  }
}

document.getElementById("lang-toggle").addEventListener(
  "click",
  () => setLang(lang() === "ru" ? "en" : "ru"),
);
document.getElementById("logout").addEventListener("click", () => {
  endSession();
  navigate("login");
});
document.getElementById("skip-link").addEventListener("click", (event) => {
  event.preventDefault();
  document.getElementById("main").focus();
});
onLangChange(() => {
  route();
  // The switch re-renders the page; keep the keyboard where it was.
  document.getElementById("lang-toggle").focus();
});
globalThis.addEventListener("hashchange", route);
document.documentElement.lang = lang();
route();
