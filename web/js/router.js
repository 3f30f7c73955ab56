/**
 * Navigation between views (the shell in main.js listens to `hashchange`).
 *
 * @module
 */

/**
 * Goes to a route (`"home"`, `"analytics/models"`…); re-renders when already there.
 *
 * @param {string} path
 */
export function navigate(path) {
  if (location.hash === `#/${path}`) globalThis.dispatchEvent(new HashChangeEvent("hashchange"));
  else location.hash = `#/${path}`;
}
