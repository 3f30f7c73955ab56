/**
 * The ranking strategies the engine can decide with: its own uplift ranking, and the propensity model's and
 * the bank's rules' rankings of the same candidates, for approach testing and live experiments.
 *
 * @module
 */

/** Ranking strategies for approach testing. */
export const STRATEGIES = ["uplift", "propensity", "rules"] as const;
/** One of {@linkcode STRATEGIES}. */
export type Strategy = typeof STRATEGIES[number];
