/**
 * Adds the LLM baseline to an evaluation when an LLM is configured: the LLM
 * ranks offers for a sample of held-out clients from their profile and
 * cluster, and the ranking is scored like every other model on those rows.
 *
 * @module
 */

import { ChatClient } from "../llm/chat_client.ts";
import type { LlmSettings } from "../llm/settings.ts";
import { llmScores } from "./baselines/llm.ts";
import { assignCluster } from "./clustering.ts";
import { trainEnrichment } from "./enrichment.ts";
import type { EvaluationReport } from "./evaluate.ts";
import { FEATURE_COUNT } from "./features.ts";
import { pickRows } from "./train.ts";
import { rowOf, type TrainingSet } from "./training_set.ts";
import { qiniCurve, upliftReport } from "./uplift/metrics.ts";

/** Scores up to `maxRows` held-out rows with the LLM and adds the result to `report.models`. */
export async function addLlmBaseline(
  report: EvaluationReport,
  set: TrainingSet,
  offers: readonly string[],
  settings: LlmSettings,
  options: { maxRows?: number } = {},
): Promise<void> {
  const trainUsers = set.users.map((user, i) => ({ user, i })).filter(({ user }) => !user.test);
  const enrichment = trainEnrichment(
    pickRows(set.userFeatures, FEATURE_COUNT, trainUsers.map(({ i }) => i)),
    offers,
  );
  const client = new ChatClient(settings);
  const rows = set.examples.filter((example) => example.test).slice(0, options.maxRows ?? 400);
  const scores: number[] = [];
  let failures = 0;
  for (const example of rows) {
    const features = rowOf(set.campaignFeatures, example.row);
    try {
      const ranking = await llmScores(
        client,
        features,
        assignCluster(enrichment.clusters, features).cluster,
        offers,
      );
      scores.push(ranking.get(example.offer) ?? 0);
    } catch {
      failures++;
      scores.push(0);
    }
  }
  const outcome = rows.map((example) => example.converted);
  const treatment = rows.map((example) => example.treated);
  const { oracle: _oracle, ...figures } = upliftReport(outcome, scores, treatment, {
    k: report.budgetShare,
    trueUplift: rows.map((example) => example.trueUplift),
  });
  const curve = qiniCurve(outcome, scores, treatment);
  const last = curve.x.length - 1;
  report.models[`llm (${settings.model}, ${rows.length} rows, ${failures} failed)`] = {
    ...figures,
    curve: { x: curve.x.map((x) => x / curve.x[last]), y: curve.y },
    perOffer: {},
  };
}
