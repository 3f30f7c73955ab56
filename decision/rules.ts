/**
 * The suppression rules, in the order {@linkcode decide} applies them. The
 * first rule that applies names the reason, so each suppressed product is
 * reported once, with the most fundamental reason:
 *
 * 1. `consent`: marketing consent off suppresses every offer.
 * 2. `owned`: the client holds the product.
 * 3. `eligibility`: age, residency, segment, income (`product_terms.ts`).
 *    Credit needs a known age and, when residents only, a known residency;
 *    other products pass on unknown facts, and an unknown income passes (the
 *    debt-burden rule checks the salary instead).
 * 4. `regulatory`: a credit offer needs a valid ПСК range (set, ordered,
 *    within the legal cap) and must pass the ПДН-style debt-burden rule:
 *    there must be a visible salary, and the typical monthly payments of the
 *    credit products held plus the new one must stay within
 *    `maxDebtBurden` of it. Declared `renta` alone does not count as
 *    confirmed income.
 * 5. `conflict`: mutually exclusive with a held product, or of a family the
 *    client disliked.
 * 6. `contact_policy`: converted before (never re-offered), a complaint about
 *    any product of the family within the cooldown, a dismissal within its
 *    cooldown, the daily impression cap, the per-product frequency cap.
 *    Timestamps after the decision time count as recent, so clock skew errs
 *    on the side of contacting less.
 * 7. `sure_thing`: P(buy | not shown) high while the uplift is small.
 * 8. `low_uplift`: uplift below the minimum (lost causes, sleeping dogs), or
 *    a score that is not usable (NaN, a probability outside [0, 1]): an
 *    unusable score establishes no uplift.
 *
 * Rules 7 and 8 read the personal scores, so they are skipped when the client
 * turned personalization off.
 *
 * @module
 */

import type { OfferScore } from "../model/scorer.ts";
import type { Product } from "../model/products.ts";
import { productByCode } from "../model/products.ts";
import type { DecisionPolicy } from "./policy.ts";
import { exclusiveWith, LEGAL_FULL_COST_CAP, type ProductTerms, productTerms } from "./product_terms.ts";
import type { ClientFacts, ContactRecord, DecisionInput, LocalizedText, SuppressionReason } from "./types.ts";
import { date, decimal, FAMILY_NAMES, percent, points } from "./_texts.ts";

const DAY_MS = 86_400_000;

/** A scored catalog product the rules judge. */
export interface Candidate {
  score: OfferScore;
  product: Product;
  terms: ProductTerms;
}

/** What every rule reads besides the candidate, computed once per decision. */
export interface RuleContext {
  client: ClientFacts;
  /** Contact records of catalog products, by product code. */
  contacts: ReadonlyMap<string, ContactRecord>;
  marketing: boolean;
  personalized: boolean;
  dislikedFamilies: ReadonlySet<string>;
  nowMs: number;
  policy: DecisionPolicy;
  /** Products shown on the decision's UTC day. */
  shownToday: ReadonlySet<string>;
  /** Latest complaint time per product family. */
  complaintsByFamily: ReadonlyMap<string, number>;
  /** Typical monthly payments of the credit products the client holds, rubles. */
  heldPaymentsRub: number;
}

/** One rule's verdict on one candidate. */
export type RuleVerdict =
  | { ok: true }
  | { ok: false; reason: SuppressionReason; detail: LocalizedText };

/** One suppression rule. */
export interface SuppressionRule {
  reason: SuppressionReason;
  check(candidate: Candidate, context: RuleContext): RuleVerdict;
}

const PASS: RuleVerdict = { ok: true };
const finite = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isRecent = (at: number | null, windowMs: number, nowMs: number) =>
  at !== null && finite(at) && nowMs - at < windowMs;

/** True when a score can be acted on: finite probabilities in [0, 1] and an uplift in [-1, 1]. */
export function usableScore(score: OfferScore): boolean {
  const { pTreated, pControl, uplift } = score;
  return finite(pTreated) && finite(pControl) && finite(uplift) &&
    pTreated >= 0 && pTreated <= 1 && pControl >= 0 && pControl <= 1 && uplift >= -1 && uplift <= 1;
}

/**
 * The per-decision context of the rules. Contact records of codes outside the
 * catalog are ignored; several records of one product are merged (all
 * impressions, the latest dismissal, complaint and conversion).
 */
export function ruleContext(input: DecisionInput, policy: DecisionPolicy): RuleContext {
  const nowMs = input.nowMs;
  const contacts = new Map<string, ContactRecord>();
  for (const record of input.contacts ?? []) {
    if (!record || typeof record.productId !== "string" || !productByCode(record.productId)) continue;
    const known = contacts.get(record.productId);
    const shown = Array.isArray(record.shownAtMs) ? record.shownAtMs.filter(finite) : [];
    contacts.set(record.productId, {
      productId: record.productId,
      shownAtMs: known ? [...known.shownAtMs, ...shown] : shown,
      dismissedAtMs: latest(known?.dismissedAtMs, record.dismissedAtMs),
      complainedAtMs: latest(known?.complainedAtMs, record.complainedAtMs),
      convertedAtMs: latest(known?.convertedAtMs, record.convertedAtMs),
    });
  }
  const today = Math.floor(nowMs / DAY_MS);
  const shownToday = new Set<string>();
  const complaintsByFamily = new Map<string, number>();
  for (const record of contacts.values()) {
    if (record.shownAtMs.some((at) => Math.floor(at / DAY_MS) === today)) shownToday.add(record.productId);
    const family = productByCode(record.productId)!.family;
    const complained = latest(complaintsByFamily.get(family), record.complainedAtMs);
    if (complained !== null) complaintsByFamily.set(family, complained);
  }
  let heldPaymentsRub = 0;
  for (const code of input.client.holdings) {
    heldPaymentsRub += productTerms(code)?.typicalMonthlyPaymentRub ?? 0;
  }
  return {
    client: input.client,
    contacts,
    marketing: input.consents?.marketing === true,
    personalized: input.consents?.personalization === true,
    dislikedFamilies: input.dislikedFamilies ?? new Set(),
    nowMs,
    policy,
    shownToday,
    complaintsByFamily,
    heldPaymentsRub,
  };
}

/** The later of two optional times; non-finite values count as absent. */
function latest(a: number | null | undefined, b: number | null | undefined): number | null {
  const x = finite(a) ? a : null;
  const y = finite(b) ? b : null;
  if (x === null) return y;
  if (y === null) return x;
  return Math.max(x, y);
}

const suppress = (reason: SuppressionReason, ru: string, en: string): RuleVerdict => ({
  ok: false,
  reason,
  detail: { ru, en },
});

const consent: SuppressionRule = {
  reason: "consent",
  check: (_candidate, context) =>
    context.marketing ? PASS : suppress(
      "consent",
      "Нет согласия на получение маркетинговых предложений",
      "No consent to marketing offers",
    ),
};

const owned: SuppressionRule = {
  reason: "owned",
  check: ({ product }, { client }) =>
    client.holdings.has(product.code)
      ? suppress("owned", "Продукт у вас уже есть", "You already hold this product")
      : PASS,
};

const eligibility: SuppressionRule = {
  reason: "eligibility",
  check: ({ product, terms }, { client }) => {
    const rules = terms.eligibility;
    const limits = `${rules.minAge ?? 0}–${rules.maxAge ?? "…"}`;
    if (client.age === null) {
      if (product.credit) {
        return suppress("eligibility", "Для кредита нужен известный возраст", "Credit needs a known age");
      }
    } else if (
      (rules.minAge !== null && client.age < rules.minAge) ||
      (rules.maxAge !== null && client.age > rules.maxAge)
    ) {
      return suppress(
        "eligibility",
        `Возраст ${client.age} вне условий продукта (${limits})`,
        `Age ${client.age} is outside the product's limits (${limits})`,
      );
    }
    if (rules.residentsOnly) {
      if (client.resident === false) {
        return suppress(
          "eligibility",
          "Продукт доступен только резидентам",
          "The product is for residents only",
        );
      }
      if (client.resident === null && product.credit) {
        return suppress(
          "eligibility",
          "Для кредита нужен известный статус резидента",
          "Credit needs a known residency",
        );
      }
    }
    if (
      rules.segments !== null && client.segment !== null && !rules.segments.some((s) => s === client.segment)
    ) {
      return suppress(
        "eligibility",
        `Продукт недоступен для сегмента «${client.segment}»`,
        `The product is not offered to segment "${client.segment}"`,
      );
    }
    if (rules.minIncome !== null && client.income !== null && client.income < rules.minIncome) {
      return suppress(
        "eligibility",
        "Доход ниже минимального для продукта",
        "Income is below the product's minimum",
      );
    }
    return PASS;
  },
};

const regulatory: SuppressionRule = {
  reason: "regulatory",
  check: ({ product, terms }, context) => {
    if (!product.credit) return PASS;
    const cost = terms.fullCostRange;
    if (
      cost === null || !finite(cost.min) || !finite(cost.max) || cost.min < 0 || cost.min > cost.max ||
      cost.max > LEGAL_FULL_COST_CAP
    ) {
      return suppress(
        "regulatory",
        "Для кредитного продукта не задан допустимый диапазон ПСК",
        "No valid full-cost-of-credit (ПСК) range is set for this credit product",
      );
    }
    const salary = context.client.salary;
    if (!(salary > 0)) {
      return suppress(
        "regulatory",
        "Нет подтверждённого дохода (зарплаты) для расчёта долговой нагрузки (ПДН)",
        "No confirmed income (salary) to assess the debt burden (ПДН)",
      );
    }
    const burden = debtBurden(terms, context);
    if (burden > context.policy.maxDebtBurden) {
      return suppress(
        "regulatory",
        `Долговая нагрузка (ПДН) составила бы ${percent(burden)} % при пределе ${
          percent(context.policy.maxDebtBurden)
        } %`,
        `The debt burden (ПДН) would be ${percent(burden)}% against a limit of ${
          percent(context.policy.maxDebtBurden)
        }%`,
      );
    }
    return PASS;
  },
};

/** Monthly credit payments, held plus this product's, over the monthly salary. */
export function debtBurden(terms: ProductTerms, context: RuleContext): number {
  return (context.heldPaymentsRub + (terms.typicalMonthlyPaymentRub ?? 0)) / context.client.salary;
}

const conflict: SuppressionRule = {
  reason: "conflict",
  check: ({ product }, { client, dislikedFamilies }) => {
    const held = exclusiveWith(product.code).find((other) => client.holdings.has(other));
    if (held !== undefined) {
      const name = productByCode(held)!.name;
      return suppress(
        "conflict",
        `Несовместимо с продуктом «${name.ru}», который у вас уже есть`,
        `Excludes "${name.en}", which you already hold`,
      );
    }
    if (dislikedFamilies.has(product.family)) {
      const family = FAMILY_NAMES[product.family];
      return suppress(
        "conflict",
        `Вы отметили, что вам неинтересна категория «${family.ru}»`,
        `You said ${family.en} do not interest you`,
      );
    }
    return PASS;
  },
};

const contactPolicy: SuppressionRule = {
  reason: "contact_policy",
  check: ({ product }, context) => {
    const { policy, nowMs } = context;
    const record = context.contacts.get(product.code);
    if (record && record.convertedAtMs !== null) {
      return suppress(
        "contact_policy",
        "Вы уже откликнулись на это предложение: повторно его не показываем",
        "You already took up this offer: it is not offered again",
      );
    }
    const complained = context.complaintsByFamily.get(product.family) ?? null;
    const complaintMs = policy.complaintCooldownDays * DAY_MS;
    if (isRecent(complained, complaintMs, nowMs)) {
      const until = date(complained! + complaintMs);
      const family = FAMILY_NAMES[product.family];
      return suppress(
        "contact_policy",
        `После жалобы не предлагаем категорию «${family.ru}» до ${until.ru}`,
        `After a complaint, no ${family.en} are offered until ${until.en}`,
      );
    }
    const dismissMs = policy.dismissCooldownDays * DAY_MS;
    if (record && isRecent(record.dismissedAtMs, dismissMs, nowMs)) {
      const until = date(record.dismissedAtMs! + dismissMs);
      return suppress(
        "contact_policy",
        `Вы отказались от предложения: пауза до ${until.ru}`,
        `You dismissed the offer: paused until ${until.en}`,
      );
    }
    // Showing a product again on a day it was already shown is no new contact.
    if (context.shownToday.has(product.code)) return PASS;
    if (context.shownToday.size >= policy.maxImpressionsPerDay) {
      return suppress(
        "contact_policy",
        `Дневной лимит показов (${policy.maxImpressionsPerDay}) исчерпан`,
        `The daily limit of ${policy.maxImpressionsPerDay} impressions is reached`,
      );
    }
    const contactDays = earlierContactDays(record, policy.impressionWindowDays * DAY_MS, nowMs);
    if (contactDays >= policy.maxImpressionsPerProduct) {
      return suppress(
        "contact_policy",
        `Предложение уже показано ${contactDays} раз за ${policy.impressionWindowDays} дн.`,
        `Already shown ${contactDays} times in ${policy.impressionWindowDays} days`,
      );
    }
    return PASS;
  },
};

/** Distinct UTC days before the decision's day (or after it) with an impression inside the window. */
function earlierContactDays(record: ContactRecord | undefined, windowMs: number, nowMs: number): number {
  const today = Math.floor(nowMs / DAY_MS);
  const days = new Set<number>();
  for (const at of record?.shownAtMs ?? []) {
    const day = Math.floor(at / DAY_MS);
    if (day !== today && isRecent(at, windowMs, nowMs)) days.add(day);
  }
  return days.size;
}

const sureThing: SuppressionRule = {
  reason: "sure_thing",
  check: ({ score }, { personalized, policy }) => {
    if (!personalized || !usableScore(score)) return PASS;
    if (score.pControl < policy.sureThingMinPControl || score.uplift >= policy.sureThingMaxUplift) {
      return PASS;
    }
    const p = percent(score.pControl);
    const effect = points(score.uplift);
    return suppress(
      "sure_thing",
      `Вы, скорее всего, оформите это и без предложения (вероятность ${p} %, эффект показа ${effect.ru} п.п.)`,
      `You are likely to take it up anyway (probability ${p}%, effect of the offer ${effect.en} pp)`,
    );
  },
};

const lowUplift: SuppressionRule = {
  reason: "low_uplift",
  check: ({ score }, { personalized, policy }) => {
    if (!personalized) return PASS;
    if (!usableScore(score)) {
      return suppress(
        "low_uplift",
        "Модель не дала пригодной оценки эффекта",
        "The model gave no usable estimate of the effect",
      );
    }
    if (score.uplift >= policy.minUplift) return PASS;
    const effect = points(score.uplift);
    const threshold = decimal(policy.minUplift * 100, 1);
    if (score.uplift <= policy.sleepingDogUplift) {
      return suppress(
        "low_uplift",
        `Показ скорее оттолкнёт: эффект ${effect.ru} п.п.`,
        `Showing it would likely put you off: effect ${effect.en} pp`,
      );
    }
    return suppress(
      "low_uplift",
      `Эффект предложения слишком мал: ${effect.ru} п.п. при пороге ${threshold.ru} п.п.`,
      `The offer's effect is too small: ${effect.en} pp against a threshold of ${threshold.en} pp`,
    );
  },
};

/** The rules, in the order they are applied. */
export const SUPPRESSION_RULES: readonly SuppressionRule[] = [
  consent,
  owned,
  eligibility,
  regulatory,
  conflict,
  contactPolicy,
  sureThing,
  lowUplift,
];

/** The first rule that suppresses the candidate, or `{ok: true}`. */
export function firstSuppression(candidate: Candidate, context: RuleContext): RuleVerdict {
  for (const rule of SUPPRESSION_RULES) {
    const verdict = rule.check(candidate, context);
    if (!verdict.ok) return verdict;
  }
  return PASS;
}
