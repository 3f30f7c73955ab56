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
  /** Appends valid events to `events` and rejected ones to `events.dlq`. */
  ingest(events: UserEvent[], rejected: Rejected[]): Promise<void>;
  /** Component checks for `/readyz`. */
  readiness(): Promise<Record<string, boolean>>;
  now(): number;
}
