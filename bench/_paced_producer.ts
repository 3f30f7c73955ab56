/**
 * Worker: produces events to Kafka at a steady rate, as a separate producer
 * service would, and reports the send time of every event id to the main
 * thread so the latency benchmark can match it when the event is applied.
 *
 * Messages in: {@linkcode PacedProducerRequest}. Out: {@linkcode PacedProducerReport}.
 *
 * @module
 */

import { Kafka, logLevel } from "kafkajs";
import { TOPICS } from "../bus/bus.ts";
import { makeEventJson, makeUserPool } from "./_events.ts";

/** What the main thread asks for. */
export interface PacedProducerRequest {
  brokers: string[];
  partitions: number;
  users: number;
  eventsPerSecond: number;
  durationMs: number;
}

/** What the worker reports: sends as they happen, then a summary. */
export type PacedProducerReport =
  | { type: "sent"; eventIds: string[]; sentAt: number }
  | { type: "done"; sent: number; seconds: number }
  | { type: "error"; message: string };

const scope = globalThis as unknown as {
  onmessage: ((event: MessageEvent<PacedProducerRequest>) => void) | null;
  postMessage(report: PacedProducerReport): void;
};

/** High-resolution wall clock, comparable across workers. */
function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

async function run(request: PacedProducerRequest): Promise<void> {
  const pool = makeUserPool(request.users, request.partitions);
  const kafka = new Kafka({ clientId: "bench-paced", brokers: request.brokers, logLevel: logLevel.NOTHING });
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const inFlight = new Set<Promise<unknown>>();
  const started = performance.now();
  let sent = 0;
  try {
    for (;;) {
      const elapsed = performance.now() - started;
      if (elapsed >= request.durationMs) break;
      const due = Math.floor((request.eventsPerSecond * elapsed) / 1000) - sent;
      if (due > 0 && inFlight.size < 16) {
        const count = Math.min(due, 5_000);
        const eventIds: string[] = new Array(count);
        const messages = new Array(count);
        const tsMs = Date.now();
        for (let i = 0; i < count; i++) {
          const index = Math.floor(Math.random() * request.users);
          const userId = pool.ids[index];
          eventIds[i] = crypto.randomUUID();
          messages[i] = {
            key: userId,
            value: makeEventJson(userId, { eventId: eventIds[i], tsMs }),
            partition: pool.partitions[index],
          };
        }
        const sentAt = nowMs();
        scope.postMessage({ type: "sent", eventIds, sentAt });
        const sending = producer.send({ topic: TOPICS.events, acks: -1, messages })
          .finally(() => inFlight.delete(sending));
        inFlight.add(sending);
        sent += count;
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await Promise.all(inFlight);
    scope.postMessage({ type: "done", sent, seconds: (performance.now() - started) / 1000 });
  } finally {
    await producer.disconnect();
  }
}

scope.onmessage = (event) => {
  run(event.data).catch((error) => scope.postMessage({ type: "error", message: String(error) }));
};
