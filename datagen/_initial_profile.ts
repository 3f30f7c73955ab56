/**
 * The start of a bank client's event history: their demographics and the
 * products they held when the history begins, as `profile` events. With
 * these, an actor (or an offline replay) knows the client from events alone.
 *
 * @module
 */

import type { UserEventWriter } from "./_timed_event.ts";
import type { SantanderProfile } from "./types.ts";

const NUMERIC_FIELDS = ["age", "renta", "antiguedad", "ind_actividad_cliente", "ind_nuevo"] as const;
const TEXT_FIELDS = ["sexo", "segmento", "canal_entrada", "indext"] as const;

/**
 * Emits demographic and initial-holding `profile` events at `atMs`. Holdings
 * come from the start of the timeline, not a later monthly row, so nothing
 * opened later leaks into earlier features.
 */
export function emitInitialProfile(
  writer: UserEventWriter,
  first: SantanderProfile,
  initialProducts: Record<string, 0 | 1>,
  atMs: number,
): void {
  for (const field of NUMERIC_FIELDS) {
    const value = Number(first[field]);
    if (first[field] === "" || !Number.isFinite(value)) continue;
    writer.add(atMs, "profile", { item: { id: field }, value, context: { channel: "branch" } });
  }
  for (const field of TEXT_FIELDS) {
    if (first[field] === "") continue;
    writer.add(atMs, "profile", {
      item: { id: field, category: first[field] },
      context: { channel: "branch" },
    });
  }
  for (const [product, held] of Object.entries(initialProducts)) {
    if (held === 1) {
      writer.add(atMs, "profile", { item: { id: product }, value: 1, context: { channel: "branch" } });
    }
  }
}
