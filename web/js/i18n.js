/**
 * Languages: Russian by default, English by toggle. The choice is kept in
 * localStorage; every view re-renders when it changes.
 *
 * @module
 */

import { STRINGS } from "./strings.js";
import { LABELS } from "./labels.js";

const STORAGE_KEY = "engine.lang";
/** @type {"ru" | "en"} */
let current = localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "ru";
/** @type {Set<() => void>} */
const listeners = new Set();

/** The current language, "ru" or "en". */
export function lang() {
  return current;
}

/**
 * Switches the language and notifies listeners.
 *
 * @param {"ru" | "en"} next
 */
export function setLang(next) {
  current = next === "en" ? "en" : "ru";
  localStorage.setItem(STORAGE_KEY, current);
  document.documentElement.lang = current;
  for (const listener of listeners) listener();
}

/**
 * Runs `listener` after every language switch.
 *
 * @param {() => void} listener
 */
export function onLangChange(listener) {
  listeners.add(listener);
}

/**
 * The text for `key` in the current language, with `{name}` placeholders
 * filled from `params`. An unknown key shows itself, so gaps are visible.
 *
 * @param {string} key
 * @param {Record<string, string | number>} [params]
 * @returns {string}
 */
export function t(key, params = {}) {
  const entry = STRINGS[key];
  const text = entry ? entry[current === "en" ? 1 : 0] : key;
  return text.replace(/\{(\w+)\}/g, (_, name) => name in params ? String(params[name]) : `{${name}}`);
}

/**
 * A label for a code from the data (a spending category, a suppression
 * reason, a feature name…), falling back to the code itself.
 *
 * @param {string} group
 * @param {string} code
 * @returns {string}
 */
export function label(group, code) {
  const entry = LABELS[group]?.[code];
  return entry ? entry[current === "en" ? 1 : 0] : code;
}

/**
 * Every code of a label group, in declaration order.
 *
 * @param {string} group
 * @returns {string[]}
 */
export function codes(group) {
  return Object.keys(LABELS[group] ?? {});
}
