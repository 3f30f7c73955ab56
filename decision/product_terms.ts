/**
 * Per-product terms the decision rules read: who may be offered a product
 * (eligibility), which products exclude each other, the mandatory credit
 * disclosures (full cost of credit, ПСК, and the rate, both as ranges in
 * percent a year), the typical monthly payment the debt-burden rule counts,
 * and the triggers that make an offer timely (life events, spending).
 *
 * Every number here is **illustrative bank policy**, set to be plausible for
 * the Russian retail market in 2025–2026 (key rate 16–21 %): a personal loan
 * at ПСК 9.9–34.9 %, a credit card whose grace period makes the lower end 0 %,
 * market and subsidised mortgages at 6–30 %. They are not any bank's tariffs.
 * Income limits are on the `renta` scale of the Santander layout (gross
 * household income a year), where the generated base has a median near 98 000
 * and a 5th percentile near 34 000; payments are rubles a month, on the scale
 * of the salary credits.
 *
 * @module
 */

import type { LifeEvent, SpendCategory } from "../datagen/types.ts";
import type { SEGMENTS } from "../model/bank_profile.ts";
import { PRODUCTS } from "../model/products.ts";

/** One of the `segmento` codes. */
export type SegmentCode = typeof SEGMENTS[number];

/** A closed range in percent a year. */
export interface PercentRange {
  min: number;
  max: number;
}

/** Who may be offered a product. A null limit does not apply. */
export interface Eligibility {
  minAge: number | null;
  maxAge: number | null;
  /** Only residents (`indext` = "N") may be offered it. */
  residentsOnly: boolean;
  /** `segmento` codes allowed; null allows every segment. */
  segments: readonly SegmentCode[] | null;
  /** Minimum `renta` (gross household income a year, the dataset's scale). */
  minIncome: number | null;
}

/** A life event that makes an offer timely while it is at most `withinDays` old. */
export interface LifeEventTrigger {
  event: LifeEvent;
  withinDays: number;
}

/** Everything the rules need to know about one product. */
export interface ProductTerms {
  eligibility: Eligibility;
  /** Products of one group exclude each other (see {@linkcode EXCLUSIVE_GROUPS}); null when none. */
  exclusiveGroup: ExclusiveGroup | null;
  /** Full cost of credit (ПСК) range for credit products; null when the bank has not set one. */
  fullCostRange: PercentRange | null;
  /** Interest rate range (a loan's rate, a deposit's yield); null when the product has none. */
  rateRange: PercentRange | null;
  /** Typical monthly payment in rubles, counted by the debt-burden rule; null for non-credit products. */
  typicalMonthlyPaymentRub: number | null;
  /** Life events after which the offer is timely (reasons, and the partner offers' context). */
  lifeEventTriggers: readonly LifeEventTrigger[];
  /** Spending categories that make the offer relevant (reasons). */
  spendTriggers: readonly SpendCategory[];
}

/**
 * Groups of mutually exclusive products: a client holding one is not offered
 * another. The particular-account variants are one tariff line in three
 * packages; salary and pension are paid into one account. Deposits of
 * different terms are deliberately not exclusive: a ladder of terms is
 * ordinary saving, and family diversity already keeps two deposits from being
 * offered at once.
 */
export const EXCLUSIVE_GROUPS = {
  particular_account: ["ind_ctop_fin_ult1", "ind_ctpp_fin_ult1", "ind_ctma_fin_ult1"],
  payout: ["ind_nomina_ult1", "ind_nom_pens_ult1"],
} as const;
/** A key of {@linkcode EXCLUSIVE_GROUPS}. */
export type ExclusiveGroup = keyof typeof EXCLUSIVE_GROUPS;

/**
 * Upper limit of the full cost of credit set by law (353-ФЗ «О потребительском
 * кредите (займе)», art. 6 p. 11, since July 2023): terms above it are rejected.
 */
export const LEGAL_FULL_COST_CAP = 292;

const ADULT: Eligibility = {
  minAge: 18,
  maxAge: null,
  residentsOnly: false,
  segments: null,
  minIncome: null,
};

const BASE: ProductTerms = {
  eligibility: ADULT,
  exclusiveGroup: null,
  fullCostRange: null,
  rateRange: null,
  typicalMonthlyPaymentRub: null,
  lifeEventTriggers: [],
  spendTriggers: [],
};

type TermsOverrides = Partial<Omit<ProductTerms, "eligibility">> & { eligibility?: Partial<Eligibility> };

const terms = (overrides: TermsOverrides): ProductTerms => ({
  ...BASE,
  ...overrides,
  eligibility: { ...ADULT, ...overrides.eligibility },
});

const SPECIFIC: Record<string, ProductTerms> = {
  ind_ahor_fin_ult1: terms({
    rateRange: { min: 8, max: 14 },
    lifeEventTriggers: [{ event: "salary_rise", withinDays: 120 }],
  }),
  // A bank guarantee is a business instrument with a commission, not a consumer loan: the bank has
  // set no ПСК range for it, so the regulatory rule keeps it out of consumer offers.
  ind_aval_fin_ult1: terms({ eligibility: { residentsOnly: true } }),
  ind_cder_fin_ult1: terms({ eligibility: { segments: ["01 - TOP"] } }),
  ind_cno_fin_ult1: terms({}),
  ind_ctju_fin_ult1: terms({
    lifeEventTriggers: [{ event: "child", withinDays: 365 }],
    spendTriggers: ["kids"],
  }),
  ind_ctma_fin_ult1: terms({ exclusiveGroup: "particular_account" }),
  ind_ctop_fin_ult1: terms({ exclusiveGroup: "particular_account" }),
  ind_ctpp_fin_ult1: terms({ exclusiveGroup: "particular_account" }),
  ind_deco_fin_ult1: terms({
    rateRange: { min: 12, max: 16.5 },
    lifeEventTriggers: [{ event: "salary_rise", withinDays: 120 }],
  }),
  ind_deme_fin_ult1: terms({ rateRange: { min: 11, max: 15.5 } }),
  ind_dela_fin_ult1: terms({ rateRange: { min: 9.5, max: 13 } }),
  ind_ecue_fin_ult1: terms({ eligibility: { minAge: 14 } }),
  ind_fond_fin_ult1: terms({ lifeEventTriggers: [{ event: "salary_rise", withinDays: 180 }] }),
  ind_hip_fin_ult1: terms({
    eligibility: {
      minAge: 21,
      maxAge: 65,
      residentsOnly: true,
      segments: ["01 - TOP", "02 - PARTICULARES"],
      minIncome: 45_000,
    },
    fullCostRange: { min: 6.3, max: 31.2 },
    rateRange: { min: 6, max: 29.9 },
    typicalMonthlyPaymentRub: 35_000,
    lifeEventTriggers: [{ event: "child", withinDays: 365 }, { event: "relocation", withinDays: 120 }],
    spendTriggers: ["furniture"],
  }),
  ind_plan_fin_ult1: terms({ eligibility: { maxAge: 64, residentsOnly: true } }),
  ind_pres_fin_ult1: terms({
    eligibility: {
      minAge: 21,
      maxAge: 70,
      residentsOnly: true,
      segments: ["01 - TOP", "02 - PARTICULARES"],
      minIncome: 30_000,
    },
    fullCostRange: { min: 9.9, max: 34.9 },
    rateRange: { min: 9.5, max: 33.9 },
    typicalMonthlyPaymentRub: 12_000,
    lifeEventTriggers: [{ event: "relocation", withinDays: 180 }, { event: "car_purchase", withinDays: 180 }],
    spendTriggers: ["furniture", "electronics"],
  }),
  ind_reca_fin_ult1: terms({}),
  ind_tjcr_fin_ult1: terms({
    eligibility: { minAge: 21, maxAge: 70, residentsOnly: true, minIncome: 25_000 },
    // The grace period makes the lower end of both ranges 0 %.
    fullCostRange: { min: 0, max: 52.5 },
    rateRange: { min: 0, max: 49.9 },
    typicalMonthlyPaymentRub: 5_000,
    spendTriggers: ["travel", "restaurants", "electronics", "clothing"],
  }),
  ind_valo_fin_ult1: terms({}),
  ind_viv_fin_ult1: terms({ lifeEventTriggers: [{ event: "relocation", withinDays: 180 }] }),
  ind_nomina_ult1: terms({ exclusiveGroup: "payout" }),
  ind_nom_pens_ult1: terms({ eligibility: { minAge: 55 }, exclusiveGroup: "payout" }),
  ind_recibo_ult1: terms({ spendTriggers: ["utilities"] }),
  ins_auto: terms({
    lifeEventTriggers: [{ event: "car_purchase", withinDays: 180 }],
    spendTriggers: ["fuel", "auto_service", "auto_dealer"],
  }),
  partner_auto_accessories: terms({
    lifeEventTriggers: [{ event: "car_purchase", withinDays: 180 }],
    spendTriggers: ["fuel", "auto_service", "auto_dealer"],
  }),
  ins_property: terms({
    lifeEventTriggers: [{ event: "mortgage", withinDays: 365 }, { event: "relocation", withinDays: 365 }],
    spendTriggers: ["furniture"],
  }),
  partner_kids_goods: terms({
    lifeEventTriggers: [{ event: "child", withinDays: 365 }],
    spendTriggers: ["kids"],
  }),
};

/** Terms of every product in the catalog (`model/products.ts`), keyed by product code. */
export const PRODUCT_TERMS: Readonly<Record<string, ProductTerms>> = Object.freeze(
  Object.fromEntries(PRODUCTS.map((product) => [product.code, SPECIFIC[product.code] ?? BASE])),
);

/** The terms of a product, or undefined for a code outside the catalog. */
export function productTerms(code: string): ProductTerms | undefined {
  return Object.hasOwn(PRODUCT_TERMS, code) ? PRODUCT_TERMS[code] : undefined;
}

/** The products a code's exclusive group holds besides itself (empty when it has no group). */
export function exclusiveWith(code: string): readonly string[] {
  const group = productTerms(code)?.exclusiveGroup;
  if (!group) return [];
  return (EXCLUSIVE_GROUPS[group] as readonly string[]).filter((other) => other !== code);
}
