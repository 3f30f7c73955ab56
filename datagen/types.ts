/**
 * The shapes the data generator produces and the models consume. Bank data
 * follows the Santander Product Recommendation layout; operations and life
 * events are ordinary engine events (SPEC's event schema), so the same
 * history feeds training offline and the actors online.
 *
 * @module
 */

/** Life events the generator plants and the features flag. */
export const LIFE_EVENTS = ["car_purchase", "mortgage", "child", "relocation", "salary_rise"] as const;
/** One of {@linkcode LIFE_EVENTS}. */
export type LifeEvent = typeof LIFE_EVENTS[number];

/** MCC-like spending categories of card operations. */
export const SPEND_CATEGORIES = [
  "groceries",
  "restaurants",
  "transport",
  "fuel",
  "auto_dealer",
  "auto_service",
  "travel",
  "health",
  "kids",
  "furniture",
  "electronics",
  "clothing",
  "entertainment",
  "utilities",
  "education",
] as const;
/** One of {@linkcode SPEND_CATEGORIES}. */
export type SpendCategory = typeof SPEND_CATEGORIES[number];

/**
 * The 24 non-product Santander columns, as strings exactly as a CSV would
 * hold them (empty string for missing), so real and generated rows share one
 * parser.
 */
export interface SantanderProfile {
  fecha_dato: string;
  ncodpers: string;
  ind_empleado: string;
  pais_residencia: string;
  sexo: string;
  age: string;
  fecha_alta: string;
  ind_nuevo: string;
  antiguedad: string;
  indrel: string;
  ult_fec_cli_1t: string;
  indrel_1mes: string;
  tiprel_1mes: string;
  indresi: string;
  indext: string;
  conyuemp: string;
  canal_entrada: string;
  indfall: string;
  tipodom: string;
  cod_prov: string;
  nomprov: string;
  ind_actividad_cliente: string;
  renta: string;
  segmento: string;
}

/** One monthly row: the profile plus the 24 product flags (0/1). */
export interface MonthlyRow extends SantanderProfile {
  /** Keyed by Santander product column (`ind_*_ult1`). */
  products: Record<string, 0 | 1>;
}

/** A generated bank client. */
export interface BankClient {
  /** Pseudonymous engine user id, e.g. `b-000123`. */
  userId: string;
  displayName: string;
  /** Latest month's profile. */
  profile: SantanderProfile;
  /** Monthly rows, oldest first (12 months by default). */
  monthly: MonthlyRow[];
  /** Life events with their ISO timestamps. */
  lifeEvents: { event: LifeEvent; ts: string }[];
}

/** The four uplift segments of a client for one offer. */
export type UpliftSegment = "persuadable" | "sure_thing" | "lost_cause" | "sleeping_dog";

/** One row of the randomized campaign log, with the generator's ground truth. */
export interface CampaignRow {
  userId: string;
  /** Product code from `model/products.ts`. */
  offer: string;
  /** ISO timestamp the decision to show (or not) was made. */
  at: string;
  /** 1 when the offer was shown (randomized). */
  treated: 0 | 1;
  /** 1 when the client took the product within the attribution window. */
  converted: 0 | 1;
  /** Ground truth: P(convert | not shown). */
  pControl: number;
  /** Ground truth: P(convert | shown). */
  pTreated: number;
  /** Ground truth: pTreated − pControl. */
  uplift: number;
  segment: UpliftSegment;
}

/** A retail catalog item. */
export interface CatalogItem {
  id: string;
  category: string;
  brand: string;
  /** Price in rubles. */
  price: number;
  name: { ru: string; en: string };
  /** Tags such as `lactose_free`, `vegan`, `gluten_free`. */
  tags: string[];
  /** Units in stock per location code (`msk`, `spb`, …). */
  availability: Record<string, number>;
}

/** A retail shopper. */
export interface Shopper {
  userId: string;
  displayName: string;
  location: string;
}

/** Everything one generator run produces. */
export interface GeneratedData {
  seed: number;
  /** ISO timestamp the history ends at ("now" of the dataset). */
  asOf: string;
  clients: BankClient[];
  campaign: CampaignRow[];
  catalog: CatalogItem[];
  shoppers: Shopper[];
  /**
   * Engine events (SPEC's schema) for both domains, oldest first: bank
   * operations (`operation`, value negative for spending, `item.category` a
   * {@linkcode SpendCategory}), salary and transfers, life events as `profile`
   * events with `item.id` `life:<event>`, product openings as `profile` events
   * with `item.id` the product column and `value` 1 (0 for a closing), and
   * retail orders, views, ratings and searches.
   */
  events: Record<string, unknown>[];
}
