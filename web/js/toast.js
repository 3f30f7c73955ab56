/**
 * Short messages in a polite live region: new notifications, saved
 * feedback, errors.
 *
 * @module
 */

import { h } from "./dom.js";

/**
 * Shows a message for a few seconds.
 *
 * @param {string} text
 * @param {{kind?: "info" | "error" | "notification", timeoutMs?: number}} [options]
 */
export function toast(text, options = {}) {
  const region = document.getElementById("toasts");
  if (!region) return;
  const item = h(
    "div",
    { class: `toast ${options.kind ?? "info"}`, data: { kind: options.kind ?? "info" } },
    text,
  );
  region.appendChild(item);
  setTimeout(() => item.remove(), options.timeoutMs ?? 6000);
}
