/**
 * Request schemas of the user-facing endpoints (one declaration for
 * validation and `/openapi.json`), and the events each valid request becomes.
 * Everything a user does reaches the actor as events through the log, so it
 * is durable, ordered and applied exactly once like any other input.
 *
 * @module
 */

import type { UserEvent } from "../domain/event.ts";
import { FEEDBACK_VALUES } from "../actors/engagement.ts";
import { BANK_FAMILY_PREFIX, CONSENT_PREFIX } from "../actors/user_actor.ts";
import { LIFE_EVENTS, SPEND_CATEGORIES } from "../datagen/types.ts";
import { CONSENT_PURPOSES } from "../decision/types.ts";
import { SEGMENTS } from "../model/bank_profile.ts";
import { productByCode, SANTANDER_PRODUCTS } from "../model/products.ts";
import type { JsonSchema } from "./openapi.ts";

/** Locations the retail catalog stocks. */
export const LOCATIONS = ["msk", "spb", "kzn", "ekb"] as const;

/** Cold-start registration: the dataset's profile fields. */
export const REGISTRATION_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["age", "sexo", "segmento"],
  properties: {
    // The bank's own customer id; never stored: the user id becomes its keyed hash (privacy/pseudonym.ts).
    externalId: { type: "string", minLength: 1, maxLength: 256, pattern: "^[^\\u0000-\\u001f\\u007f]+$" },
    displayName: { type: "string", minLength: 1, maxLength: 64 },
    age: { type: "integer", minimum: 14, maximum: 110 },
    sexo: { type: "string", enum: ["H", "V"] },
    renta: { type: "number", minimum: 0, maximum: 100_000_000 },
    segmento: { type: "string", enum: [...SEGMENTS] },
    antiguedad: { type: "integer", minimum: 0, maximum: 1200 },
    canal_entrada: { type: "string", pattern: "^[A-Z0-9]{3}$" },
    ind_actividad_cliente: { type: "integer", enum: [0, 1] },
    indext: { type: "string", enum: ["N", "S"] },
    location: { type: "string", enum: [...LOCATIONS] },
    products: {
      type: "array",
      maxItems: SANTANDER_PRODUCTS.length,
      uniqueItems: true,
      items: { type: "string", enum: SANTANDER_PRODUCTS.map((product) => product.code) },
    },
  },
};

/** A registration that passed {@linkcode REGISTRATION_SCHEMA}. */
export interface Registration {
  externalId?: string;
  displayName?: string;
  age: number;
  sexo: "H" | "V";
  renta?: number;
  segmento: string;
  antiguedad?: number;
  canal_entrada?: string;
  ind_actividad_cliente?: 0 | 1;
  indext?: "N" | "S";
  location?: string;
  products?: string[];
}

/** An operation added by hand. */
export const OPERATION_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["kind"],
  properties: {
    kind: { type: "string", enum: ["purchase", "salary", "transfer", "life_event"] },
    category: { type: "string", enum: [...SPEND_CATEGORIES] },
    amount: { type: "number", minimum: 1, maximum: 100_000_000 },
    lifeEvent: { type: "string", enum: [...LIFE_EVENTS] },
  },
};

/** An operation that passed {@linkcode OPERATION_SCHEMA}. */
export interface OperationInput {
  kind: "purchase" | "salary" | "transfer" | "life_event";
  category?: string;
  amount?: number;
  lifeEvent?: string;
}

/** Consents to set (any subset). */
export const CONSENTS_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  properties: Object.fromEntries(CONSENT_PURPOSES.map((purpose) => [purpose, { type: "boolean" }])),
};

/** Feedback kinds the API takes. */
export const FEEDBACK_KINDS = [
  "like",
  "dislike",
  "not_interested",
  "complaint",
  "rating",
  "click",
  "conversion",
] as const;

/** Feedback on an offer, a catalog item or a chat turn. */
export const FEEDBACK_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["kind"],
  properties: {
    userId: { type: "string", maxLength: 128, pattern: "^[A-Za-z0-9._:@-]+$" },
    kind: { type: "string", enum: [...FEEDBACK_KINDS] },
    productId: { type: "string", maxLength: 128, pattern: "^[A-Za-z0-9._:-]+$" },
    itemId: { type: "string", maxLength: 128, pattern: "^[A-Za-z0-9._:-]+$" },
    turnId: { type: "string", maxLength: 64, pattern: "^[A-Za-z0-9-]+$" },
    value: { type: "integer", minimum: 1, maximum: 5 },
  },
};

/** Feedback that passed {@linkcode FEEDBACK_SCHEMA}. */
export interface FeedbackInput {
  userId?: string;
  kind: typeof FEEDBACK_KINDS[number];
  productId?: string;
  itemId?: string;
  turnId?: string;
  value?: number;
}

type EventDraft = Omit<UserEvent, "eventId" | "userId" | "ts" | "tsMs">;

function stamp(userId: string, nowMs: number, drafts: EventDraft[]): UserEvent[] {
  // Consecutive milliseconds keep the drafts' order on the actor's clock.
  return drafts.map((draft, index) => {
    const tsMs = nowMs + index;
    return { eventId: crypto.randomUUID(), userId, ts: new Date(tsMs).toISOString(), tsMs, ...draft };
  });
}

/** The profile events of a registration. */
export function registrationEvents(userId: string, input: Registration, nowMs: number): UserEvent[] {
  const context = { channel: "app", ...(input.location ? { location: input.location } : {}) };
  const drafts: EventDraft[] = [];
  const numbers: Record<string, number | undefined> = {
    age: input.age,
    renta: input.renta,
    antiguedad: input.antiguedad ?? 0,
    ind_actividad_cliente: input.ind_actividad_cliente ?? 1,
    ind_nuevo: 1,
  };
  for (const [field, value] of Object.entries(numbers)) {
    if (value !== undefined) drafts.push({ type: "profile", item: { id: field }, value, context });
  }
  const texts: Record<string, string | undefined> = {
    sexo: input.sexo,
    segmento: input.segmento,
    canal_entrada: input.canal_entrada,
    indext: input.indext ?? "N",
  };
  for (const [field, text] of Object.entries(texts)) {
    if (text !== undefined) drafts.push({ type: "profile", item: { id: field, category: text }, context });
  }
  for (const code of input.products ?? []) {
    drafts.push({ type: "profile", item: { id: code }, value: 1, context });
  }
  return stamp(userId, nowMs, drafts);
}

/** The events of a hand-added operation, or a reason it is incomplete. */
export function operationEvents(
  userId: string,
  input: OperationInput,
  nowMs: number,
): { ok: true; events: UserEvent[] } | { ok: false; fields: Record<string, string> } {
  const context = { channel: "app" };
  const amount = input.amount;
  switch (input.kind) {
    case "life_event": {
      if (!input.lifeEvent) return { ok: false, fields: { lifeEvent: "is required for a life event" } };
      const drafts: EventDraft[] = [{
        type: "profile",
        item: { id: `life:${input.lifeEvent}` },
        value: 1,
        context,
      }];
      // A car bought shows in the account as a payment to the dealer, as the generator writes it.
      if (input.lifeEvent === "car_purchase" && amount !== undefined) {
        drafts.push({
          type: "operation",
          item: { category: "auto_dealer" },
          value: -amount,
          context: { channel: "card" },
        });
      }
      return { ok: true, events: stamp(userId, nowMs, drafts) };
    }
    case "purchase":
      if (!input.category) return { ok: false, fields: { category: "is required for a purchase" } };
      if (amount === undefined) return { ok: false, fields: { amount: "is required for a purchase" } };
      return {
        ok: true,
        events: stamp(userId, nowMs, [{
          type: "operation",
          item: { category: input.category },
          value: -amount,
          context: { channel: "card" },
        }]),
      };
    case "salary":
    case "transfer":
      if (amount === undefined) return { ok: false, fields: { amount: `is required for a ${input.kind}` } };
      return {
        ok: true,
        events: stamp(userId, nowMs, [{
          type: "operation",
          item: { category: input.kind },
          value: input.kind === "salary" ? amount : -amount,
          context,
        }]),
      };
  }
}

/** The consent events of a consents update. */
export function consentEvents(userId: string, consents: Record<string, boolean>, nowMs: number): UserEvent[] {
  return stamp(
    userId,
    nowMs,
    Object.entries(consents).map(([purpose, granted]) => ({
      type: "profile",
      item: { id: `${CONSENT_PREFIX}${purpose}` },
      value: granted ? 1 : 0,
      context: { channel: "app" },
    })),
  );
}

/** The event of a feedback, or a reason it cannot be one. */
export function feedbackEvent(
  userId: string,
  input: FeedbackInput,
  nowMs: number,
): { ok: true; event: UserEvent } | { ok: false; fields: Record<string, string> } {
  const target = input.productId ?? input.itemId;
  if (target === undefined) return { ok: false, fields: { productId: "productId or itemId is required" } };
  const product = input.productId === undefined ? undefined : productByCode(input.productId);
  if (input.productId !== undefined && product === undefined) {
    return { ok: false, fields: { productId: "is not a known product" } };
  }
  // Feedback on a bank product moves the preference weight of its family, which the decision layer reads as
  // a conflicting preference. "Not interested" is about this offer now, not the family: it only starts the
  // product's cooldown in the contact policy.
  const familyKey = product && input.kind !== "not_interested"
    ? { category: `${BANK_FAMILY_PREFIX}${product.family}` }
    : {};
  const item = { id: target, ...familyKey };
  const context = { channel: "app" };
  let draft: EventDraft;
  switch (input.kind) {
    case "rating":
      if (input.value === undefined) {
        return { ok: false, fields: { value: "is required for a rating (1-5)" } };
      }
      draft = { type: "rating", item, value: input.value, context };
      break;
    case "click":
      draft = { type: "click", item, context };
      break;
    default: {
      const value = input.kind === "like"
        ? FEEDBACK_VALUES.like
        : input.kind === "complaint"
        ? FEEDBACK_VALUES.complaint
        : input.kind === "conversion"
        ? FEEDBACK_VALUES.conversion
        : FEEDBACK_VALUES.dislike;
      draft = { type: "feedback", item, value, context };
    }
  }
  return { ok: true, event: stamp(userId, nowMs, [draft])[0] };
}
