/**
 * The synthetic bank: clients in the Santander monthly layout calibrated to
 * the real sample, their operation histories and life events, and a
 * randomized campaign log with the ground-truth uplift of every row.
 *
 * @module
 */

import { emitLifeEvents, emitOperations, planLifeEvents, type PlannedLifeEvent } from "./_bank_history.ts";
import { type ClientBase, isoDate, monthlyRow, sampleClientBase } from "./_bank_profile.ts";
import { russianName } from "./_names.ts";
import { type TimedEvent, UserEventWriter } from "./_timed_event.ts";
import { type Calibration, EMBEDDED_CALIBRATION } from "./calibration.ts";
import { Random } from "./random.ts";
import { SANTANDER_PRODUCT_COLUMNS } from "./santander_csv.ts";
import type { BankClient, CampaignRow, LifeEvent, SantanderProfile } from "./types.ts";
import { CAMPAIGN_OFFERS, type CampaignOffer, groundTruth, type TruthFeatures } from "./uplift_truth.ts";
import { emitInitialProfile } from "./_initial_profile.ts";
import { ProductTimeline } from "./_product_timeline.ts";

const DAY_MS = 86_400_000;

/** Options for {@linkcode generateBank}. */
export interface GenerateBankOptions {
  seed: number;
  users: number;
  /** The end of the history (ISO timestamp or epoch ms). */
  asOf: string | number;
  /** Monthly rows per client; default 12. */
  months?: number;
  /** Distributions to draw from; default the embedded sample statistics. */
  calibration?: Calibration;
}

/** What {@linkcode generateBank} returns; events are unsorted with their times. */
export interface BankData {
  clients: BankClient[];
  campaign: CampaignRow[];
  events: TimedEvent[];
}

// Offers that a life event makes relevant: campaigns pick them more often.
const LINKED_OFFERS: Record<LifeEvent, CampaignOffer[]> = {
  car_purchase: ["ins_auto", "partner_auto_accessories"],
  mortgage: ["ins_property"],
  child: ["partner_kids_goods", "ind_hip_fin_ult1"],
  relocation: ["ins_property", "ind_pres_fin_ult1"],
  salary_rise: ["ind_deco_fin_ult1"],
};

/**
 * How strongly the bank's (pre-uplift) targeting rules favour an offer for a
 * client: offers tied to a life event, and offers that fit the profile. The
 * treatment is still randomized 50/50 within every campaign.
 */
export function targetingWeight(
  offer: CampaignOffer,
  base: ClientBase,
  life: PlannedLifeEvent[],
  beforeMs: number,
) {
  if (life.some((l) => l.ms < beforeMs && LINKED_OFFERS[l.event].includes(offer))) return 6;
  const fits = (offer === "ins_auto" || offer === "partner_auto_accessories")
    ? base.driver
    : offer === "partner_kids_goods"
    ? base.hasKids
    : offer === "ind_ecue_fin_ult1"
    ? base.digital
    : offer === "ind_fond_fin_ult1" || offer === "ind_valo_fin_ult1"
    ? base.segment === "01 - TOP"
    : offer === "ind_plan_fin_ult1"
    ? base.age >= 40 && base.age < 65
    : offer === "ins_property" || offer === "ind_deco_fin_ult1"
    ? base.income > 110_000 && base.age > 40
    : false;
  return fits ? 3 : 1;
}

/** The `fecha_dato` dates (the 28th) of the last `months` months up to `asOf`, oldest first. */
export function monthlyDates(asOfMs: number, months: number): { date: string; ms: number }[] {
  const asOf = new Date(asOfMs);
  const year = asOf.getUTCFullYear();
  let month = asOf.getUTCMonth();
  if (asOf.getUTCDate() < 28) month--;
  const dates: { date: string; ms: number }[] = [];
  for (let i = months - 1; i >= 0; i--) {
    const ms = Date.UTC(year, month - i, 28);
    dates.push({ date: isoDate(new Date(ms)), ms });
  }
  return dates;
}

/** Generates `users` bank clients (ids `b-000001`…) with histories and campaign rows. */
export function generateBank(options: GenerateBankOptions): BankData {
  const asOfMs = typeof options.asOf === "number" ? options.asOf : Date.parse(options.asOf);
  if (!Number.isFinite(asOfMs)) throw new RangeError(`Invalid asOf: ${options.asOf}`);
  const months = options.months ?? 12;
  const calibration = options.calibration ?? EMBEDDED_CALIBRATION;
  const root = new Random(options.seed).fork("bank");
  const dates = monthlyDates(asOfMs, months);
  const startMs = dates[0].ms - 30 * DAY_MS;
  const data: BankData = { clients: [], campaign: [], events: [] };
  const prefix = `s${options.seed}-`;
  for (let i = 1; i <= options.users; i++) {
    const rng = root.fork(i);
    const userId = `b-${String(i).padStart(6, "0")}`;
    const base = sampleClientBase(rng, calibration, String(2_000_000 + i));
    const life = planLifeEvents(rng, base, startMs, asOfMs, months);
    const timeline = new ProductTimeline(base.initialProducts);
    plantLifeProducts(rng, life, timeline, asOfMs);
    timeline.evolve(rng, calibration, dates.map((d) => d.ms));
    const writer = new UserEventWriter(prefix, userId, data.events);
    runCampaigns(rng, userId, base, life, timeline, asOfMs, data.campaign);
    const monthly = dates.map(({ date, ms }, m) =>
      monthlyRow(base, date, months - 1 - m, asOfMs, timeline.snapshot(ms + DAY_MS - 1))
    );
    emitInitialProfile(writer, monthly[0], base.initialProducts, startMs);
    emitLifeEvents(rng, base, life, writer, asOfMs);
    timeline.emit(writer, asOfMs);
    emitOperations(rng, base, life, writer, { startMs, endMs: asOfMs }, (p, at) => timeline.holds(p, at));
    const { products: _products, ...profile } = monthly[monthly.length - 1];
    data.clients.push({
      userId,
      displayName: russianName(rng, base.female),
      profile: profile as SantanderProfile,
      monthly,
      lifeEvents: life.map((l) => ({
        event: l.event,
        ts: new Date(Math.floor(l.ms / 1000) * 1000).toISOString(),
      })),
    });
  }
  return data;
}

function plantLifeProducts(rng: Random, life: PlannedLifeEvent[], timeline: ProductTimeline, endMs: number) {
  for (const { event, ms } of life) {
    const later = (days: number) => Math.min(endMs - 60_000, ms + days * DAY_MS);
    if (event === "mortgage") timeline.set("ind_hip_fin_ult1", later(0.1), 1);
    if (event === "car_purchase" && rng.bernoulli(0.35)) timeline.set("ind_pres_fin_ult1", later(1), 1);
    if (event === "child" && rng.bernoulli(0.3)) {
      timeline.set("ind_ctju_fin_ult1", later(rng.uniform(10, 60)), 1);
    }
  }
}

function runCampaigns(
  rng: Random,
  userId: string,
  base: ClientBase,
  life: PlannedLifeEvent[],
  timeline: ProductTimeline,
  asOfMs: number,
  out: CampaignRow[],
): void {
  const earliest = asOfMs - 75 * DAY_MS;
  const candidates = CAMPAIGN_OFFERS.filter((offer) => !timeline.holds(offer, earliest));
  const weights = candidates.map((offer) => targetingWeight(offer, base, life, asOfMs - 30 * DAY_MS));
  // Dormant clients are contacted less often.
  const count = base.active ? rng.int(3, 5) : rng.int(2, 4);
  const chosen = rng.sampleWeighted(candidates, weights, count)
    .map((offer) => ({ offer, at: Math.floor((asOfMs - rng.uniform(30, 75) * DAY_MS) / 60_000) * 60_000 }))
    .sort((a, b) => a.at - b.at);
  for (const { offer, at } of chosen) {
    if (timeline.holds(offer, at)) continue;
    const daysSince: Partial<Record<LifeEvent, number>> = {};
    for (const l of life) if (l.ms < at) daysSince[l.event] = (at - l.ms) / DAY_MS;
    const features: TruthFeatures = {
      age: base.age,
      segment: base.segment,
      income: base.income,
      active: base.active,
      holdings: new Set(SANTANDER_PRODUCT_COLUMNS.filter((p) => timeline.holds(p, at))),
      daysSince,
      driver: base.driver,
      hasKids: base.hasKids,
      spendRatio: base.spendRatio,
      digital: base.digital,
    };
    const truth = groundTruth(offer, features);
    const treated = rng.bernoulli(0.5) ? 1 : 0;
    const converted = rng.bernoulli(treated ? truth.pTreated : truth.pControl) ? 1 : 0;
    out.push({
      userId,
      offer,
      at: new Date(at).toISOString(),
      treated,
      converted,
      pControl: truth.pControl,
      pTreated: truth.pTreated,
      uplift: truth.uplift,
      segment: truth.segment,
    });
    if (converted) {
      const convertedAt = Math.min(asOfMs - 60_000, at + rng.uniform(1, 21) * DAY_MS);
      timeline.set(offer, convertedAt, 1);
    }
  }
}
