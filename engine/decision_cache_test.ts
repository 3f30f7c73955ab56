import assert from "node:assert/strict";
import { UserActor } from "../actors/user_actor.ts";
import { DecisionCache, decisionVariant } from "./decision_cache.ts";

const ANSWER = { body: new TextEncoder().encode('{"offers":[]}'), productIds: [], counts: [] };

Deno.test("DecisionCache serves an answer only for the same actor object, revision, scorer and variant within the TTL", () => {
  const cache = new DecisionCache({ ttlMs: 30_000 });
  const actor = new UserActor("u1", 0);
  const scorer = {};
  const variant = decisionVariant(3, "ru", 0);
  cache.set(actor, actor.revision, scorer, variant, ANSWER, 1_000);
  assert.equal(cache.get(actor, scorer, variant, 1_000)?.body, ANSWER.body);
  assert.equal(cache.get(actor, scorer, decisionVariant(3, "en", 0), 1_000), undefined, "another language");
  assert.equal(cache.get(actor, scorer, decisionVariant(4, "ru", 0), 1_000), undefined, "another k");
  assert.equal(cache.get(actor, scorer, decisionVariant(3, "ru", 1), 1_000), undefined, "another strategy");
  assert.equal(cache.get(actor, {}, variant, 1_000), undefined, "a reloaded model");
  assert.equal(cache.get(new UserActor("u1", 0), scorer, variant, 1_000), undefined, "a restarted actor");
  assert.equal(cache.get(actor, scorer, variant, 31_000), undefined, "past the TTL");
  actor.revision++;
  assert.equal(cache.get(actor, scorer, variant, 1_000), undefined, "a change of state");
});

Deno.test("DecisionCache forgets a user on demand and keeps at most maxEntries answers", () => {
  const cache = new DecisionCache({ maxEntries: 3 });
  const scorer = {};
  const actors = ["a", "b", "c"].map((userId) => new UserActor(userId, 0));
  for (const actor of actors) cache.set(actor, 0, scorer, 1, ANSWER, 0);
  cache.set(actors[0], 0, scorer, 2, ANSWER, 0);
  assert.equal(cache.size, 3);
  assert.equal(cache.get(actors[1], scorer, 1, 0), undefined, "the user written longest ago went");
  assert.ok(cache.get(actors[0], scorer, 2, 0) && cache.get(actors[2], scorer, 1, 0));
  cache.invalidate("a");
  assert.equal(cache.size, 1);
  assert.equal(cache.get(actors[0], scorer, 1, 0), undefined);
  // An answer for a newer state replaces the user's older answers.
  actors[2].revision++;
  cache.set(actors[2], actors[2].revision, scorer, 5, ANSWER, 0);
  assert.equal(cache.size, 1);
  assert.equal(new DecisionCache({ ttlMs: 0 }).enabled, false);
});
