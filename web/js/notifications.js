/**
 * Live notifications: one SSE stream (`GET /v1/users/:id/notifications`)
 * while a user is logged in, reconnecting with backoff. Views subscribe to
 * the list; each new notification also shows as a toast.
 *
 * @module
 */

import { api, stream } from "./api.js";
import { t } from "./i18n.js";
import { session } from "./session.js";
import { toast } from "./toast.js";

/** @typedef {{id: string, productId?: string, name?: string, text: string, createdAt: string}} Notification */

/** @type {Notification[]} */
let items = [];
/** @type {Set<(items: Notification[]) => void>} */
const listeners = new Set();
/** @type {AbortController | null} */
let controller = null;
let state = "idle";

function publish() {
  for (const listener of listeners) listener(items, state);
}

/**
 * @param {Notification} notification
 * @param {boolean} live
 */
function add(notification, live) {
  if (!notification || typeof notification.text !== "string") return;
  if (items.some((item) => item.id === notification.id)) return;
  items = [notification, ...items].slice(0, 50);
  if (live) toast(`${t("notifications.new")}: ${notification.text}`, { kind: "notification" });
  publish();
}

/** Opens the stream for the logged-in user (after loading the ones already sent). */
export function startNotifications() {
  const user = session();
  if (!user) return;
  controller = new AbortController();
  const signal = controller.signal;
  items = [];
  const path = `/v1/users/${encodeURIComponent(user.userId)}/notifications`;
  api(path, { signal }).then((body) => {
    for (const notification of [...(body.notifications ?? [])].reverse()) add(notification, false);
  }).catch(() => {});
  (async () => {
    let delay = 1000;
    while (!signal.aborted) {
      try {
        state = "connecting";
        publish();
        await stream(path, {
          signal,
          onOpen: () => {
            state = "live";
            publish();
          },
          onEvent: (name, data) => {
            if (name === "notification") add(data, true);
          },
        });
        delay = 1000;
      } catch (error) {
        if (signal.aborted) return;
        if (error?.status === 401 || error?.status === 403) {
          state = "closed";
          publish();
          return;
        }
      }
      state = "reconnecting";
      publish();
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 15_000);
    }
  })();
}

/** Closes the stream. */
export function stopNotifications() {
  controller?.abort();
  controller = null;
  items = [];
  state = "idle";
}

/**
 * Calls `listener` now and on every change; returns an unsubscribe function.
 *
 * @param {(items: Notification[], state: string) => void} listener
 * @returns {() => void}
 */
export function watchNotifications(listener) {
  listeners.add(listener);
  listener(items, state);
  return () => listeners.delete(listener);
}
