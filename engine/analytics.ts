/**
 * What the analytics panel reads: the measured model comparison (the
 * evaluation `deno task eval` wrote), the client clusters, one client's
 * profile against every offer's median holder profile, and approach testing
 * (the same cohort decided by each strategy, compared on the uplift model's
 * expected outcomes).
 *
 * @module
 */

import type { Supervisor } from "../actors/supervisor.ts";
import type { UserActor } from "../actors/user_actor.ts";
import { clientFactsFrom } from "../decision/client_facts.ts";
import type { Language } from "../decision/types.ts";
import { assignCluster } from "../model/clustering.ts";
import { FEATURE_NAMES, featureVector } from "../model/features.ts";
import { distanceToProfile } from "../model/median_profiles.ts";
import { productByCode } from "../model/products.ts";
import type { UserScorer } from "../model/scorer.ts";
import type { Sql } from "../store/_sql.ts";
import { type Recommender, STRATEGIES, type Strategy } from "./recommender.ts";

const ACTIVATION_BATCH = 32;

/** Where the shipped evaluation lives (`deno task eval --seed 42 --users 8000 --out model/artifacts`). */
export const EVALUATION_FILE = new URL("../model/artifacts/evaluation.json", import.meta.url);

/** The evaluation as the panel shows it: one row per model, with its Qini curve. */
export interface ModelComparison {
  seed: number;
  users: number;
  generatedAt: string;
  testRows: number;
  testClients: number;
  budgetShare: number;
  models: {
    name: string;
    ours: boolean;
    qini: number;
    auuc: number;
    upliftAtK: number;
    incrementalConversions: number;
    curve: { x: number[]; y: number[] };
  }[];
  /** Baselines that were not measured, with why (the LLM baseline needs an endpoint). */
  skipped: { name: string; reason: string }[];
  nextProduct: { clientMonths: number; map7: Record<string, number> };
}

/** Reads the shipped evaluation; a clear reason when it is missing. */
export async function loadModelComparison(
  file: URL = EVALUATION_FILE,
): Promise<{ ok: true; value: ModelComparison } | { ok: false; reason: string }> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(await Deno.readTextFile(file));
  } catch (error) {
    return {
      ok: false,
      reason: `no evaluation at ${file.pathname} (run deno task eval): ${(error as Error).message}`,
    };
  }
  const models = raw.models as Record<string, Omit<ModelComparison["models"][number], "name" | "ours">>;
  return {
    ok: true,
    value: {
      seed: raw.seed as number,
      users: raw.users as number,
      generatedAt: raw.generatedAt as string,
      testRows: raw.testRows as number,
      testClients: raw.testClients as number,
      budgetShare: raw.budgetShare as number,
      models: Object.entries(models).map(([name, model]) => ({
        name,
        ours: name.includes("ours"),
        qini: model.qini,
        auuc: model.auuc,
        upliftAtK: model.upliftAtK,
        incrementalConversions: model.incrementalConversions,
        curve: model.curve,
      })),
      skipped: Object.entries(raw.skipped as Record<string, string>).map(([name, reason]) => ({
        name,
        reason,
      })),
      nextProduct: raw.nextProduct as ModelComparison["nextProduct"],
    },
  };
}

/** The clusters in the features' own units (de-standardised centroids). */
export function clusterView(scorer: UserScorer) {
  const { clusters } = scorer.models.enrichment;
  return {
    features: clusters.columns.map((column) => FEATURE_NAMES[column]),
    clusters: clusters.centroids.map((centroid, cluster) => ({
      cluster,
      size: clusters.sizes[cluster],
      centroid: centroid.map((z, j) => z * clusters.stds[j] + clusters.means[j]),
    })),
  };
}

/** One client's profile features against every offer's median holder profile. */
export function clientProfile(
  scorer: UserScorer,
  actor: Parameters<UserScorer["score"]>[0],
  nowMs: number,
  lang: Language,
) {
  const { enrichment } = scorer.models;
  const row = featureVector(actor, nowMs);
  const { profiles, clusters } = enrichment;
  const assigned = assignCluster(clusters, row);
  return {
    features: profiles.columns.map((column) => FEATURE_NAMES[column]),
    values: profiles.columns.map((column) => Number.isFinite(row[column]) ? row[column] : null),
    scales: profiles.scales,
    cluster: assigned.cluster,
    clusterDistance: assigned.distance,
    profiles: enrichment.offers.filter((offer) => profiles.medians[offer]).map((offer) => {
      const distance = distanceToProfile(profiles, offer, row);
      return {
        productId: offer,
        name: productByCode(offer)?.name[lang] ?? offer,
        holders: profiles.holders[offer],
        medians: profiles.medians[offer],
        distance: distance && Number.isFinite(distance.distance) ? distance.distance : null,
        differences: distance?.differences ?? [],
      };
    }),
  };
}

/** Who is compared: every resident bank client, a segment, or a cluster. */
export type Cohort = { kind: "all" } | { kind: "segment"; segment: string } | {
  kind: "cluster";
  cluster: number;
};

/** One strategy's expected outcome over the cohort, from the uplift model's estimates. */
export interface StrategyOutcome {
  strategy: Strategy;
  contacts: number;
  /** Σ uplift of the offers shown: conversions the contacts cause. */
  expectedIncremental: number;
  /** Σ P(buy | shown). */
  expectedConversions: number;
  /** Σ P(buy | not shown): conversions that would happen anyway. */
  expectedWithoutOffer: number;
  /** Offers whose estimated uplift is negative (sleeping dogs). */
  negativeUpliftContacts: number;
  /** The five products offered most. */
  topProducts: ProductCount[];
  /** Every product offered, most offered first (what merging node parts needs). */
  products: ProductCount[];
}

/** How often one product was offered. */
export interface ProductCount {
  productId: string;
  name: string;
  count: number;
}

/** {@linkcode compareStrategies}'s answer for one node's clients, or merged over nodes. */
export interface StrategyComparison {
  users: number;
  strategies: StrategyOutcome[];
}

function byCount(products: ProductCount[]): ProductCount[] {
  return products.sort((a, b) => b.count - a.count || a.productId.localeCompare(b.productId));
}

/**
 * Adds up comparisons of disjoint client sets (each node decides the clients whose partitions it owns):
 * users, contacts and expected outcomes sum, and product counts add up before the top five are taken.
 */
export function mergeComparisons(parts: readonly StrategyComparison[]): StrategyComparison {
  const merged = new Map<Strategy, StrategyOutcome & { counts: Map<string, ProductCount> }>();
  for (const part of parts) {
    for (const row of part.strategies) {
      const total = merged.get(row.strategy) ?? {
        strategy: row.strategy,
        contacts: 0,
        expectedIncremental: 0,
        expectedConversions: 0,
        expectedWithoutOffer: 0,
        negativeUpliftContacts: 0,
        topProducts: [],
        products: [],
        counts: new Map<string, ProductCount>(),
      };
      merged.set(row.strategy, total);
      total.contacts += row.contacts;
      total.expectedIncremental += row.expectedIncremental;
      total.expectedConversions += row.expectedConversions;
      total.expectedWithoutOffer += row.expectedWithoutOffer;
      total.negativeUpliftContacts += row.negativeUpliftContacts;
      for (const product of row.products) {
        const known = total.counts.get(product.productId);
        if (known) known.count += product.count;
        else total.counts.set(product.productId, { ...product });
      }
    }
  }
  return {
    users: parts.reduce((sum, part) => sum + part.users, 0),
    strategies: STRATEGIES.flatMap((strategy) => {
      const total = merged.get(strategy);
      if (!total) return [];
      const { counts, ...row } = total;
      const products = byCount([...counts.values()]);
      return [{ ...row, products, topProducts: products.slice(0, 5) }];
    }),
  };
}

/**
 * The actors of `userIds`, activated from their snapshots when not resident, in small parallel batches (a
 * restore is one query, so waiting on each in turn is slow). Users that cannot be activated are left out.
 */
export async function activateAll(supervisor: Supervisor, userIds: readonly string[]): Promise<UserActor[]> {
  const actors: UserActor[] = [];
  for (let i = 0; i < userIds.length; i += ACTIVATION_BATCH) {
    const batch = userIds.slice(i, i + ACTIVATION_BATCH);
    const settled = await Promise.allSettled(batch.map((userId) => supervisor.activate(userId)));
    for (const outcome of settled) if (outcome.status === "fulfilled") actors.push(outcome.value);
  }
  return actors;
}

/** Bank clients' ids from the users table (retail shoppers excluded), in id order. */
export async function bankUserIds(sql: Sql, limit: number): Promise<string[]> {
  const rows = await sql<{ user_id: string }[]>`
    select user_id from users where segment is distinct from 'retail' order by user_id limit ${limit}`;
  return rows.map((row) => row.user_id);
}

/**
 * Decides every bank client of the cohort among `userIds` with each strategy
 * (the decision layer's own rules, k offers each) and sums the model's
 * estimates. Actors are activated from their snapshots when not resident.
 */
export async function compareStrategies(
  deps: { supervisor: Supervisor; scorer: UserScorer; recommender: Recommender },
  options: { userIds: readonly string[]; cohort: Cohort; k: number; nowMs: number; lang: Language },
): Promise<StrategyComparison> {
  const totals = new Map(STRATEGIES.map((strategy) => [strategy, {
    strategy,
    contacts: 0,
    expectedIncremental: 0,
    expectedConversions: 0,
    expectedWithoutOffer: 0,
    negativeUpliftContacts: 0,
    counts: new Map<string, number>(),
  }]));
  let users = 0;
  const actors = await activateAll(deps.supervisor, options.userIds);
  for (const actor of actors) {
    if (!actor.bank) continue;
    if (options.cohort.kind === "segment") {
      if (clientFactsFrom(actor.bank, options.nowMs).segment !== options.cohort.segment) continue;
    }
    const scores = await deps.scorer.score(actor, options.nowMs);
    if (options.cohort.kind === "cluster" && scores.cluster !== options.cohort.cluster) continue;
    users++;
    for (const total of totals.values()) {
      const decision = deps.recommender.decide(actor, scores.offers, {
        k: options.k,
        strategy: total.strategy,
      }, options.nowMs);
      for (const offer of decision.offers) {
        total.contacts++;
        total.expectedIncremental += offer.uplift;
        total.expectedConversions += offer.pTreated;
        total.expectedWithoutOffer += offer.pControl;
        if (offer.uplift < 0) total.negativeUpliftContacts++;
        total.counts.set(offer.productId, (total.counts.get(offer.productId) ?? 0) + 1);
      }
    }
  }
  return {
    users,
    strategies: [...totals.values()].map(({ counts, ...total }) => {
      const products = byCount([...counts.entries()].map(([productId, count]) => ({
        productId,
        name: productByCode(productId)?.name[options.lang] ?? productId,
        count,
      })));
      return { ...total, products, topProducts: products.slice(0, 5) };
    }),
  };
}
