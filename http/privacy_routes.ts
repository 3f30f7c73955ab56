/**
 * Privacy endpoints: erasure (`DELETE /v1/users/:id`, by the user or a
 * service), pseudonymisation for producers that do not hold the key
 * (`POST /admin/pseudonyms`), and the state of encryption at rest
 * (`GET /admin/privacy`: keys loaded, rows per key, erasures).
 *
 * @module
 */

import type { Hono } from "hono";
import { NotOwnerError } from "../actors/supervisor.ts";
import { USER_TABLES } from "../store/erasure.ts";
import { piiKeyUsage } from "../store/pii_rotation.ts";
import { readValid } from "./body.ts";
import type { AppDeps } from "./deps.ts";
import { HttpError } from "./errors.ts";
import { forwardToOwner } from "./forward.ts";
import type { Operation } from "./openapi.ts";
import { requireUser } from "./user_auth.ts";

const MAX_PSEUDONYMS = 1000;

/** Documented operations of this module. */
export const PRIVACY_OPERATIONS: Operation[] = [
  {
    method: "delete",
    path: "/v1/users/:id",
    summary: "Erase the user everywhere: every table, actor memory, and a tombstone on users.tombstones",
    tag: "privacy",
    auth: "user",
    parameters: [{ name: "id", in: "path", required: true, schema: { type: "string", maxLength: 128 } }],
    responses: {
      "200": {
        description: "{userId, actor, deleted:{table: rows}, partition, throughOffset, erasedAt, tombstone}",
      },
      "401": { description: "Missing or invalid token" },
      "403": { description: "The token belongs to another user" },
      "503": {
        description: "The partition is moving, or the tombstone could not be written; repeat the request",
      },
    },
  },
  {
    method: "post",
    path: "/admin/pseudonyms",
    summary: "Pseudonymise external (bank) ids with PSEUDONYM_KEY, for producers that do not hold the key",
    tag: "privacy",
    auth: "admin",
    requestBody: {
      type: "object",
      additionalProperties: false,
      required: ["externalIds"],
      properties: {
        externalIds: {
          type: "array",
          minItems: 1,
          maxItems: MAX_PSEUDONYMS,
          items: { type: "string", minLength: 1, maxLength: 256 },
        },
      },
    },
    responses: { "200": { description: "{userIds: [...]} in the same order" } },
  },
  {
    method: "get",
    path: "/admin/privacy",
    summary: "Encryption at rest: key ids loaded, the current one, stored values per key; erasures recorded",
    tag: "privacy",
    auth: "admin",
    responses: { "200": { description: "{currentKeyId, keyIds, keySources, usage, erasures, userTables}" } },
  },
];

/** Registers the privacy routes (the admin guard on `/admin/*` is registered by the admin routes). */
export function registerPrivacyRoutes(app: Hono, deps: AppDeps): void {
  const user = requireUser(deps.userTokens, () => deps.adminToken, deps.now, "id");

  app.delete("/v1/users/:id", user, forwardToOwner(deps), async (c) => {
    let report;
    try {
      report = await deps.erasure.erase(c.req.param("id"));
    } catch (error) {
      if (error instanceof NotOwnerError) throw error;
      // The actor is already out of memory and its events are refused; the tables wait for a repeat.
      deps.logger.log("warn", "erasure did not complete", { error: String(error) });
      c.header("Retry-After", "5");
      throw new HttpError(
        503,
        "the erasure did not complete (the database is unavailable); repeat the request",
      );
    }
    if (!report.tombstone.written) {
      c.header("Retry-After", "1");
      throw new HttpError(
        503,
        "erased from Postgres and memory, but the tombstone was not written; repeat",
        report,
      );
    }
    return c.json(report);
  });

  app.post("/admin/pseudonyms", async (c) => {
    const body = await readValid<{ externalIds: string[] }>(
      c,
      PRIVACY_OPERATIONS[1].requestBody!,
      512 * 1024,
    );
    const userIds: string[] = [];
    for (const [index, externalId] of body.externalIds.entries()) {
      try {
        userIds.push(await deps.pseudonyms.pseudonymise(externalId));
      } catch (error) {
        throw new HttpError(400, "invalid request", { [`externalIds[${index}]`]: (error as Error).message });
      }
    }
    return c.json({ userIds });
  });

  app.get("/admin/privacy", async (c) => {
    const [{ erasures }] = await deps.sql<
      { erasures: number }[]
    >`select count(*)::int as erasures from erasures`;
    return c.json({
      currentKeyId: deps.vault.cipher.keyId,
      keyIds: deps.vault.cipher.keyIds,
      keySources: deps.privacyKeySources,
      usage: await piiKeyUsage(deps.sql),
      erasures,
      userTables: USER_TABLES,
    });
  });
}
