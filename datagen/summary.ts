/**
 * A short report of a generated dataset: counts, uplift segment shares,
 * per-offer conversion treated vs control, and the seed's car example
 * checked on the ground truth and empirically.
 *
 * @module
 */

import type { CampaignRow, GeneratedData, UpliftSegment } from "./types.ts";

/** Conversion of one group of campaign rows. */
export interface ArmRates {
  rows: number;
  treated: number;
  control: number;
  /** Observed treated minus control conversion. */
  observedUplift: number;
  /** Mean ground-truth uplift. */
  trueUplift: number;
}

/** What {@linkcode summarize} reports. */
export interface Summary {
  counts: {
    clients: number;
    monthlyRows: number;
    campaignRows: number;
    catalogItems: number;
    shoppers: number;
    events: number;
  };
  segmentShares: Record<UpliftSegment, number>;
  offers: Record<string, ArmRates>;
  car: {
    /** Car buyers' rows (car purchase before the decision). */
    insAuto: ArmRates & { sureThingShare: number; meanPControl: number };
    partnerAccessories: ArmRates & { persuadableShare: number };
    holds: boolean;
  };
}

/** Treated/control conversion and mean true uplift of some rows. */
export function armRates(rows: readonly CampaignRow[]): ArmRates {
  let t = 0, tc = 0, c = 0, cc = 0, truth = 0;
  for (const r of rows) {
    if (r.treated) {
      t++;
      tc += r.converted;
    } else {
      c++;
      cc += r.converted;
    }
    truth += r.uplift;
  }
  const treated = t ? tc / t : 0, control = c ? cc / c : 0;
  return {
    rows: rows.length,
    treated,
    control,
    observedUplift: treated - control,
    trueUplift: rows.length ? truth / rows.length : 0,
  };
}

/** Rows of `offer` for clients whose car purchase came before the decision. */
export function carBuyerRows(data: GeneratedData, offer: string): CampaignRow[] {
  const carAt = new Map<string, number>();
  for (const client of data.clients) {
    const car = client.lifeEvents.find((l) => l.event === "car_purchase");
    if (car) carAt.set(client.userId, Date.parse(car.ts));
  }
  return data.campaign.filter((r) => {
    const at = carAt.get(r.userId);
    return r.offer === offer && at !== undefined && at < Date.parse(r.at);
  });
}

/** Summarizes a dataset. */
export function summarize(data: GeneratedData): Summary {
  const segmentShares: Record<UpliftSegment, number> = {
    persuadable: 0,
    sure_thing: 0,
    lost_cause: 0,
    sleeping_dog: 0,
  };
  for (const r of data.campaign) segmentShares[r.segment]++;
  for (const key of Object.keys(segmentShares) as UpliftSegment[]) {
    segmentShares[key] = data.campaign.length ? segmentShares[key] / data.campaign.length : 0;
  }
  const byOffer = new Map<string, CampaignRow[]>();
  for (const r of data.campaign) {
    const list = byOffer.get(r.offer) ?? [];
    list.push(r);
    byOffer.set(r.offer, list);
  }
  const offers: Record<string, ArmRates> = {};
  for (const [offer, rows] of [...byOffer].sort()) offers[offer] = armRates(rows);
  const auto = carBuyerRows(data, "ins_auto");
  const accessories = carBuyerRows(data, "partner_auto_accessories");
  const insAuto = {
    ...armRates(auto),
    sureThingShare: auto.length ? auto.filter((r) => r.segment === "sure_thing").length / auto.length : 0,
    meanPControl: auto.length ? auto.reduce((s, r) => s + r.pControl, 0) / auto.length : 0,
  };
  const partnerAccessories = {
    ...armRates(accessories),
    persuadableShare: accessories.length
      ? accessories.filter((r) => r.segment === "persuadable").length / accessories.length
      : 0,
  };
  return {
    counts: {
      clients: data.clients.length,
      monthlyRows: data.clients.reduce((s, c) => s + c.monthly.length, 0),
      campaignRows: data.campaign.length,
      catalogItems: data.catalog.length,
      shoppers: data.shoppers.length,
      events: data.events.length,
    },
    segmentShares,
    offers,
    car: {
      insAuto,
      partnerAccessories,
      holds: insAuto.sureThingShare === 1 && partnerAccessories.persuadableShare === 1,
    },
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The summary as a few lines of text. */
export function formatSummary(s: Summary): string {
  const lines = [
    `clients ${s.counts.clients} (monthly rows ${s.counts.monthlyRows}), campaign rows ${s.counts.campaignRows}, ` +
    `catalog ${s.counts.catalogItems}, shoppers ${s.counts.shoppers}, events ${s.counts.events}`,
    "segments: " + Object.entries(s.segmentShares).map(([k, v]) => `${k} ${pct(v)}`).join(", "),
    "conversion treated vs control (observed uplift / true uplift):",
  ];
  for (const [offer, r] of Object.entries(s.offers)) {
    lines.push(
      `  ${offer.padEnd(26)} n=${String(r.rows).padStart(6)}  ${pct(r.treated).padStart(6)} vs ${
        pct(r.control).padStart(6)
      }` +
        `  (${pct(r.observedUplift)} / ${pct(r.trueUplift)})`,
    );
  }
  const { insAuto, partnerAccessories } = s.car;
  lines.push(
    `car buyers: ins_auto n=${insAuto.rows} sure things ${pct(insAuto.sureThingShare)}, ` +
      `${pct(insAuto.treated)} vs ${
        pct(insAuto.control)
      }; partner_auto_accessories n=${partnerAccessories.rows} ` +
      `persuadable ${pct(partnerAccessories.persuadableShare)}, ${pct(partnerAccessories.treated)} vs ` +
      `${pct(partnerAccessories.control)} — example ${s.car.holds ? "holds" : "DOES NOT hold"}`,
  );
  return lines.join("\n");
}
