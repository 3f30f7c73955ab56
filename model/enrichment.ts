/**
 * The hybrid part of the model input (seed 004): the automatic features plus
 * the client's cluster (one-hot) and standardised distance to each offer's
 * median holder profile. Trained once on the clients' current features and
 * applied identically offline and in the actor.
 *
 * @module
 */

import { assignCluster, type ClusterModel, trainClusters } from "./clustering.ts";
import { FEATURE_COUNT, FEATURE_NAMES } from "./features.ts";
import { distanceToProfile, type MedianProfiles, medianProfiles } from "./median_profiles.ts";
import { rowOf } from "./training_set.ts";

/** Features that describe a client's kind, used for clusters and median profiles. */
export const PROFILE_FEATURES = [
  "age",
  "log_renta",
  "antiguedad_months",
  "sexo_male",
  "active",
  "products_held",
  "frequency_total",
  "monetary_total_log",
  "amount_90d_log",
  "salary_decayed_log",
  "spend_decayed_log",
  "share_groceries",
  "share_restaurants",
  "share_travel",
  "share_kids",
  "share_auto_service",
  "share_fuel",
  "weekend_share",
] as const;

/** The trained enrichment, plain JSON. */
export interface Enrichment {
  offers: string[];
  clusters: ClusterModel;
  profiles: MedianProfiles;
}

/** Names of the enriched vector: base features, then clusters, then distances per offer. */
export function enrichedNames(enrichment: Enrichment): string[] {
  return [
    ...FEATURE_NAMES,
    ...enrichment.clusters.centroids.map((_, c) => `cluster_${c}`),
    ...enrichment.offers.map((offer) => `profile_distance_${offer}`),
  ];
}

/** Trains clusters and median profiles on clients' current feature vectors. */
export function trainEnrichment(
  userFeatures: Float32Array,
  offers: readonly string[],
  options: { k?: number; seed?: number } = {},
): Enrichment {
  const columns = PROFILE_FEATURES.map((name) => FEATURE_NAMES.indexOf(name));
  const rows = Array.from({ length: userFeatures.length / FEATURE_COUNT }, (_, i) => rowOf(userFeatures, i));
  const clusters = trainClusters(rows, { k: options.k ?? 6, columns, seed: options.seed ?? 11 });
  const holdIndex = new Map(offers.map((offer) => [offer, FEATURE_NAMES.indexOf(`holds_${offer}`)]));
  const profiles = medianProfiles(
    rows,
    offers,
    (i, offer) => rows[i][holdIndex.get(offer)!] === 1,
    columns,
    5,
  );
  return { offers: [...offers], clusters, profiles };
}

/** The enriched vector of one client. */
export function enrich(enrichment: Enrichment, base: ArrayLike<number>): Float32Array {
  const k = enrichment.clusters.centroids.length;
  const out = new Float32Array(FEATURE_COUNT + k + enrichment.offers.length);
  for (let i = 0; i < FEATURE_COUNT; i++) out[i] = base[i];
  const { cluster } = assignCluster(enrichment.clusters, base);
  out[FEATURE_COUNT + cluster] = 1;
  enrichment.offers.forEach((offer, j) => {
    const distance = distanceToProfile(enrichment.profiles, offer, base);
    out[FEATURE_COUNT + k + j] = distance === null ? Number.NaN : distance.distance;
  });
  return out;
}

/** Enriches every row of a row-major base matrix. */
export function enrichAll(
  enrichment: Enrichment,
  base: Float32Array,
): { features: Float32Array; width: number } {
  const rows = base.length / FEATURE_COUNT;
  const width = FEATURE_COUNT + enrichment.clusters.centroids.length + enrichment.offers.length;
  const features = new Float32Array(rows * width);
  for (let i = 0; i < rows; i++) features.set(enrich(enrichment, rowOf(base, i)), i * width);
  return { features, width };
}
