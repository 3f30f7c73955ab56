/**
 * The metrics the supervisor reports, registered once per engine.
 *
 * @module
 */

import { Counter, Histogram, type Registry } from "../obs/metrics.ts";

/** Counters and histograms the supervisor updates. */
export interface SupervisorMetrics {
  eventsApplied: Counter;
  deadLetters: Counter;
  droppedMessages: Counter;
  actorFailures: Counter;
  actorRestarts: Counter;
  activations: Counter;
  activationSeconds: Histogram;
  passivations: Counter;
  snapshotsWritten: Counter;
  flushSeconds: Histogram;
  storeErrors: Counter;
  fenced: Counter;
}

/** Creates the supervisor's metrics in `registry`. */
export function createSupervisorMetrics(registry: Registry): SupervisorMetrics {
  return {
    eventsApplied: registry.add(new Counter("engine_events_applied_total", "Events applied to actors")),
    deadLetters: registry.add(new Counter("engine_dead_letters_total", "Records sent to events.dlq")),
    droppedMessages: registry.add(
      new Counter("engine_dropped_messages_total", "Messages sent to stopped actors"),
    ),
    actorFailures: registry.add(new Counter("engine_actor_failures_total", "Actor crashes")),
    actorRestarts: registry.add(new Counter("engine_actor_restarts_total", "Actor restarts")),
    activations: registry.add(new Counter("engine_activations_total", "Actor activations")),
    activationSeconds: registry.add(
      new Histogram("engine_activation_seconds", "Time to activate actors from snapshots"),
    ),
    passivations: registry.add(new Counter("engine_passivations_total", "Actor passivations")),
    snapshotsWritten: registry.add(
      new Counter("engine_snapshots_written_total", "Actor snapshots written to Postgres"),
    ),
    flushSeconds: registry.add(new Histogram("engine_flush_seconds", "Snapshot flush duration")),
    storeErrors: registry.add(new Counter("engine_store_errors_total", "Failed Postgres operations")),
    fenced: registry.add(
      new Counter("engine_fenced_partitions_total", "Partitions lost to another node's lease"),
    ),
  };
}
