/**
 * A live experiment between decision strategies: every user falls into one arm, by a hash of the
 * experiment's id and the user's id (sticky, the same on every node, independent between experiments), and
 * gets that arm's strategy wherever no strategy is asked for. The outcome is read from what the actors
 * already keep per product: impressions and attributed conversions since the experiment started.
 *
 * `EXPERIMENT_ID`, `EXPERIMENT_ARMS` (`uplift:50,propensity:50`) and `EXPERIMENT_START` (ISO time) set it.
 *
 * @module
 */

import type { UserActor } from "../actors/user_actor.ts";
import { STRATEGIES, type Strategy } from "./strategies.ts";

/** One arm: a strategy and its share of users. */
export interface ExperimentArm {
  strategy: Strategy;
  weight: number;
}

/** A running experiment. */
export interface Experiment {
  id: string;
  arms: ExperimentArm[];
  /** Outcomes count from here (epoch ms). */
  startMs: number;
}

type Env = Record<string, string | undefined>;

/** Reads the experiment settings: null when none is set, a reason when they are wrong. */
export function experimentSettings(
  env: Env,
): { ok: true; value: Experiment | null } | { ok: false; reason: string } {
  const id = env.EXPERIMENT_ID;
  const armsText = env.EXPERIMENT_ARMS;
  const startText = env.EXPERIMENT_START;
  if (!id && !armsText && !startText) return { ok: true, value: null };
  if (!id || !/^[A-Za-z0-9._-]{1,64}$/.test(id)) {
    return { ok: false, reason: "EXPERIMENT_ID must be 1-64 letters, digits, dots, dashes or underscores" };
  }
  if (!armsText) return { ok: false, reason: "EXPERIMENT_ARMS is needed with EXPERIMENT_ID" };
  const arms: ExperimentArm[] = [];
  for (const part of armsText.split(",")) {
    const match = /^\s*([a-z]+):(\d{1,3})\s*$/.exec(part);
    if (!match) {
      return { ok: false, reason: `EXPERIMENT_ARMS: "${part.slice(0, 40)}" is not <strategy>:<weight>` };
    }
    const strategy = match[1] as Strategy;
    if (!STRATEGIES.includes(strategy)) {
      return { ok: false, reason: `EXPERIMENT_ARMS: the strategy must be one of ${STRATEGIES.join(", ")}` };
    }
    if (arms.some((arm) => arm.strategy === strategy)) {
      return { ok: false, reason: `EXPERIMENT_ARMS: ${strategy} is listed twice` };
    }
    const weight = Number(match[2]);
    if (weight < 1) return { ok: false, reason: "EXPERIMENT_ARMS: every weight must be at least 1" };
    arms.push({ strategy, weight });
  }
  if (arms.length < 2) return { ok: false, reason: "EXPERIMENT_ARMS needs at least two arms" };
  const startMs = startText ? Date.parse(startText) : NaN;
  if (!startText || !Number.isFinite(startMs) || !/^\d{4}-\d{2}-\d{2}T/.test(startText)) {
    return { ok: false, reason: "EXPERIMENT_START must be an ISO date and time (the same on every node)" };
  }
  return { ok: true, value: { id, arms, startMs } };
}

/** 32-bit FNV-1a of a string's UTF-16 code units: fast, stable, and spread enough for bucketing. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** The user's arm: a bucket in 0..9999 from the hash, cut by the arms' cumulative weights. */
export function armOf(experiment: Experiment, userId: string): Strategy {
  const total = experiment.arms.reduce((sum, arm) => sum + arm.weight, 0);
  // The avalanche of a final multiply spreads ids that differ only in their last characters.
  const bucket = (Math.imul(fnv1a(`${experiment.id}\u0000${userId}`), 0x9e3779b1) >>> 0) % 10_000;
  let edge = 0;
  for (const arm of experiment.arms) {
    edge += (arm.weight / total) * 10_000;
    if (bucket < edge) return arm.strategy;
  }
  return experiment.arms[experiment.arms.length - 1].strategy;
}

/** One arm's outcome: users counted, exposed since the start, and those of them with a conversion since. */
export interface ArmOutcome {
  strategy: Strategy;
  users: number;
  /** Users shown at least one offer since the start. */
  exposed: number;
  /** Offer impressions since the start (the actors keep the last 8 per product). */
  impressions: number;
  /** Exposed users with a conversion attributed to an offer since the start. */
  converted: number;
}

/** Counts each arm's users among `actors` (bank clients only). */
export function countArms(experiment: Experiment, actors: Iterable<UserActor>): ArmOutcome[] {
  const outcomes = new Map(experiment.arms.map((arm) => [arm.strategy, {
    strategy: arm.strategy,
    users: 0,
    exposed: 0,
    impressions: 0,
    converted: 0,
  }]));
  for (const actor of actors) {
    if (actor.bank === null) continue;
    const outcome = outcomes.get(armOf(experiment, actor.userId))!;
    outcome.users++;
    let shown = 0;
    let converted = false;
    for (const contact of actor.engagement?.contacts ?? []) {
      for (const at of contact.shownAtMs) if (at >= experiment.startMs) shown++;
      if (contact.convertedAtMs !== null && contact.convertedAtMs >= experiment.startMs) converted = true;
    }
    if (shown === 0) continue;
    outcome.exposed++;
    outcome.impressions += shown;
    if (converted) outcome.converted++;
  }
  return [...outcomes.values()];
}

/** Adds up arm counts from several nodes (disjoint users), in the experiment's arm order. */
export function mergeArms(experiment: Experiment, parts: readonly ArmOutcome[][]): ArmOutcome[] {
  return experiment.arms.map((arm) => {
    const total: ArmOutcome = { strategy: arm.strategy, users: 0, exposed: 0, impressions: 0, converted: 0 };
    for (const part of parts) {
      const row = part.find((outcome) => outcome.strategy === arm.strategy);
      if (!row) continue;
      total.users += row.users;
      total.exposed += row.exposed;
      total.impressions += row.impressions;
      total.converted += row.converted;
    }
    return total;
  });
}

/** An arm's rate, and its difference to the first arm with a 95 % interval (normal approximation). */
export interface ArmResult extends ArmOutcome {
  /** converted / exposed; null below `minExposed` exposed users (too few to show, or to describe anyone). */
  conversionRate: number | null;
  /** Against the first arm; null for the first arm itself or when either rate is null. */
  difference: { value: number; low: number; high: number } | null;
}

/** Rates and differences for merged counts; arms with fewer than `minExposed` exposed users show no rate. */
export function armResults(outcomes: readonly ArmOutcome[], minExposed: number): ArmResult[] {
  const rate = (outcome: ArmOutcome) =>
    outcome.exposed >= minExposed ? outcome.converted / outcome.exposed : null;
  const base = outcomes[0];
  const baseRate = base ? rate(base) : null;
  return outcomes.map((outcome, index) => {
    const value = rate(outcome);
    let difference: ArmResult["difference"] = null;
    if (index > 0 && value !== null && baseRate !== null) {
      const spread = Math.sqrt(
        (value * (1 - value)) / outcome.exposed + (baseRate * (1 - baseRate)) / base.exposed,
      );
      const delta = value - baseRate;
      difference = { value: delta, low: delta - 1.96 * spread, high: delta + 1.96 * spread };
    }
    return { ...outcome, conversionRate: value, difference };
  });
}
