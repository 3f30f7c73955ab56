/**
 * Automatic features: one definition for training (offline, by replaying a
 * user's history through the actor's own state) and scoring (online, inside
 * the actor). RFM, 7/30/90-day windows with trend and weekend seasonality,
 * spending shares per category, salary, the product-holding vector, tenure,
 * demographics and life-event flags.
 *
 * @module
 */

import { LIFE_EVENTS, SPEND_CATEGORIES } from "../datagen/types.ts";
import type { BankProfile } from "./bank_profile.ts";
import { CHANNELS, DEMOGRAPHICS, SEGMENTS } from "./bank_profile.ts";
import type { FeatureWindow } from "./feature_window.ts";
import { PRODUCTS } from "./products.ts";

const DAY_MS = 86_400_000;
/** Days after a life event during which its flag is on. */
export const LIFE_EVENT_WINDOW_DAYS = 90;

/** Feature names, in vector order. */
export const FEATURE_NAMES: readonly string[] = [
  "age",
  "log_renta",
  "renta_missing",
  "antiguedad_months",
  "sexo_male",
  "active",
  "new_customer",
  "foreign",
  ...SEGMENTS.map((segment) => `segment_${segment.slice(0, 2)}`),
  ...CHANNELS.map((channel) => `channel_${channel}`),
  "channel_other",
  ...PRODUCTS.map((product) => `holds_${product.code}`),
  "products_held",
  "recency_days",
  "frequency_total",
  "monetary_total_log",
  "count_7d",
  "count_30d",
  "count_90d",
  "amount_7d_log",
  "amount_30d_log",
  "amount_90d_log",
  "trend_7_to_90",
  "tenure_days",
  "spend_decayed_log",
  ...SPEND_CATEGORIES.map((category) => `share_${category}`),
  "salary_decayed_log",
  "transfers_share",
  "weekend_share",
  ...LIFE_EVENTS.map((event) => `life_${event}_recent`),
  ...LIFE_EVENTS.map((event) => `life_${event}_days`),
];

/** Number of features. */
export const FEATURE_COUNT = FEATURE_NAMES.length;

/** What features are computed from: the actor's window and bank profile. */
export interface FeatureSource {
  window: FeatureWindow;
  bank: BankProfile | null;
}

const log1p = (value: number) => Math.log1p(Math.max(0, value));

/**
 * The feature vector of a user as of `nowMs`. Missing values are NaN (the
 * tree models route them); nothing here reads the clock or global state.
 */
export function featureVector(source: FeatureSource, nowMs: number): Float32Array {
  const out = new Float32Array(FEATURE_COUNT).fill(Number.NaN);
  let i = 0;
  const bank = source.bank;
  const demo = (field: typeof DEMOGRAPHICS[number]) =>
    bank ? bank.demographic(DEMOGRAPHICS.indexOf(field)) : Number.NaN;
  const renta = demo("renta");
  out[i++] = demo("age");
  out[i++] = renta > 0 ? Math.log(renta) : Number.NaN;
  out[i++] = bank ? (renta > 0 ? 0 : 1) : Number.NaN;
  out[i++] = demo("antiguedad");
  out[i++] = demo("sexo");
  out[i++] = demo("ind_actividad_cliente");
  out[i++] = demo("ind_nuevo");
  out[i++] = demo("indext");
  const segment = demo("segmento");
  for (let s = 0; s < SEGMENTS.length; s++) {
    out[i++] = Number.isNaN(segment) ? Number.NaN : segment === s ? 1 : 0;
  }
  const channel = demo("canal_entrada");
  for (let c = 0; c <= CHANNELS.length; c++) {
    out[i++] = Number.isNaN(channel) ? Number.NaN : channel === c ? 1 : 0;
  }
  let held = 0;
  for (let p = 0; p < PRODUCTS.length; p++) {
    const holds = bank ? bank.holds(p) : 0;
    held += holds;
    out[i++] = bank ? holds : Number.NaN;
  }
  out[i++] = bank ? held : Number.NaN;

  const summary = source.window.summary(nowMs);
  out[i++] = summary.recencyDays ?? Number.NaN;
  out[i++] = summary.frequency;
  out[i++] = log1p(summary.monetary);
  out[i++] = summary.last7.count;
  out[i++] = summary.last30.count;
  out[i++] = summary.last90.count;
  out[i++] = log1p(summary.last7.amount);
  out[i++] = log1p(summary.last30.amount);
  out[i++] = log1p(summary.last90.amount);
  out[i++] = summary.trend7to90;
  out[i++] = summary.tenureDays ?? Number.NaN;

  const flows = bank ? bank.flowsAt(nowMs) : null;
  let spend = 0;
  if (flows) { for (let c = 0; c < SPEND_CATEGORIES.length; c++) spend += flows[c]; }
  out[i++] = flows ? log1p(spend) : Number.NaN;
  for (let c = 0; c < SPEND_CATEGORIES.length; c++) {
    out[i++] = flows && spend > 0 ? flows[c] / spend : flows ? 0 : Number.NaN;
  }
  const salary = flows ? flows[SPEND_CATEGORIES.length] : Number.NaN;
  const transfers = flows ? flows[SPEND_CATEGORIES.length + 1] : Number.NaN;
  const weekend = flows ? flows[SPEND_CATEGORIES.length + 2] : Number.NaN;
  out[i++] = flows ? log1p(salary) : Number.NaN;
  out[i++] = flows ? transfers / Math.max(1, spend + transfers) : Number.NaN;
  out[i++] = flows ? weekend / Math.max(1, spend) : Number.NaN;

  for (let e = 0; e < LIFE_EVENTS.length; e++) {
    const at = bank ? bank.lifeAt(e) : Number.NaN;
    out[i++] = bank ? (at <= nowMs && nowMs - at <= LIFE_EVENT_WINDOW_DAYS * DAY_MS ? 1 : 0) : Number.NaN;
  }
  for (let e = 0; e < LIFE_EVENTS.length; e++) {
    const at = bank ? bank.lifeAt(e) : Number.NaN;
    out[i++] = at <= nowMs ? Math.min(730, (nowMs - at) / DAY_MS) : bank ? 730 : Number.NaN;
  }
  if (i !== FEATURE_COUNT) throw new Error(`Feature vector filled ${i} of ${FEATURE_COUNT} slots`);
  return out;
}
