/**
 * Engine events as the generators build them: each with its epoch time kept
 * beside it so the final sort never re-parses timestamps.
 *
 * @module
 */

/** An event and its time in epoch milliseconds. */
export interface TimedEvent {
  ms: number;
  event: Record<string, unknown>;
}

/** The optional payload of one event. */
export interface EventFields {
  context?: Record<string, string>;
  item?: Record<string, string | number>;
  value?: number;
  query?: string;
}

/** Appends one user's events with reproducible ids (`<prefix><userId>-<n>`). */
export class UserEventWriter {
  #prefix: string;
  #userId: string;
  #out: TimedEvent[];
  #seq = 0;

  /** Writes into `out`; `prefix` keeps ids of different seeds apart. */
  constructor(prefix: string, userId: string, out: TimedEvent[]) {
    this.#prefix = prefix;
    this.#userId = userId;
    this.#out = out;
  }

  /** Adds an event at `ms` (rounded down to the second). */
  add(ms: number, type: string, fields: EventFields): void {
    const at = Math.floor(ms / 1000) * 1000;
    const event: Record<string, unknown> = {
      eventId: `${this.#prefix}${this.#userId}-${++this.#seq}`,
      userId: this.#userId,
      type,
      ts: new Date(at).toISOString(),
    };
    if (fields.context) event.context = fields.context;
    if (fields.item) event.item = fields.item;
    if (fields.value !== undefined) event.value = fields.value;
    if (fields.query !== undefined) event.query = fields.query;
    this.#out.push({ ms: at, event });
  }
}

/** Sorts by time, then by event id, so equal timestamps keep a reproducible order. */
export function sortTimedEvents(events: TimedEvent[]): Record<string, unknown>[] {
  events.sort((a, b) => {
    if (a.ms !== b.ms) return a.ms - b.ms;
    const x = a.event.eventId as string, y = b.event.eventId as string;
    return x < y ? -1 : x > y ? 1 : 0;
  });
  return events.map((e) => e.event);
}
