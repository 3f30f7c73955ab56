/**
 * The generator's hidden ground truth for the randomized campaign log:
 * P(convert | not shown) and P(convert | shown) for each campaign offer as a
 * function of features that are all observable before the decision time
 * (profile, holdings, life events and the spending they leave in the event
 * history). The structure is deliberately non-linear with interactions, so a
 * model has something to learn, and it plants the seed's example: after a car
 * purchase car insurance is a sure thing and the partner accessories discount
 * is the persuadable offer.
 *
 * @module
 */

import type { Segment } from "./calibration.ts";
import type { LifeEvent, UpliftSegment } from "./types.ts";

/** The offers campaigns are run for. */
export const CAMPAIGN_OFFERS = [
  "ind_tjcr_fin_ult1",
  "ind_pres_fin_ult1",
  "ind_deco_fin_ult1",
  "ind_fond_fin_ult1",
  "ind_plan_fin_ult1",
  "ind_ecue_fin_ult1",
  "ind_valo_fin_ult1",
  "ind_hip_fin_ult1",
  "ins_auto",
  "partner_auto_accessories",
  "ins_property",
  "partner_kids_goods",
] as const;
/** One of {@linkcode CAMPAIGN_OFFERS}. */
export type CampaignOffer = typeof CAMPAIGN_OFFERS[number];

/** Segment thresholds on the true probabilities (see {@linkcode upliftSegment}). */
export const SEGMENT_THRESHOLDS = {
  /** uplift ≥ this: persuadable. */
  persuadable: 0.05,
  /** uplift ≤ this: sleeping dog. */
  sleepingDog: -0.03,
  /** otherwise pControl ≥ this: sure thing, else lost cause. */
  sureThing: 0.3,
} as const;

/** What the truth looks at; every field is derivable from data before the decision. */
export interface TruthFeatures {
  age: number;
  segment: Segment;
  /** Annual income on the `renta` scale (also visible through salary and spending). */
  income: number;
  active: boolean;
  /** Products held at decision time. */
  holdings: ReadonlySet<string>;
  /** Days from each life event (that happened before the decision) to the decision. */
  daysSince: Partial<Record<LifeEvent, number>>;
  /** Drove before the history (regular `fuel` spending). */
  driver: boolean;
  /** Had children before the history (regular `kids` spending). */
  hasKids: boolean;
  /** Monthly card spending over monthly income. */
  spendRatio: number;
  /** Came in through the digital channel (KHE) and is active. */
  digital: boolean;
}

/** The ground truth for one client and offer. */
export interface Truth {
  pControl: number;
  pTreated: number;
  uplift: number;
  segment: UpliftSegment;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const within = (days: number | undefined, limit: number) => days !== undefined && days <= limit;

/** Clients who resent being pushed credit: rich TOP clients and wealthy older ones. */
export function pushAverse(f: TruthFeatures): boolean {
  const incomeZ = Math.log(f.income / 90_000);
  return (f.segment === "01 - TOP" && incomeZ > 0.2) || (incomeZ > 0.6 && f.age > 42);
}

/** pControl and τ (before clamping) for one offer. */
function baseTruth(offer: CampaignOffer, f: TruthFeatures): [number, number] {
  const incomeZ = Math.log(f.income / 90_000);
  const top = f.segment === "01 - TOP";
  const d = f.daysSince;
  const car = d.car_purchase;
  const averse = pushAverse(f);
  switch (offer) {
    case "ins_auto":
      if (car !== undefined) return [0.88 - 0.18 * Math.min(car, 365) / 365, 0.01];
      // Established drivers renew their policy anyway; young ones still shop around.
      if (f.driver && f.age >= 35) return [0.42 + 0.1 * Math.tanh(incomeZ), 0.01];
      if (f.driver) return [0.12, 0.09];
      return [0.04, f.age > 55 ? -0.035 : 0.004];
    case "partner_auto_accessories":
      if (car !== undefined) return [0.04, 0.32 - 0.1 * Math.min(car, 365) / 365 - (f.age >= 60 ? 0.05 : 0)];
      if (f.driver) return [0.03, 0.04 + (f.spendRatio > 0.8 ? 0.05 : 0)];
      return [0.01, 0.004];
    case "ins_property":
      if (within(d.mortgage, 400)) return [0.72, 0.01];
      if (within(d.relocation, 400)) return [0.08, 0.2 + (incomeZ > 0 ? 0.06 : 0)];
      if (f.holdings.has("ind_hip_fin_ult1")) return [0.06, 0.06];
      // Well-off owners over 40 already insure their homes.
      if (f.age > 40 && incomeZ > 0.2) return [0.38, 0.01];
      return [sigmoid(-4 + 0.5 * incomeZ), 0.01 + (f.age > 35 && incomeZ > 0 ? 0.02 : 0)];
    case "partner_kids_goods":
      if (d.child !== undefined) return [0.06, 0.28];
      if (f.hasKids) return f.spendRatio > 0.8 ? [0.36, 0.02] : [0.1, 0.1];
      return [0.01, 0.004];
    case "ind_tjcr_fin_ult1": {
      const p = sigmoid(
        -3.3 + 1.0 * +f.active + 1.3 * +(f.spendRatio > 0.9) + 1.0 * +f.holdings.has("ind_nomina_ult1"),
      );
      if (averse) return [Math.max(p, 0.22), -0.11];
      // Dormant young clients take a credit-card push as spam and walk away.
      if (!f.active && f.age < 30) return [0.08, -0.04];
      if (f.age < 35 && f.active) return [p, 0.03 + 0.1 * Math.min(1, f.spendRatio)];
      return [p, f.active ? 0.02 : -0.01];
    }
    case "ind_pres_fin_ult1": {
      const relocated = within(d.relocation, 180);
      const p = sigmoid(-4 + 1.4 * +relocated + 1.0 * +(f.spendRatio > 1) + 0.6 * +within(car, 180));
      if (averse) return [Math.max(p, 0.18), -0.1];
      if (!f.active && f.age < 30) return [Math.max(p, 0.07), -0.035];
      if (relocated) return [p, 0.14];
      if (f.segment === "02 - PARTICULARES" && f.age >= 30 && f.age <= 55 && f.spendRatio > 0.7) {
        return [p, 0.09];
      }
      return [p, f.age > 65 ? -0.04 : 0.01];
    }
    case "ind_deco_fin_ult1":
      if (d.salary_rise !== undefined && incomeZ > -0.2) return [0.45, 0.02];
      // Students with money left over at the month's end open a first deposit when asked.
      if (f.segment === "03 - UNIVERSITARIO" && f.active && f.spendRatio < 0.6) return [0.03, 0.08];
      if (incomeZ > 0.4 && f.age > 45) return [0.4, 0];
      if (f.spendRatio < 0.5 && incomeZ > 0) {
        return [sigmoid(-3.6 + 0.6 * incomeZ), 0.1 + (f.age > 50 ? 0.05 : 0)];
      }
      return [sigmoid(-3.6 + 0.6 * incomeZ + 0.8 * +(f.age > 55)), f.active ? 0.01 : -0.005];
    case "ind_fond_fin_ult1": {
      const p = sigmoid(-4.2 + 1.6 * +top + 1.0 * +f.holdings.has("ind_valo_fin_ult1"));
      if (f.age > 68) return [Math.max(p, 0.08), -0.06];
      if (top && f.age > 58) return [0.36, 0.01];
      if (top && f.age >= 35) return [p, 0.12];
      return [p, f.segment === "02 - PARTICULARES" && incomeZ > 0.1 ? 0.06 : 0.005];
    }
    case "ind_plan_fin_ult1": {
      const p = sigmoid(-4.5 + 1.3 * +(f.age >= 45 && f.age <= 62));
      if (f.age >= 55 && f.age <= 64 && incomeZ > 0.3) return [0.34, 0.01];
      if (f.age > 64) return [0.08, -0.05];
      if (f.age >= 35 && f.age <= 60 && incomeZ > -0.2) {
        return [p, 0.05 + 0.08 * Math.tanh(Math.max(0, incomeZ))];
      }
      return [p, 0.005];
    }
    case "ind_ecue_fin_ult1":
      if (f.digital) return [0.42, 0];
      if (f.active && f.age >= 30 && f.age <= 55) return [sigmoid(-2.8), 0.11];
      if (!f.active && f.age > 45) return [0.09, -0.045];
      // A nudge reactivates dormant young clients through the online account.
      if (!f.active && f.age <= 45) return [0.04, 0.07];
      return [sigmoid(-3.5 + 0.7 * +f.active), 0.015];
    case "ind_valo_fin_ult1": {
      const p = sigmoid(-4.6 + 1.8 * +top + 1.2 * +f.holdings.has("ind_fond_fin_ult1"));
      if (top) return [p, f.holdings.has("ind_fond_fin_ult1") ? 0.03 : 0.09];
      if (f.active && f.age < 30 && incomeZ > 0.2) return [p, 0.06];
      if (!f.active && f.age > 45) return [Math.max(p, 0.06), -0.04];
      return [p, incomeZ > 0.4 && f.age > 35 ? 0.05 : 0.003];
    }
    case "ind_hip_fin_ult1": {
      const p = sigmoid(
        -5.2 + 1.2 * +(d.child !== undefined) + 0.9 * +(f.age >= 28 && f.age <= 42) +
          1.5 * +within(d.relocation, 120),
      );
      if (d.child !== undefined && f.age >= 26 && f.age <= 42 && incomeZ > -0.3) return [p, 0.15];
      if (f.age > 52) return [Math.max(p, 0.05), -0.04];
      return [p, within(d.relocation, 120) ? 0.08 : 0.004];
    }
  }
}

/** The segment of a (pControl, pTreated) pair under {@linkcode SEGMENT_THRESHOLDS}. */
export function upliftSegment(pControl: number, pTreated: number): UpliftSegment {
  const uplift = pTreated - pControl;
  if (uplift >= SEGMENT_THRESHOLDS.persuadable) return "persuadable";
  if (uplift <= SEGMENT_THRESHOLDS.sleepingDog) return "sleeping_dog";
  return pControl >= SEGMENT_THRESHOLDS.sureThing ? "sure_thing" : "lost_cause";
}

/** The true conversion probabilities and segment of one client for one offer. */
export function groundTruth(offer: CampaignOffer, features: TruthFeatures): Truth {
  const [p, tau] = baseTruth(offer, features);
  const pControl = Number(clamp(p, 0.002, 0.95).toFixed(4));
  const pTreated = Number(clamp(pControl + tau, 0.001, 0.97).toFixed(4));
  const uplift = Number((pTreated - pControl).toFixed(4));
  return { pControl, pTreated, uplift, segment: upliftSegment(pControl, pTreated) };
}
