/**
 * What the HTTP edge needs from the engine. Handlers call into these and
 * never reach into the bus or Postgres themselves.
 *
 * @module
 */

import type { Supervisor } from "../actors/supervisor.ts";
import type { ClusterRouter, ClusterStore } from "../cluster/router.ts";
import type { PartitionOwnership } from "../cluster/ownership.ts";
import type { UserEvent } from "../domain/event.ts";
import type { Registry } from "../obs/metrics.ts";
import type { Logger } from "../obs/log.ts";
import type { Scheduler } from "../jobs/scheduler.ts";
import type { ModelService } from "../engine/models.ts";
import type { Recommender } from "../engine/recommender.ts";
import type { NotificationHub } from "../engine/notification_hub.ts";
import type { ChatService } from "../engine/chat_service.ts";
import type { Sql } from "../store/_sql.ts";
import type { EventLogEntry } from "../store/store.ts";
import type { UserTokenService } from "../engine/security.ts";
import type { ErasureReport } from "../engine/user_erasure.ts";
import type { PiiVault } from "../privacy/pii_vault.ts";
import type { KeySource } from "../privacy/privacy_keys.ts";
import type { Pseudonymizer } from "../privacy/pseudonym.ts";
import type { RateLimiter } from "./rate_limit.ts";

/** One event that failed validation at the edge. */
export interface Rejected {
  index: number;
  reason: string;
  raw: unknown;
}

/** The engine, as the HTTP layer sees it. */
export interface AppDeps {
  nodeId: string;
  mode: "kafka" | "embedded";
  partitionCount: number;
  adminToken: string;
  ingestToken: string;
  supervisor: Supervisor;
  ownership: PartitionOwnership;
  router: ClusterRouter;
  cluster: ClusterStore;
  registry: Registry;
  logger: Logger;
  jobs: Scheduler;
  models: ModelService;
  /** `demo` issues login-by-ID tokens; `jwt` only verifies the identity provider's. */
  authMode: "demo" | "jwt";
  /** Demo tokens (issued and verified), or the identity provider's JWTs (verified only). */
  userTokens: UserTokenService;
  /** Seals and opens personal data at rest. */
  vault: PiiVault;
  /** Keyed-hash pseudonyms of external ids. */
  pseudonyms: Pseudonymizer;
  /** Where the privacy keys came from (env, file, derived). */
  privacyKeySources: Record<string, KeySource>;
  /** Erases a user owned by this node. */
  erasure: { erase(userId: string): Promise<ErasureReport> };
  /** Per-user and per-address limits, shared by every entry point of the node. */
  rateLimiter: RateLimiter;
  /** Postgres, for the user-facing tables (users, consents, notifications, chat turns). */
  sql: Sql;
  recommender: Recommender;
  notifications: NotificationHub;
  chat: ChatService;
  /** A user's durable event history, newest first. */
  eventLog(userId: string, limit: number): Promise<EventLogEntry[]>;
  /** Appends valid events to `events` and rejected ones to `events.dlq`. */
  ingest(events: UserEvent[], rejected: Rejected[], requestId?: string): Promise<void>;
  /** Component checks for `/readyz`. */
  readiness(): Promise<Record<string, boolean>>;
  now(): number;
}
