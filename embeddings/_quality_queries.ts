/**
 * Labelled requests for measuring the embedding model: shopping requests with the categories (and tags)
 * that make an item relevant, and questions about bank offers with the product codes they mean. They are
 * worded as a user would type them, not copied from the training corpus.
 *
 * @module
 */

/** A shopping request and what counts as a relevant item. */
export interface LabelledShoppingQuery {
  text: string;
  categories: readonly string[];
  tags?: readonly string[];
}

const DINNER = ["meat", "fish", "ready_meals", "frozen", "vegetables", "grocery"];

/** Shopping requests in Russian and English. */
export const SHOPPING_QUERIES: readonly LabelledShoppingQuery[] = [
  { text: "молоко без лактозы", categories: ["dairy", "plant_milk"], tags: ["lactose_free"] },
  { text: "безлактозный сыр", categories: ["dairy"], tags: ["lactose_free"] },
  { text: "растительное молоко для кофе", categories: ["plant_milk"] },
  { text: "что-нибудь веганское перекусить", categories: ["snacks", "fruit", "plant_milk"], tags: ["vegan"] },
  { text: "хлеб без глютена", categories: ["bakery"], tags: ["gluten_free"] },
  { text: "шоколадка без сахара", categories: ["sweets"], tags: ["sugar_free"] },
  { text: "корм для кошки", categories: ["pet"] },
  { text: "что приготовить на ужин", categories: DINNER },
  { text: "кофе в зернах", categories: ["coffee_tea"] },
  { text: "питание для малыша", categories: ["baby"] },
  { text: "чем постирать белье", categories: ["household"] },
  { text: "беспроводные наушники", categories: ["electronics"] },
  { text: "сковородка", categories: ["kitchen"] },
  { text: "свежая рыба", categories: ["fish"] },
  { text: "органические овощи", categories: ["vegetables"], tags: ["organic"] },
  { text: "лимонад без сахара", categories: ["drinks"], tags: ["sugar_free"] },
  { text: "шампунь для волос", categories: ["cosmetics"] },
  { text: "пельмени", categories: ["frozen"] },
  { text: "гречка на гарнир", categories: ["grocery"] },
  { text: "кефир на завтрак", categories: ["dairy"] },
  { text: "lactose-free milk", categories: ["dairy", "plant_milk"], tags: ["lactose_free"] },
  { text: "vegan snacks", categories: ["snacks"], tags: ["vegan"] },
  { text: "gluten free bread", categories: ["bakery"], tags: ["gluten_free"] },
  { text: "food for my cat", categories: ["pet"] },
  { text: "something for dinner", categories: DINNER },
  { text: "ground coffee", categories: ["coffee_tea"] },
  { text: "baby food", categories: ["baby"] },
  { text: "laundry detergent", categories: ["household"] },
  { text: "wireless headphones", categories: ["electronics"] },
  { text: "frying pan", categories: ["kitchen"] },
  { text: "salmon", categories: ["fish"] },
  { text: "sugar-free chocolate", categories: ["sweets"], tags: ["sugar_free"] },
  { text: "organic fruit", categories: ["fruit"], tags: ["organic"] },
  { text: "oat milk", categories: ["plant_milk"] },
  { text: "frozen dumplings", categories: ["frozen"] },
  { text: "shampoo", categories: ["cosmetics"] },
];

/** A question about an offer and the product codes it may mean. */
export interface LabelledBankQuestion {
  text: string;
  codes: readonly string[];
}

const DEPOSITS = ["ind_deco_fin_ult1", "ind_deme_fin_ult1", "ind_dela_fin_ult1", "ind_ahor_fin_ult1"];

/** Questions about bank offers in Russian and English. */
export const BANK_QUESTIONS: readonly LabelledBankQuestion[] = [
  { text: "почему мне предлагают эту карту?", codes: ["ind_tjcr_fin_ult1"] },
  { text: "why the credit card", codes: ["ind_tjcr_fin_ult1"] },
  { text: "хочу накопить денег", codes: DEPOSITS },
  { text: "где выгоднее хранить сбережения", codes: DEPOSITS },
  { text: "расскажи про ипотеку", codes: ["ind_hip_fin_ult1"] },
  { text: "tell me about the mortgage", codes: ["ind_hip_fin_ult1"] },
  { text: "зачем мне страховка для машины", codes: ["ins_auto"] },
  { text: "нужен кредит наличными", codes: ["ind_pres_fin_ult1"] },
  { text: "insurance for my flat", codes: ["ins_property"] },
  { text: "когда придет пенсия", codes: ["ind_nom_pens_ult1", "ind_plan_fin_ult1"] },
  { text: "куда вложить деньги", codes: ["ind_fond_fin_ult1", "ind_valo_fin_ult1", "ind_cder_fin_ult1"] },
  { text: "скидка на товары для авто", codes: ["partner_auto_accessories"] },
  { text: "cashback for kids' things", codes: ["partner_kids_goods"] },
  { text: "borrow some money", codes: ["ind_pres_fin_ult1"] },
  { text: "save money for later", codes: DEPOSITS },
  { text: "счет для ребенка", codes: ["ind_ctju_fin_ult1"] },
];
