/**
 * The demo session: which user is logged in, with their bearer token, kept
 * in sessionStorage (closing the tab logs out). The admin token for the ops
 * view is kept separately, also for this tab only.
 *
 * @module
 */

const SESSION_KEY = "engine.session";
const ADMIN_KEY = "engine.admin";

/**
 * @typedef {{token: string, userId: string, displayName: string, kind: "bank" | "retail",
 *   segment?: string, expiresAt?: string, pendingEventId?: string}} Session
 */

/**
 * The current session, or null when nobody is logged in or the token expired.
 *
 * @returns {Session | null}
 */
export function session() {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? "null");
    if (!stored || typeof stored.token !== "string") return null;
    if (stored.expiresAt && Date.parse(stored.expiresAt) <= Date.now()) return null;
    return stored;
  } catch {
    return null;
  }
}

/**
 * Starts a session.
 *
 * @param {Session} value
 */
export function startSession(value) {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(value));
}

/** Ends the session. */
export function endSession() {
  sessionStorage.removeItem(SESSION_KEY);
  for (const key of Object.keys(sessionStorage)) {
    if (key.startsWith("engine.recorded.")) sessionStorage.removeItem(key);
  }
}

/** The admin token the operator typed, or "". */
export function adminToken() {
  return sessionStorage.getItem(ADMIN_KEY) ?? "";
}

/**
 * Remembers the admin token for this tab.
 *
 * @param {string} token
 */
export function setAdminToken(token) {
  if (token) sessionStorage.setItem(ADMIN_KEY, token);
  else sessionStorage.removeItem(ADMIN_KEY);
}

/**
 * The strategy this user's offers are decided with (approach testing).
 *
 * @param {string} userId
 * @returns {"uplift" | "propensity" | "rules"}
 */
export function strategyFor(userId) {
  const stored = localStorage.getItem(`engine.strategy.${userId}`);
  return stored === "propensity" || stored === "rules" ? stored : "uplift";
}

/**
 * Switches the strategy for one user.
 *
 * @param {string} userId
 * @param {"uplift" | "propensity" | "rules"} strategy
 */
export function setStrategyFor(userId, strategy) {
  localStorage.setItem(`engine.strategy.${userId}`, strategy);
}
