/**
 * Sustained event load for the chaos scenario: bank clients' card operations
 * and views, produced to the `events` topic at a steady rate by one kafkajs
 * producer, as an upstream service would. Every event is counted for its user
 * once its send is acknowledged. A send that fails is retried with the same
 * records until the cluster takes them, so a retry may append some records
 * twice; the engine's `eventId` idempotency must absorb that.
 *
 * The producer is the only writer of `events`, and its sends are sequential,
 * so after each acknowledged send it knows each partition's end offset: the
 * lag probe compares it with the durable watermark in Postgres.
 *
 * @module
 */

import type { Kafka, Producer } from "kafkajs";
import { partitionFor, TOPICS } from "../bus/bus.ts";
import { LIFE_EVENTS, SPEND_CATEGORIES } from "../datagen/types.ts";
import { SEGMENTS } from "../model/bank_profile.ts";

/** Options for {@linkcode EventLoad}. */
export interface EventLoadOptions {
  kafka: Kafka;
  partitions: number;
  users: readonly string[];
  eventsPerSecond: number;
  /** Seeded randomness for user and event choice. */
  random: () => number;
  /** Told of each failed send (the load retries it). */
  onError?: (message: string) => void;
}

/** Per-second load as produced (acknowledged). */
export interface LoadSecond {
  at: number;
  events: number;
}

const TICK_MS = 100;

/** The id of chaos user `index`. */
export function chaosUserId(index: number): string {
  return `chaos-${index.toString().padStart(4, "0")}`;
}

/** Produces events at a steady rate until stopped. */
export class EventLoad {
  /** Acknowledged events per user. */
  readonly produced = new Map<string, number>();
  /** End offset (next offset) of each partition after the last acknowledged send. */
  readonly endOffsets = new Map<number, number>();
  readonly timeline: LoadSecond[] = [];
  total = 0;
  failedSends = 0;
  /** Milliseconds spent retrying failed sends (the load stalls meanwhile). */
  stalledMs = 0;
  /** Events of a send that was never acknowledged before the load gave up on it (their fate is unknown). */
  unacknowledged = 0;
  #options: EventLoadOptions;
  #producer: Producer;
  #running = false;
  #loop: Promise<void> | null = null;
  #connected: Promise<void> | null = null;
  /** After stop(), a send still failing is given up at this time. */
  #giveUpAt: number | null = null;

  constructor(options: EventLoadOptions) {
    this.#options = options;
    this.#producer = options.kafka.producer({ allowAutoTopicCreation: false });
  }

  /** Gives every user a bank profile (age, segment, income, a life event) before the stream starts. */
  async seedProfiles(nowMs: number): Promise<void> {
    const { random } = this.#options;
    const records = this.#options.users.flatMap((userId, i) => {
      const base = { userId, ts: new Date(nowMs - 3_600_000).toISOString(), context: { channel: "app" } };
      return [
        { ...base, eventId: crypto.randomUUID(), type: "profile", item: { id: "age" }, value: 25 + (i % 40) },
        {
          ...base,
          eventId: crypto.randomUUID(),
          type: "profile",
          item: { id: "segmento", category: SEGMENTS[i % SEGMENTS.length] },
        },
        {
          ...base,
          eventId: crypto.randomUUID(),
          type: "profile",
          item: { id: "renta" },
          value: Math.round(40_000 + random() * 160_000),
        },
        {
          ...base,
          eventId: crypto.randomUUID(),
          type: "profile",
          item: { id: `life:${LIFE_EVENTS[i % LIFE_EVENTS.length]}` },
          value: 1,
        },
      ];
    });
    for (let at = 0; at < records.length; at += 500) await this.#send(records.slice(at, at + 500));
  }

  /** Starts the steady stream. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#loop = this.#run();
  }

  /** Stops the stream after the send in flight is acknowledged (or given up on after `graceMs`). */
  async stop(graceMs = 60_000): Promise<void> {
    this.#running = false;
    this.#giveUpAt ??= Date.now() + graceMs;
    await this.#loop;
  }

  async #renewProducer(): Promise<void> {
    const old = this.#producer;
    await old.disconnect().catch(() => {});
    this.#producer = this.#options.kafka.producer({ allowAutoTopicCreation: false });
    this.#connected = this.#producer.connect().catch(() => {});
  }

  /** Disconnects the producer. */
  async close(): Promise<void> {
    await this.stop();
    if (this.#connected) await this.#producer.disconnect().catch(() => {});
  }

  async #run(): Promise<void> {
    const { users, eventsPerSecond, random } = this.#options;
    const started = performance.now();
    let due = 0;
    while (this.#running) {
      const elapsed = performance.now() - started;
      const owed = Math.floor((eventsPerSecond * elapsed) / 1000) - due;
      if (owed > 0) {
        // A stall is not made up in one burst: the load stays near its rate.
        const count = Math.min(owed, Math.ceil(eventsPerSecond * TICK_MS / 1000) * 3);
        const tsMs = Date.now() - 1_000;
        const records: { userId: string; [field: string]: unknown }[] = [];
        for (let i = 0; i < count; i++) {
          const userId = users[Math.floor(random() * users.length)];
          const roll = random();
          const event = roll < 0.6
            ? {
              type: "operation",
              item: { category: SPEND_CATEGORIES[Math.floor(random() * SPEND_CATEGORIES.length)] },
              value: -Math.round(100 + random() * 9_900),
              context: { channel: "card" },
            }
            : {
              type: "view",
              item: { id: `sku-${Math.floor(random() * 300)}`, category: "dairy", price: 89 },
              context: { channel: "mobile", location: "msk" },
            };
          records.push({ eventId: crypto.randomUUID(), userId, ts: new Date(tsMs).toISOString(), ...event });
        }
        await this.#send(records);
        due += owed;
      }
      await new Promise((resolve) => setTimeout(resolve, TICK_MS));
    }
  }

  /** Sends until acknowledged, then counts the records. */
  async #send(events: { userId: string; [field: string]: unknown }[]): Promise<void> {
    this.#connected ??= this.#producer.connect();
    const { partitions } = this.#options;
    const messages = events.map((event) => ({
      key: event.userId,
      value: JSON.stringify(event),
      partition: partitionFor(event.userId, partitions),
    }));
    let stalledSince: number | null = null;
    let failures = 0;
    for (;;) {
      try {
        await this.#connected;
        const metadata = await this.#producer.send({
          topic: TOPICS.events,
          acks: -1,
          messages,
          timeout: 5_000,
        });
        const counts = new Map<number, number>();
        for (const message of messages) {
          counts.set(message.partition, (counts.get(message.partition) ?? 0) + 1);
        }
        for (const entry of metadata) {
          const count = counts.get(entry.partition) ?? 0;
          if (entry.baseOffset !== undefined) {
            this.endOffsets.set(entry.partition, Number(entry.baseOffset) + count);
          }
        }
        break;
      } catch (error) {
        this.failedSends++;
        failures++;
        stalledSince ??= performance.now();
        this.#options.onError?.(String(error));
        if (this.#giveUpAt !== null && Date.now() > this.#giveUpAt) {
          this.unacknowledged += events.length;
          this.stalledMs += performance.now() - stalledSince;
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
        // A producer that keeps failing gets replaced, as a service would restart its client.
        if (failures % 8 === 0) await this.#renewProducer();
      }
    }
    if (stalledSince !== null) this.stalledMs += performance.now() - stalledSince;
    for (const event of events) this.produced.set(event.userId, (this.produced.get(event.userId) ?? 0) + 1);
    this.total += events.length;
    const second = Math.floor(Date.now() / 1000) * 1000;
    const last = this.timeline.at(-1);
    if (last && last.at === second) last.events += events.length;
    else this.timeline.push({ at: second, events: events.length });
  }
}
