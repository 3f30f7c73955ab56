/**
 * The engine's models at run time: loads the newest artifacts (a retrain in
 * `DATA_DIR/models`, else the shipped `model/artifacts`), scores actors, and
 * runs the seed's batch jobs — vectors recomputed for resident users, and the
 * daily retrain from Postgres in a child process, swapped in without a restart.
 *
 * @module
 */

import type { Supervisor } from "../actors/supervisor.ts";
import { DEFAULT_ARTIFACTS_DIR, loadArtifacts } from "../model/artifacts.ts";
import { loadDatasetFromPostgres } from "../model/pg_dataset.ts";
import { retrainInProcess } from "../model/retrain.ts";
import { UserScorer } from "../model/scorer.ts";
import type { Logger } from "../obs/log.ts";
import type { Store } from "../store/store.ts";
import type { Progress } from "../jobs/scheduler.ts";

/** What `/admin/models` shows. */
export interface ModelStatus {
  loaded: boolean;
  source: string | null;
  trainedAt: string | null;
  offers: string[];
  features: number;
  reason: string | null;
}

/** Holds the current scorer and the jobs that refresh it. */
export class ModelService {
  #store: Store;
  #logger: Logger;
  #dir: string;
  #scorer: UserScorer | null = null;
  #status: ModelStatus = {
    loaded: false,
    source: null,
    trainedAt: null,
    offers: [],
    features: 0,
    reason: "not loaded",
  };

  private constructor(store: Store, logger: Logger, dataDir: string) {
    this.#store = store;
    this.#logger = logger;
    this.#dir = `${dataDir}/models`;
  }

  /** Loads the newest available models; the engine runs (without scores) when there are none. */
  static async start(
    options: { store: Store; logger: Logger; dataDir: string; enabled?: boolean },
  ): Promise<ModelService> {
    const service = new ModelService(options.store, options.logger, options.dataDir);
    if (options.enabled === false) {
      service.#status = { ...service.#status, reason: "models are turned off (MODELS=off)" };
      return service;
    }
    const retrained = await service.#load(service.#dir);
    if (!retrained) await service.#load(DEFAULT_ARTIFACTS_DIR);
    return service;
  }

  async #load(dir: string | URL): Promise<boolean> {
    let exists = true;
    try {
      await Deno.stat(dir instanceof URL ? dir : `${dir}/models.json`);
    } catch {
      exists = false;
    }
    if (!exists) return false;
    const artifacts = await loadArtifacts(dir);
    if (!artifacts.ok) {
      this.#status = { ...this.#status, reason: artifacts.reason };
      this.#logger.log("warn", "models not loaded", { reason: artifacts.reason });
      return false;
    }
    const created = await UserScorer.create(artifacts.models, artifacts.onnx);
    if (!created.ok) {
      this.#status = { ...this.#status, reason: created.reason };
      this.#logger.log("warn", "models not loaded", { reason: created.reason });
      return false;
    }
    const previous = this.#scorer;
    this.#scorer = created.scorer;
    await previous?.close();
    this.#status = {
      loaded: true,
      source: dir instanceof URL ? "shipped" : dir,
      trainedAt: artifacts.models.trainedAt,
      offers: artifacts.models.offers,
      features: artifacts.models.featureNames.length,
      reason: null,
    };
    this.#logger.log("info", "models loaded", {
      source: this.#status.source,
      offers: this.#status.offers.length,
    });
    return true;
  }

  /** The current scorer, or null when no models are loaded. */
  get scorer(): UserScorer | null {
    return this.#scorer;
  }

  /** Load state for `/admin/models`. */
  status(): ModelStatus {
    return structuredClone(this.#status);
  }

  /** The vectors job: scores every resident actor and stores clusters and offers in `user_scores`. */
  async recomputeVectors(
    supervisor: Supervisor,
    progress: Progress,
    signal: AbortSignal,
  ): Promise<Record<string, unknown>> {
    const scorer = this.#scorer;
    if (!scorer) return { skipped: "no models loaded" };
    const userIds = supervisor.residentUserIds();
    const rows: Record<string, unknown>[] = [];
    let stored = 0;
    const flushRows = async () => {
      if (rows.length === 0) return;
      await this.#store.sql`
        insert into user_scores ${this.#store.sql(rows.splice(0))}
        on conflict (user_id) do update set cluster = excluded.cluster, offers = excluded.offers,
          propensity = excluded.propensity, profile_distance = excluded.profile_distance, scored_at = excluded.scored_at`;
    };
    for (let i = 0; i < userIds.length && !signal.aborted; i++) {
      const actor = supervisor.peek(userIds[i]);
      if (!actor?.bank) continue;
      const scores = await scorer.score(actor, Date.now());
      rows.push({
        user_id: userIds[i],
        cluster: scores.cluster,
        offers: scores.offers,
        propensity: scores.propensity,
        profile_distance: scores.profileDistance,
        scored_at: new Date(scores.scoredAtMs),
      });
      stored++;
      if (rows.length >= 500) await flushRows();
      if (i % 200 === 0) progress(i / userIds.length, `${i} of ${userIds.length} actors`);
    }
    await flushRows();
    return { scored: stored, resident: userIds.length };
  }

  /** The daily retrain: dataset from Postgres, training in a child process, then a hot swap. */
  async retrain(progress: Progress, signal: AbortSignal): Promise<Record<string, unknown>> {
    progress(0, "reading the dataset from Postgres");
    const data = await loadDatasetFromPostgres(this.#store.sql);
    if (data.clients.length === 0) return { skipped: "no bank clients in Postgres" };
    const result = await retrainInProcess(
      data,
      this.#dir,
      (f, note) => progress(0.05 + 0.9 * f, note),
      signal,
    );
    progress(0.97, "loading the new models");
    if (!(await this.#load(this.#dir))) {
      throw new Error(this.#status.reason ?? "The retrained models did not load");
    }
    return { clients: data.clients.length, rows: result.rows, seconds: Math.round(result.seconds) };
  }

  /** Frees the ONNX session. */
  async close(): Promise<void> {
    await this.#scorer?.close();
    this.#scorer = null;
  }
}
