/**
 * Cold start: a new bank client fills in the dataset's profile fields
 * (Santander layout), is registered and logged in, and sees offers at once.
 *
 * @module
 */

import { api } from "../api.js";
import { h, replace } from "../dom.js";
import { codes, label, lang, t } from "../i18n.js";
import { navigate } from "../router.js";
import { startSession } from "../session.js";

/** Field rules checked in the browser; the server checks them again and its reasons are shown too. */
const NUMBER_RULES = {
  age: { min: 14, max: 110, integer: true, required: true },
  renta: { min: 0, max: 100_000_000, integer: false, required: true },
  antiguedad: { min: 0, max: 1200, integer: true, required: false },
};

/**
 * @param {HTMLElement} main
 * @returns {() => void}
 */
export function renderRegister(main) {
  const controller = new AbortController();
  const errors = new Map();
  const field = (name, control, hintKey) => {
    const error = h("p", { class: "field-error", id: `register-${name}-error`, data: { errorFor: name } });
    errors.set(name, error);
    control.id ??= `register-${name}`;
    control.setAttribute(
      "aria-describedby",
      `register-${name}-error${hintKey ? ` register-${name}-hint` : ""}`,
    );
    return h(
      "div",
      { class: "field", data: { field: name } },
      h("label", { for: control.id }, t(`register.${name}`)),
      control,
      hintKey ? h("p", { class: "hint", id: `register-${name}-hint` }, t(hintKey)) : null,
      error,
    );
  };
  const input = (name, attrs) => h("input", { id: `register-${name}`, name, ...attrs });
  const select = (name, group, withEmpty) =>
    h(
      "select",
      { id: `register-${name}`, name },
      withEmpty ? h("option", { value: "" }, t("register.notSet")) : null,
      codes(group).map((code) => h("option", { value: code }, label(group, code))),
    );
  const sexo = h(
    "fieldset",
    { class: "field", data: { field: "sexo" }, "aria-describedby": "register-sexo-error" },
    h("legend", {}, t("register.sexo")),
    ["H", "V"].map((value) =>
      h(
        "label",
        { class: "radio" },
        h("input", { type: "radio", name: "sexo", value, required: true }),
        " ",
        t(`register.sexo${value}`),
      )
    ),
    errors.set(
      "sexo",
      h("p", { class: "field-error", id: "register-sexo-error", data: { errorFor: "sexo" } }),
    )
      .get("sexo"),
  );
  const products = h(
    "fieldset",
    { class: "field products", data: { field: "products" } },
    h("legend", {}, t("register.products")),
    h("p", { class: "hint" }, t("register.productsHint")),
    h(
      "div",
      { class: "checkbox-grid", id: "register-products" },
      h("p", { class: "muted" }, t("common.loading")),
    ),
  );
  const status = h("p", { role: "alert", class: "error", id: "register-status" });
  const submit = h(
    "button",
    { type: "submit", class: "button primary", id: "register-submit" },
    t("register.submit"),
  );
  const form = h(
    "form",
    { class: "register-form", novalidate: true, id: "register-form" },
    h(
      "div",
      { class: "form-grid" },
      field("displayName", input("displayName", { type: "text", maxlength: 64, autocomplete: "off" })),
      field(
        "age",
        input("age", { type: "number", inputmode: "numeric", min: 14, max: 110, step: 1 }),
        "register.ageHint",
      ),
      sexo,
      field(
        "renta",
        input("renta", { type: "number", inputmode: "decimal", min: 0, step: "any" }),
        "register.rentaHint",
      ),
      field("segmento", select("segmento", "segment", false)),
      field(
        "antiguedad",
        input("antiguedad", { type: "number", inputmode: "numeric", min: 0, max: 1200, step: 1 }),
      ),
      field("canal_entrada", select("canal_entrada", "channel", true)),
      field("location", select("location", "location", true)),
      field("indext", select("indext", "indext", false)),
      field(
        "ind_actividad_cliente",
        h("select", { id: "register-ind_actividad_cliente", name: "ind_actividad_cliente" }, [
          h("option", { value: "1" }, t("register.active1")),
          h("option", { value: "0" }, t("register.active0")),
        ]),
      ),
    ),
    products,
    status,
    h("div", { class: "actions" }, submit),
  );
  form.querySelector('[name="segmento"]').value = "02 - PARTICULARES";

  const show = (name, message) => {
    const error = errors.get(name);
    if (!error) return;
    error.textContent = message ?? "";
    const control = form.querySelector(`[name="${name}"]`);
    control?.setAttribute("aria-invalid", message ? "true" : "false");
  };
  // A field marked invalid is checked again as it is corrected.
  const recheck = (event) => {
    const name = event.target?.name;
    if (!name || !errors.get(name)?.textContent) return;
    show(name, collect(form).invalid[name]);
  };
  form.addEventListener("input", recheck);
  form.addEventListener("change", recheck);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    status.textContent = "";
    const { body, invalid } = collect(form);
    for (const name of errors.keys()) show(name, invalid[name]);
    const first = Object.keys(invalid)[0];
    if (first) {
      form.querySelector(`[name="${first}"]`)?.focus();
      status.textContent = t("register.fix");
      return;
    }
    submit.disabled = true;
    try {
      const created = await api("/v1/users", { body, token: null, signal: controller.signal });
      startSession({
        token: created.token,
        userId: created.userId,
        displayName: body.displayName ?? created.userId,
        kind: "bank",
        segment: body.segmento,
        // The first offers must already reflect the registration's events.
        pendingEventId: created.lastEventId,
      });
      navigate("home");
    } catch (error) {
      const fields = error?.body?.fields ?? {};
      for (const [name, reason] of Object.entries(fields)) show(name, String(reason));
      status.textContent = t("register.failed", { reason: error.message });
      const firstServer = Object.keys(fields)[0];
      if (firstServer) form.querySelector(`[name="${firstServer}"]`)?.focus();
    } finally {
      submit.disabled = false;
    }
  });

  replace(
    main,
    h(
      "section",
      { class: "panel", "aria-labelledby": "register-title" },
      h("h1", { id: "register-title" }, t("register.title")),
      h("p", { class: "lead" }, t("register.lead")),
      form,
    ),
  );
  api(`/v1/products?lang=${lang()}`, { token: null, signal: controller.signal }).then((catalog) => {
    replace(
      form.querySelector("#register-products"),
      catalog.products.filter((product) => product.santander).map((product) =>
        h(
          "label",
          { class: "checkbox" },
          h("input", { type: "checkbox", name: "products", value: product.productId }),
          " ",
          product.name,
        )
      ),
    );
  }).catch((error) => {
    if (error?.name !== "AbortError") replace(form.querySelector("#register-products"), error.message);
  });
  return () => controller.abort();
}

/**
 * Reads and validates the form.
 *
 * @param {HTMLFormElement} form
 * @returns {{body: Record<string, unknown>, invalid: Record<string, string>}}
 */
function collect(form) {
  const data = new FormData(form);
  /** @type {Record<string, unknown>} */
  const body = {};
  /** @type {Record<string, string>} */
  const invalid = {};
  const displayName = String(data.get("displayName") ?? "").trim();
  if (displayName) body.displayName = displayName;
  for (const [name, rule] of Object.entries(NUMBER_RULES)) {
    const raw = String(data.get(name) ?? "").trim();
    if (raw === "") {
      if (rule.required) invalid[name] = t("register.required");
      continue;
    }
    const value = Number(raw);
    if (!Number.isFinite(value) || (rule.integer && !Number.isInteger(value))) {
      invalid[name] = t(rule.integer ? "register.integer" : "register.number");
    } else if (value < rule.min || value > rule.max) {
      invalid[name] = t("register.between", { min: rule.min, max: rule.max });
    } else body[name] = value;
  }
  const sexo = data.get("sexo");
  if (sexo !== "H" && sexo !== "V") invalid.sexo = t("register.required");
  else body.sexo = sexo;
  body.segmento = String(data.get("segmento"));
  for (const name of ["canal_entrada", "location", "indext"]) {
    const value = String(data.get(name) ?? "");
    if (value) body[name] = value;
  }
  body.ind_actividad_cliente = Number(data.get("ind_actividad_cliente"));
  body.products = data.getAll("products").map(String);
  return { body, invalid };
}
