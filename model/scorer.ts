/**
 * Scores a live actor: its features (the same definition as training), the
 * hybrid enrichment (cluster, distances to median product profiles), then
 * every offer's P(buy | shown), P(buy | not shown) and uplift from the ONNX
 * graph run by onnxruntime-web, and the next-month propensity of each
 * Santander product. Results are cached per actor until it applies another event.
 *
 * @module
 */

import { assignCluster } from "./clustering.ts";
import { enrich } from "./enrichment.ts";
import { type FeatureSource, featureVector } from "./features.ts";
import { distanceToProfile } from "./median_profiles.ts";
import type { TrainedModels } from "./train.ts";
import { predictProbability } from "./uplift/gbt.ts";
import { OnnxUpliftScorer } from "./uplift/onnx_scorer.ts";

/** One offer's scores. */
export interface OfferScore {
  productId: string;
  pTreated: number;
  pControl: number;
  uplift: number;
}

/** Everything the decision layer and the analytics read about a user. */
export interface UserScores {
  offers: OfferScore[];
  /** Santander product → P(adds it next month). */
  propensity: Record<string, number>;
  cluster: number;
  /** Offer → standardised distance to its holders' median profile (null when unknown). */
  profileDistance: Record<string, number | null>;
  scoredAtMs: number;
}

/** What can be scored: an actor's feature source plus a version that changes with every applied event. */
export interface Scorable extends FeatureSource {
  eventsApplied: number;
}

/** Scores actors with the trained models. */
export class UserScorer {
  #models: TrainedModels;
  #onnx: OnnxUpliftScorer;
  #cache = new WeakMap<Scorable, { version: number; scores: UserScores }>();

  private constructor(models: TrainedModels, onnx: OnnxUpliftScorer) {
    this.#models = models;
    this.#onnx = onnx;
  }

  /** Creates the ONNX session for the trained models. */
  static async create(
    models: TrainedModels,
    onnxBytes: Uint8Array,
  ): Promise<{ ok: true; scorer: UserScorer } | { ok: false; reason: string }> {
    const loaded = await OnnxUpliftScorer.load(onnxBytes, {
      nFeatures: models.featureNames.length,
      nProducts: models.offers.length,
    });
    if (!loaded.ok) return loaded;
    return { ok: true, scorer: new UserScorer(models, loaded.scorer) };
  }

  /** The offers the uplift model covers. */
  get offers(): readonly string[] {
    return this.#models.offers;
  }

  /** The trained models (for analytics). */
  get models(): TrainedModels {
    return this.#models;
  }

  /** Scores one actor as of `nowMs`; reuses the last result while no event was applied since. */
  async score(actor: Scorable, nowMs: number): Promise<UserScores> {
    const cached = this.#cache.get(actor);
    if (cached && cached.version === actor.eventsApplied) return cached.scores;
    const version = actor.eventsApplied;
    // Read the state synchronously: the actor may apply more events while ONNX runs.
    const base = featureVector(actor, nowMs);
    const input = enrich(this.#models.enrichment, base);
    const raw = await this.#onnx.score(input);
    const offers = this.#models.offers.map((productId, i) => ({
      productId,
      pTreated: raw.pTreated[i],
      pControl: raw.pControl[i],
      uplift: raw.uplift[i],
    }));
    const propensity: Record<string, number> = {};
    for (const [product, model] of Object.entries(this.#models.propensity)) {
      propensity[product] = predictProbability(model, input);
    }
    const enrichment = this.#models.enrichment;
    const profileDistance: Record<string, number | null> = {};
    for (const offer of enrichment.offers) {
      profileDistance[offer] = distanceToProfile(enrichment.profiles, offer, base)?.distance ?? null;
    }
    const scores: UserScores = {
      offers,
      propensity,
      cluster: assignCluster(enrichment.clusters, base).cluster,
      profileDistance,
      scoredAtMs: nowMs,
    };
    this.#cache.set(actor, { version, scores });
    return scores;
  }

  /** Frees the ONNX session. */
  async close(): Promise<void> {
    await this.#onnx.release();
  }
}
