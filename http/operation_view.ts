/**
 * How the operation history reads to a client: one line per operation, life
 * event or product change, in the client's language.
 *
 * @module
 */

import type { Language } from "../decision/types.ts";
import { productByCode } from "../model/products.ts";
import type { EventLogEntry } from "../store/store.ts";
import { LABELS } from "../web/js/labels.js";

/**
 * One source for the names of data codes: the web app's own label table (a plain ES module the server can
 * import too), so the history reads the same in the API and on screen.
 */
const {
  category: SPEND_NAMES,
  retailCategory: RETAIL_NAMES,
  operationKind: KIND_NAMES,
  lifeEvent: LIFE_NAMES,
} = LABELS;

/** One line of the history. */
export interface OperationView {
  eventId: string;
  ts: string;
  type: string;
  category: string | null;
  amount: number | null;
  description: string;
}

interface LoggedPayload {
  item?: { id?: string; category?: string; price?: number };
  value?: number;
}

function money(amount: number, lang: Language): string {
  return `${new Intl.NumberFormat(lang === "ru" ? "ru-RU" : "en-US").format(amount)} ₽`;
}

/** Whether a logged event belongs in the history (operations, orders, life events, products). */
export function isHistoryEntry(entry: EventLogEntry): boolean {
  const payload = entry.payload as LoggedPayload;
  if (entry.type === "operation" || entry.type === "order") return true;
  const id = payload.item?.id ?? "";
  return entry.type === "profile" && (id.startsWith("life:") || productByCode(id) !== undefined);
}

/** Describes one logged event. */
export function describeOperation(entry: EventLogEntry, lang: Language): OperationView {
  const payload = entry.payload as LoggedPayload;
  const pick = (names: [string, string] | undefined, fallback: string) =>
    names ? names[lang === "ru" ? 0 : 1] : fallback;
  const base = { eventId: entry.eventId, ts: entry.ts.toISOString(), type: entry.type };
  const id = payload.item?.id ?? "";
  if (entry.type === "profile" && id.startsWith("life:")) {
    const event = id.slice(5);
    return { ...base, category: event, amount: null, description: pick(LIFE_NAMES[event], event) };
  }
  if (entry.type === "profile") {
    const product = productByCode(id);
    const name = product ? product.name[lang] : id;
    const opened = payload.value !== 0;
    const verb = lang === "ru"
      ? (opened ? "Подключён продукт" : "Закрыт продукт")
      : (opened ? "Product opened" : "Product closed");
    return { ...base, category: id, amount: null, description: `${verb}: ${name}` };
  }
  const category = payload.item?.category ?? null;
  const amount = payload.value ?? payload.item?.price ?? null;
  const names = category === null
    ? undefined
    : entry.type === "order"
    ? RETAIL_NAMES[category] ?? SPEND_NAMES[category]
    : SPEND_NAMES[category] ?? KIND_NAMES[category];
  const label = pick(names, category ?? entry.type);
  return {
    ...base,
    category,
    amount,
    description: amount === null ? label : `${label}: ${money(amount, lang)}`,
  };
}
