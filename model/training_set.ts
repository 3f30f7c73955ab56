/**
 * Builds the modelling tables from a dataset: every bank client's history is
 * replayed through the actor's own state (see `feature_replay.ts`), giving
 * leak-free features at each campaign decision and at each month end, plus
 * the features "now" for clustering and profiles. Clients are split into
 * train and test by a hash of their id, so no client is on both sides.
 *
 * @module
 */

import { parseEvent, type UserEvent } from "../domain/event.ts";
import type { CampaignRow, GeneratedData } from "../datagen/types.ts";
import { FEATURE_COUNT } from "./features.ts";
import { replayFeatures } from "./feature_replay.ts";

/** One randomized campaign decision with its features. */
export interface CampaignExample {
  userId: string;
  offer: string;
  atMs: number;
  treated: 0 | 1;
  converted: 0 | 1;
  trueUplift: number;
  segment: CampaignRow["segment"];
  test: boolean;
  /** Row index into {@linkcode TrainingSet.campaignFeatures}. */
  row: number;
}

/** One client-month for next-product modelling: features at the month end, products added the next month. */
export interface MonthExample {
  userId: string;
  test: boolean;
  row: number;
  /** Santander product columns added during the following month. */
  added: string[];
  /** Santander product columns held at the month end. */
  held: string[];
}

/** Everything the trainers and the evaluation read. */
export interface TrainingSet {
  asOfMs: number;
  examples: CampaignExample[];
  campaignFeatures: Float32Array;
  months: MonthExample[];
  monthFeatures: Float32Array;
  /** Bank clients' features as of the dataset's end. */
  users: { userId: string; test: boolean }[];
  userFeatures: Float32Array;
}

/** A stable hash in [0, 1) of a string (FNV-1a). */
export function unitHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) hash = Math.imul(hash ^ text.charCodeAt(i), 0x01000193);
  return (hash >>> 0) / 4294967296;
}

/** Builds the tables; `testShare` of clients (by id hash) form the held-out set. */
export function buildTrainingSet(data: GeneratedData, options: { testShare?: number } = {}): TrainingSet {
  const testShare = options.testShare ?? 0.3;
  const asOfMs = Date.parse(data.asOf);
  const histories = new Map<string, UserEvent[]>();
  for (const raw of data.events) {
    const userId = raw.userId;
    if (typeof userId !== "string" || !userId.startsWith("b-")) continue;
    const parsed = parseEvent(raw, { nowMs: asOfMs + 86_400_000 });
    if (!parsed.ok) throw new Error(`Generated event is invalid (${parsed.reason}): ${JSON.stringify(raw)}`);
    let list = histories.get(userId);
    if (!list) histories.set(userId, list = []);
    list.push(parsed.event);
  }
  const campaignsByUser = new Map<string, CampaignRow[]>();
  for (const row of data.campaign) {
    let list = campaignsByUser.get(row.userId);
    if (!list) campaignsByUser.set(row.userId, list = []);
    list.push(row);
  }
  const examples: CampaignExample[] = [];
  const campaignVectors: Float32Array[] = [];
  const months: MonthExample[] = [];
  const monthVectors: Float32Array[] = [];
  const users: TrainingSet["users"] = [];
  const userVectors: Float32Array[] = [];
  for (const client of data.clients) {
    const events = histories.get(client.userId) ?? [];
    events.sort((a, b) => a.tsMs - b.tsMs);
    const test = unitHash(client.userId) < testShare;
    const rows = (campaignsByUser.get(client.userId) ?? []).slice().sort((a, b) =>
      Date.parse(a.at) - Date.parse(b.at)
    );
    const monthEnds = client.monthly.slice(0, -1).map((row) => Date.parse(`${row.fecha_dato}T23:59:59Z`));
    const moments = [...rows.map((row) => Date.parse(row.at)), ...monthEnds, asOfMs];
    const order = moments.map((moment, i) => ({ moment, i })).sort((a, b) => a.moment - b.moment);
    const vectors = replayFeatures(client.userId, events, order.map((entry) => entry.moment));
    const byMoment = new Array<Float32Array>(moments.length);
    order.forEach((entry, k) => byMoment[entry.i] = vectors[k]);
    rows.forEach((row, i) => {
      examples.push({
        userId: client.userId,
        offer: row.offer,
        atMs: Date.parse(row.at),
        treated: row.treated,
        converted: row.converted,
        trueUplift: row.uplift,
        segment: row.segment,
        test,
        row: campaignVectors.length,
      });
      campaignVectors.push(byMoment[i]);
    });
    for (let m = 0; m < monthEnds.length; m++) {
      const now = client.monthly[m].products;
      const next = client.monthly[m + 1].products;
      months.push({
        userId: client.userId,
        test,
        row: monthVectors.length,
        added: Object.keys(next).filter((product) => next[product] === 1 && now[product] !== 1),
        held: Object.keys(now).filter((product) => now[product] === 1),
      });
      monthVectors.push(byMoment[rows.length + m]);
    }
    users.push({ userId: client.userId, test });
    userVectors.push(byMoment[moments.length - 1]);
  }
  return {
    asOfMs,
    examples,
    campaignFeatures: stack(campaignVectors),
    months,
    monthFeatures: stack(monthVectors),
    users,
    userFeatures: stack(userVectors),
  };
}

/** Row-major concatenation of equal-length vectors. */
export function stack(vectors: readonly Float32Array[], width = FEATURE_COUNT): Float32Array {
  const out = new Float32Array(vectors.length * width);
  vectors.forEach((vector, i) => out.set(vector, i * width));
  return out;
}

/** Row `i` of a row-major matrix. */
export function rowOf(matrix: Float32Array, i: number, width = FEATURE_COUNT): Float32Array {
  return matrix.subarray(i * width, (i + 1) * width);
}
