/**
 * A small DOM toolkit: elements are built with `h()` from text nodes only
 * (never `innerHTML`), so text from the server or the LLM cannot inject markup.
 *
 * @module
 */

/**
 * Creates an element. `attrs` holds attributes; `on` event handlers; `data`
 * data-* attributes; `class` a class string. Children are nodes, strings,
 * numbers, arrays of those, or null/false (skipped).
 *
 * @param {string} tag
 * @param {Record<string, unknown>} [attrs]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, attrs = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === "on") {
      for (const [event, handler] of Object.entries(value)) element.addEventListener(event, handler);
    } else if (name === "data") {
      for (const [key, data] of Object.entries(value)) element.dataset[key] = String(data);
    } else if (name === "class") {
      element.className = String(value);
    } else if (name === "value" && "value" in element) {
      element.value = String(value);
    } else if (name === "checked" || name === "selected") {
      element[name] = Boolean(value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * Appends children (see {@link h}) to a node.
 *
 * @param {Node} parent
 * @param {unknown[]} children
 */
export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.appendChild(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/**
 * Replaces a node's children.
 *
 * @param {Node} parent
 * @param {...unknown} children
 */
export function replace(parent, ...children) {
  while (parent.firstChild) parent.removeChild(parent.firstChild);
  append(parent, children);
}

/** A unique id for label/field and aria wiring. */
let counter = 0;
/**
 * @param {string} prefix
 * @returns {string}
 */
export function uid(prefix) {
  counter += 1;
  return `${prefix}-${counter}`;
}

/**
 * Percent with one decimal, e.g. 0.1234 → "12.3 %".
 *
 * @param {number} value
 * @param {string} lang
 */
export function percent(value, lang) {
  return new Intl.NumberFormat(lang === "en" ? "en-GB" : "ru-RU", {
    style: "percent",
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
  }).format(value);
}

/**
 * Percentage points with a sign, e.g. 0.046 → "+4.6 п.п.".
 *
 * @param {number} value
 * @param {string} unit
 * @param {string} lang
 */
export function points(value, unit, lang) {
  const formatted = new Intl.NumberFormat(lang === "en" ? "en-GB" : "ru-RU", {
    maximumFractionDigits: 1,
    minimumFractionDigits: 1,
    signDisplay: "always",
  }).format(value * 100);
  return `${formatted} ${unit}`;
}

/**
 * A number in the language's format.
 *
 * @param {number} value
 * @param {string} lang
 * @param {number} [digits]
 */
export function number(value, lang, digits = 2) {
  return new Intl.NumberFormat(lang === "en" ? "en-GB" : "ru-RU", { maximumFractionDigits: digits })
    .format(value);
}

/**
 * Money in roubles.
 *
 * @param {number} value
 * @param {string} lang
 */
export function money(value, lang) {
  return new Intl.NumberFormat(lang === "en" ? "en-GB" : "ru-RU", {
    style: "currency",
    currency: "RUB",
    maximumFractionDigits: 0,
  }).format(value);
}

/**
 * Date and time: "medium" spells the month, "short" is numeric (for tables).
 *
 * @param {string | number} value
 * @param {string} lang
 * @param {"medium" | "short"} [style]
 */
export function dateTime(value, lang, style = "medium") {
  return new Intl.DateTimeFormat(lang === "en" ? "en-GB" : "ru-RU", {
    dateStyle: style,
    timeStyle: "short",
  }).format(new Date(value));
}
