/**
 * The bank's offer catalog: the 24 products of the Santander layout plus the
 * partner offers from the seed's car example. Names are Russian (default) and
 * English; families drive diversification, `credit` drives the full-cost
 * (ПСК) disclosure rule.
 *
 * @module
 */

/** Product families, for diversification and mutually exclusive offers. */
export const PRODUCT_FAMILIES = [
  "account",
  "deposit",
  "investment",
  "credit",
  "card",
  "payments",
  "insurance",
  "partner",
] as const;
/** One of {@linkcode PRODUCT_FAMILIES}. */
export type ProductFamily = typeof PRODUCT_FAMILIES[number];

/** One offer the bank can show. */
export interface Product {
  /** The Santander column (`ind_*_ult1`) or a partner code. */
  code: string;
  name: { ru: string; en: string };
  family: ProductFamily;
  /** True when the offer is a loan or credit line (full-cost disclosure applies). */
  credit: boolean;
  /** True when the product is a column of the Santander layout. */
  santander: boolean;
}

const santander = (
  code: string,
  ru: string,
  en: string,
  family: ProductFamily,
  credit = false,
): Product => ({ code, name: { ru, en }, family, credit, santander: true });

/** The 24 Santander product columns, in dataset order. */
export const SANTANDER_PRODUCTS: readonly Product[] = [
  santander("ind_ahor_fin_ult1", "Сберегательный счёт", "Saving account", "deposit"),
  santander("ind_aval_fin_ult1", "Банковская гарантия", "Guarantee", "credit", true),
  santander("ind_cco_fin_ult1", "Текущий счёт", "Current account", "account"),
  santander("ind_cder_fin_ult1", "Счёт для деривативов", "Derivada account", "investment"),
  santander("ind_cno_fin_ult1", "Зарплатный счёт", "Payroll account", "account"),
  santander("ind_ctju_fin_ult1", "Детский счёт", "Junior account", "account"),
  santander("ind_ctma_fin_ult1", "Счёт «Más particular»", "Más particular account", "account"),
  santander("ind_ctop_fin_ult1", "Личный счёт", "Particular account", "account"),
  santander("ind_ctpp_fin_ult1", "Личный счёт Плюс", "Particular Plus account", "account"),
  santander("ind_deco_fin_ult1", "Краткосрочный вклад", "Short-term deposit", "deposit"),
  santander("ind_deme_fin_ult1", "Среднесрочный вклад", "Medium-term deposit", "deposit"),
  santander("ind_dela_fin_ult1", "Долгосрочный вклад", "Long-term deposit", "deposit"),
  santander("ind_ecue_fin_ult1", "Онлайн-счёт", "e-account", "account"),
  santander("ind_fond_fin_ult1", "Инвестиционные фонды", "Funds", "investment"),
  santander("ind_hip_fin_ult1", "Ипотека", "Mortgage", "credit", true),
  santander("ind_plan_fin_ult1", "Пенсионный план", "Pension plan", "investment"),
  santander("ind_pres_fin_ult1", "Потребительский кредит", "Personal loan", "credit", true),
  santander("ind_reca_fin_ult1", "Уплата налогов", "Taxes", "payments"),
  santander("ind_tjcr_fin_ult1", "Кредитная карта", "Credit card", "card", true),
  santander("ind_valo_fin_ult1", "Ценные бумаги", "Securities", "investment"),
  santander("ind_viv_fin_ult1", "Жилищный счёт", "Home account", "account"),
  santander("ind_nomina_ult1", "Зарплатный проект", "Payroll", "payments"),
  santander("ind_nom_pens_ult1", "Пенсионные выплаты", "Pensions", "payments"),
  santander("ind_recibo_ult1", "Автоплатежи", "Direct debit", "payments"),
];

/** Offers beyond the Santander columns: insurance and partner discounts (the seed's car example). */
export const EXTRA_PRODUCTS: readonly Product[] = [
  {
    code: "ins_auto",
    name: { ru: "Автострахование (КАСКО и ОСАГО)", en: "Car insurance" },
    family: "insurance",
    credit: false,
    santander: false,
  },
  {
    code: "partner_auto_accessories",
    name: {
      ru: "Скидка 15% в магазине автоаксессуаров-партнёре",
      en: "15% off at a partner car-accessories store",
    },
    family: "partner",
    credit: false,
    santander: false,
  },
  {
    code: "ins_property",
    name: { ru: "Страхование квартиры", en: "Home insurance" },
    family: "insurance",
    credit: false,
    santander: false,
  },
  {
    code: "partner_kids_goods",
    name: { ru: "Кешбэк 10% в детском магазине-партнёре", en: "10% cashback at a partner kids' store" },
    family: "partner",
    credit: false,
    santander: false,
  },
];

/** Every product, Santander columns first. */
export const PRODUCTS: readonly Product[] = [...SANTANDER_PRODUCTS, ...EXTRA_PRODUCTS];

const BY_CODE = new Map(PRODUCTS.map((product) => [product.code, product]));

/** The product with this code, or undefined. */
export function productByCode(code: string): Product | undefined {
  return BY_CODE.get(code);
}
