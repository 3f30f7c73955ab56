/**
 * The project's hand-written Russian/English retail vocabulary: synonyms of each catalog category, the
 * phrases of each dietary tag, meals and the categories they draw on, translated word pairs, and the
 * filler words of a shopping request. The corpus builder turns it into training documents and the query
 * parser into patterns.
 *
 * @module
 */

/** Phrases in both languages for one concept. */
export interface Phrases {
  ru: readonly string[];
  en: readonly string[];
}

/** Extra names of each catalog category (beyond the template's Russian name). */
export const CATEGORY_PHRASES: Readonly<Record<string, Phrases>> = {
  dairy: {
    ru: ["молочные продукты", "молочка", "молоко", "кисломолочные продукты"],
    en: ["dairy", "milk products"],
  },
  plant_milk: {
    ru: ["растительное молоко", "альтернативное молоко", "молоко без молока"],
    en: ["plant milk", "plant-based milk", "non-dairy milk", "milk alternative"],
  },
  bakery: { ru: ["хлеб", "выпечка", "булочки", "хлебобулочные изделия"], en: ["bakery", "bread", "pastry"] },
  meat: {
    ru: ["мясо", "птица", "курица", "говядина", "колбаса"],
    en: ["meat", "poultry", "chicken", "beef"],
  },
  fish: { ru: ["рыба", "морепродукты", "лосось", "креветки"], en: ["fish", "seafood", "salmon", "shrimp"] },
  vegetables: { ru: ["овощи", "зелень", "салат"], en: ["vegetables", "veggies", "greens", "salad"] },
  fruit: { ru: ["фрукты", "ягоды", "фрукт"], en: ["fruit", "fruits", "berries"] },
  ready_meals: {
    ru: ["готовая еда", "готовые блюда", "кулинария", "обед", "ужин"],
    en: ["ready meals", "prepared food", "ready to eat", "takeaway"],
  },
  snacks: {
    ru: ["снеки", "закуски", "перекус", "чипсы", "орехи"],
    en: ["snacks", "chips", "crisps", "nuts"],
  },
  sweets: {
    ru: ["сладости", "сладкое", "шоколад", "конфеты", "десерт"],
    en: ["sweets", "candy", "chocolate"],
  },
  drinks: {
    ru: ["напитки", "вода", "сок", "лимонад", "попить"],
    en: ["drinks", "beverages", "water", "juice"],
  },
  coffee_tea: { ru: ["кофе", "чай", "кофе и чай"], en: ["coffee", "tea", "coffee and tea"] },
  grocery: { ru: ["бакалея", "крупы", "макароны", "каши"], en: ["grocery", "groceries", "cereals", "pasta"] },
  frozen: {
    ru: ["заморозка", "замороженные продукты", "мороженое"],
    en: ["frozen food", "frozen", "ice cream"],
  },
  baby: {
    ru: ["детское питание", "для малышей", "прикорм", "для детей"],
    en: ["baby food", "for babies", "for kids", "infant food"],
  },
  household: {
    ru: ["бытовая химия", "для уборки", "стирка", "моющее средство"],
    en: ["household", "cleaning", "laundry", "detergent"],
  },
  pet: {
    ru: ["зоотовары", "для животных", "корм", "кошки", "собаки"],
    en: ["pet supplies", "pets", "cat", "dog"],
  },
  cosmetics: {
    ru: ["косметика", "гигиена", "уход", "крем"],
    en: ["cosmetics", "hygiene", "personal care", "skincare"],
  },
  electronics: {
    ru: ["электроника", "гаджеты", "техника", "наушники"],
    en: ["electronics", "gadgets", "devices", "headphones"],
  },
  kitchen: {
    ru: ["товары для кухни", "посуда", "кухня"],
    en: ["kitchenware", "kitchen", "cookware", "appliances"],
  },
};

/** Phrases of each dietary or audience tag of the catalog. */
export const TAG_PHRASES: Readonly<Record<string, Phrases>> = {
  lactose_free: {
    ru: ["без лактозы", "безлактозный", "безлактозное", "непереносимость лактозы", "безмолочный"],
    en: ["lactose-free", "lactose free", "no lactose", "without lactose", "dairy-free"],
  },
  vegan: {
    ru: ["веганский", "веган", "растительный", "без животных продуктов", "постный"],
    en: ["vegan", "plant-based", "no animal products"],
  },
  gluten_free: {
    ru: ["без глютена", "безглютеновый", "целиакия", "без пшеницы"],
    en: ["gluten-free", "gluten free", "no gluten", "coeliac", "celiac"],
  },
  sugar_free: {
    ru: ["без сахара", "без добавленного сахара", "для диабетиков", "несладкий"],
    en: ["sugar-free", "sugar free", "no sugar", "no added sugar", "diabetic"],
  },
  organic: {
    ru: ["органический", "органик", "эко", "фермерский", "натуральный"],
    en: ["organic", "eco", "farm"],
  },
  kids: { ru: ["для детей", "детский", "ребенку", "малышу"], en: ["for kids", "kids", "children", "baby"] },
};

/** A meal or occasion, the words that name it, and the categories that cook or serve it. */
export interface Meal {
  id: string;
  phrases: Phrases;
  categories: readonly string[];
}

/** Meals and occasions of a shopping request. */
export const MEALS: readonly Meal[] = [
  {
    id: "dinner",
    phrases: { ru: ["ужин", "на ужин", "поужинать", "к ужину"], en: ["dinner", "for dinner", "supper"] },
    categories: ["ready_meals", "meat", "fish", "vegetables", "grocery", "frozen"],
  },
  {
    id: "lunch",
    phrases: { ru: ["обед", "на обед", "пообедать"], en: ["lunch", "for lunch"] },
    categories: ["ready_meals", "meat", "fish", "vegetables", "grocery", "bakery"],
  },
  {
    id: "breakfast",
    phrases: { ru: ["завтрак", "на завтрак", "позавтракать"], en: ["breakfast", "for breakfast"] },
    categories: ["dairy", "plant_milk", "bakery", "grocery", "fruit", "coffee_tea"],
  },
  {
    id: "snack",
    phrases: { ru: ["перекус", "перекусить", "на перекус"], en: ["snack", "a snack", "snacking"] },
    categories: ["snacks", "fruit", "sweets", "dairy", "plant_milk"],
  },
  {
    id: "party",
    phrases: {
      ru: ["праздник", "вечеринка", "к празднику", "гости"],
      en: ["party", "celebration", "guests"],
    },
    categories: ["sweets", "drinks", "snacks", "fruit"],
  },
  {
    id: "cooking",
    phrases: { ru: ["приготовить", "готовить", "рецепт"], en: ["cook", "cooking", "recipe"] },
    categories: ["meat", "fish", "vegetables", "grocery", "frozen", "dairy"],
  },
];

/** Word translations that the catalog names alone do not pair. */
export const WORD_PAIRS: readonly (readonly [ru: string, en: string])[] = [
  ["молоко", "milk"],
  ["сыр", "cheese"],
  ["хлеб", "bread"],
  ["мясо", "meat"],
  ["курица", "chicken"],
  ["рыба", "fish"],
  ["овощи", "vegetables"],
  ["фрукты", "fruit"],
  ["ягоды", "berries"],
  ["сок", "juice"],
  ["вода", "water"],
  ["кофе", "coffee"],
  ["чай", "tea"],
  ["шоколад", "chocolate"],
  ["сладкое", "sweet"],
  ["дешевый", "cheap"],
  ["недорогой", "inexpensive"],
  ["полезный", "healthy"],
  ["диета", "diet"],
  ["белок", "protein"],
  ["завтрак", "breakfast"],
  ["ужин", "dinner"],
  ["обед", "lunch"],
  ["ребенок", "child"],
  ["кошка", "cat"],
  ["собака", "dog"],
  ["уборка", "cleaning"],
  ["посуда", "dishes"],
  ["зарядка", "charger"],
  ["колонка", "speaker"],
];

/** Units of pack sizes («900 г», "1 L"): they say nothing about what a product is. */
export const UNIT_WORDS: readonly string[] = [
  ...["г", "кг", "л", "мл", "шт", "см", "вт", "ма", "ч", "пакетиков", "штук", "упаковка"],
  ...["g", "kg", "l", "ml", "pcs", "cm", "w", "mah", "bags", "pack"],
];

/**
 * Words that only frame a request ("подбери", "please") or only join words: the model gives them no
 * weight, so "подбери молоко" and "молоко" embed the same.
 */
export const FILLER_WORDS: readonly string[] = [
  ...["подбери", "подберите", "покажи", "покажите", "найди", "найдите", "посоветуй", "посоветуйте", "хочу"],
  ...[
    "хочется",
    "нужно",
    "нужен",
    "нужна",
    "нужны",
    "надо",
    "купить",
    "куплю",
    "заказать",
    "мне",
    "нам",
    "что",
  ],
  ...["какой", "какая", "какое", "какие", "можно", "есть", "ли", "пожалуйста", "бы", "это", "эту", "этот"],
  ...["please", "find", "show", "me", "want", "need", "buy", "order", "some", "any", "a", "an", "the", "i"],
  ...["recommend", "suggest", "get", "what", "which", "can", "could", "would", "like", "us", "this", "that"],
  // Prepositions and conjunctions: «на ужин» means dinner through «ужин»; a vector for «на» would make
  // every «на …» request (and every unseen word starting with «на») lean towards meals.
  ...[
    "на",
    "для",
    "в",
    "во",
    "с",
    "со",
    "и",
    "к",
    "ко",
    "по",
    "из",
    "от",
    "за",
    "о",
    "об",
    "про",
    "у",
    "или",
  ],
  ...["for", "of", "with", "and", "or", "to", "in", "on", "at", "from", "my", "something", "anything"],
];
