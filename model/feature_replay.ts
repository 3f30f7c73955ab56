/**
 * Offline features: replays a user's history through a fresh `UserActor`, the
 * same state machine that runs online, and reads the feature vector at given
 * moments. Training and scoring therefore share one definition by
 * construction.
 *
 * @module
 */

import { UserActor } from "../actors/user_actor.ts";
import type { UserEvent } from "../domain/event.ts";
import { featureVector } from "./features.ts";

/**
 * Feature vectors of one user at each of `moments` (epoch ms, ascending),
 * using only events strictly before each moment. `events` must be sorted by time.
 */
export function replayFeatures(
  userId: string,
  events: readonly UserEvent[],
  moments: readonly number[],
): Float32Array[] {
  const actor = new UserActor(userId, 0);
  const vectors: Float32Array[] = [];
  let next = 0;
  for (const moment of moments) {
    if (vectors.length > 0 && moment < moments[vectors.length - 1]) {
      throw new RangeError("moments must be in ascending order");
    }
    while (next < events.length && events[next].tsMs < moment) {
      actor.receive({ type: "event.apply", event: events[next], partition: 0, offset: next });
      next++;
    }
    vectors.push(featureVector(actor, moment));
  }
  return vectors;
}
