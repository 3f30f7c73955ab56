/**
 * The project's hand-written Russian/English bank vocabulary: everyday names of each offer in
 * `model/products.ts` (what a client types: «кредитка», «вклад», "home loan"), the words of each product
 * family, and the filler words of a question about an offer.
 *
 * @module
 */

import type { ProductFamily } from "../model/products.ts";
import type { Phrases } from "./_lexicon_retail.ts";

/** Everyday names of each product code, beyond its official Russian and English names. */
export const PRODUCT_ALIASES: Readonly<Record<string, Phrases>> = {
  ind_ahor_fin_ult1: {
    ru: ["накопительный счет", "копилка", "сбережения"],
    en: ["savings account", "savings"],
  },
  ind_aval_fin_ult1: { ru: ["гарантия", "поручительство банка"], en: ["bank guarantee", "guarantee"] },
  ind_cco_fin_ult1: {
    ru: ["расчетный счет", "счет", "дебетовый счет"],
    en: ["current account", "checking account"],
  },
  ind_cder_fin_ult1: { ru: ["деривативы", "срочный рынок"], en: ["derivatives", "derivatives account"] },
  ind_cno_fin_ult1: {
    ru: ["зарплатный счет", "счет для зарплаты"],
    en: ["payroll account", "salary account"],
  },
  ind_ctju_fin_ult1: { ru: ["детский счет", "счет для ребенка"], en: ["junior account", "kids account"] },
  ind_ctma_fin_ult1: { ru: ["премиальный счет"], en: ["premium account"] },
  ind_ctop_fin_ult1: { ru: ["личный счет"], en: ["personal account", "particular account"] },
  ind_ctpp_fin_ult1: { ru: ["личный счет плюс"], en: ["particular plus account"] },
  ind_deco_fin_ult1: {
    ru: ["короткий вклад", "вклад на три месяца"],
    en: ["short-term deposit", "short deposit"],
  },
  ind_deme_fin_ult1: {
    ru: ["вклад на год", "среднесрочный депозит"],
    en: ["medium-term deposit", "one-year deposit"],
  },
  ind_dela_fin_ult1: {
    ru: ["долгий вклад", "вклад на несколько лет"],
    en: ["long-term deposit", "long deposit"],
  },
  ind_ecue_fin_ult1: { ru: ["онлайн счет", "электронный счет"], en: ["online account", "e-account"] },
  ind_fond_fin_ult1: { ru: ["паевые фонды", "пифы", "инвестиции"], en: ["investment funds", "mutual funds"] },
  ind_hip_fin_ult1: {
    ru: ["ипотека", "ипотечный кредит", "кредит на квартиру"],
    en: ["mortgage", "home loan"],
  },
  ind_plan_fin_ult1: {
    ru: ["пенсионный план", "накопления на пенсию"],
    en: ["pension plan", "retirement plan"],
  },
  ind_pres_fin_ult1: {
    ru: ["кредит", "кредит наличными", "заем"],
    en: ["personal loan", "loan", "cash loan"],
  },
  ind_reca_fin_ult1: { ru: ["налоги", "оплата налогов"], en: ["taxes", "tax payments"] },
  ind_tjcr_fin_ult1: { ru: ["кредитка", "кредитная карта", "карта"], en: ["credit card", "card"] },
  ind_valo_fin_ult1: {
    ru: ["ценные бумаги", "акции", "облигации", "брокерский счет"],
    en: ["securities", "stocks"],
  },
  ind_viv_fin_ult1: { ru: ["жилищный счет", "счет на жилье"], en: ["home account", "housing account"] },
  ind_nomina_ult1: { ru: ["зарплатный проект", "зарплата на карту"], en: ["payroll", "salary project"] },
  ind_nom_pens_ult1: { ru: ["пенсионные выплаты", "пенсия"], en: ["pensions", "pension payments"] },
  ind_recibo_ult1: {
    ru: ["автоплатежи", "автоплатеж", "регулярные платежи"],
    en: ["direct debit", "autopay"],
  },
  ins_auto: {
    ru: ["автостраховка", "каско", "осаго", "страховка машины"],
    en: ["car insurance", "auto insurance"],
  },
  partner_auto_accessories: {
    ru: ["автоаксессуары", "скидка на автотовары", "магазин для машины"],
    en: ["car accessories", "car accessories discount"],
  },
  ins_property: {
    ru: ["страховка квартиры", "страхование жилья"],
    en: ["home insurance", "property insurance"],
  },
  partner_kids_goods: {
    ru: ["кешбэк в детском магазине", "детские товары", "скидка на детское"],
    en: ["kids store cashback", "kids goods"],
  },
};

/** Words of each product family, in both languages. */
export const FAMILY_PHRASES: Readonly<Record<ProductFamily, Phrases>> = {
  account: {
    ru: ["счет", "банковский счет", "открыть счет"],
    en: ["account", "bank account", "open an account"],
  },
  deposit: {
    ru: ["вклад", "депозит", "накопить", "сбережения", "проценты на остаток"],
    en: ["deposit", "savings", "save money", "interest"],
  },
  investment: {
    ru: ["инвестиции", "вложить деньги", "доходность"],
    en: ["investments", "invest", "returns"],
  },
  credit: {
    ru: ["кредит", "займ", "взять в долг", "ставка"],
    en: ["credit", "loan", "borrow", "interest rate"],
  },
  card: { ru: ["карта", "банковская карта", "кредитный лимит"], en: ["card", "bank card", "credit limit"] },
  payments: { ru: ["платежи", "оплата", "переводы"], en: ["payments", "pay", "transfers"] },
  insurance: { ru: ["страховка", "страхование", "полис"], en: ["insurance", "policy", "cover"] },
  partner: { ru: ["скидка", "кешбэк", "партнер", "акция"], en: ["discount", "cashback", "partner", "promo"] },
};

/** Words that only frame a question about an offer ("почему мне предлагают…", "why the…"). */
export const BANK_FILLER_WORDS: readonly string[] = [
  ...["почему", "зачем", "предлагают", "предложили", "предлагаете", "предлагаешь", "советуете", "вы", "мой"],
  ...["why", "the", "you", "offer", "offered", "offering", "suggested", "my", "is", "are", "do", "does"],
];
