/**
 * Patterns of a shopping request: the words that name a catalog category, the phrases of each dietary
 * tag, and price limits in Russian and English. Category words are written as ordinary words and matched
 * by stem, so «кефиром» and "cheeses" count.
 *
 * @module
 */

/** Words and phrases naming each category; a phrase matches as consecutive stems. */
export const CATEGORY_WORDS: Readonly<Record<string, readonly string[]>> = {
  dairy: [
    ...["молоко", "молочный", "молочка", "кефир", "творог", "йогурт", "сметана", "сыр", "сливочное масло"],
    ...["dairy", "milk", "kefir", "cheese", "yogurt", "sour cream", "butter", "cottage cheese"],
  ],
  plant_milk: [
    ...[
      "молоко",
      "овсяное молоко",
      "миндальное молоко",
      "соевое молоко",
      "соевый йогурт",
      "растительное молоко",
    ],
    ...["milk", "oat milk", "almond milk", "soy milk", "soy yogurt", "plant milk", "non-dairy milk"],
  ],
  bakery: [
    "хлеб",
    "батон",
    "выпечка",
    "круассаны",
    "лаваш",
    "булка",
    "bread",
    "loaf",
    "bakery",
    "croissants",
  ],
  meat: [
    "мясо",
    "курица",
    "куриный",
    "говядина",
    "фарш",
    "стейк",
    "колбаса",
    "meat",
    "chicken",
    "beef",
    "steak",
  ],
  fish: [
    "рыба",
    "лосось",
    "креветки",
    "сельдь",
    "морепродукты",
    "fish",
    "salmon",
    "shrimp",
    "herring",
    "seafood",
  ],
  vegetables: [
    ...["овощи", "огурцы", "томаты", "помидоры", "картофель", "картошка", "авокадо", "салат"],
    ...["vegetables", "veggies", "cucumbers", "tomatoes", "potatoes", "avocado", "lettuce"],
  ],
  fruit: [
    ...["фрукты", "бананы", "яблоки", "голубика", "мандарины", "ягоды"],
    ...["fruit", "bananas", "apples", "blueberries", "tangerines", "berries"],
  ],
  ready_meals: [
    ...["готовая еда", "готовое блюдо", "суп", "плов", "боул", "сырники"],
    ...["ready meal", "ready meals", "prepared food", "soup", "pilaf", "bowl"],
  ],
  snacks: ["снеки", "чипсы", "орехи", "батончик", "закуски", "snacks", "chips", "crisps", "nuts", "bar"],
  sweets: ["сладкое", "сладости", "шоколад", "конфеты", "десерт", "sweets", "chocolate", "candy", "dessert"],
  drinks: [
    ...["напитки", "напиток", "вода", "сок", "лимонад", "морс", "попить"],
    ...["drinks", "drink", "water", "juice", "lemonade", "beverages"],
  ],
  coffee_tea: ["кофе", "чай", "coffee", "tea"],
  grocery: [
    ...["бакалея", "гречка", "рис", "макароны", "спагетти", "крупа", "хлопья"],
    ...["grocery", "buckwheat", "rice", "pasta", "spaghetti", "cereal", "oat flakes"],
  ],
  frozen: [
    "заморозка",
    "замороженный",
    "пельмени",
    "мороженое",
    "frozen",
    "dumplings",
    "ice cream",
    "pelmeni",
  ],
  baby: ["детское питание", "пюре", "прикорм", "baby food", "puree", "infant"],
  household: [
    ...["бытовая химия", "стирка", "порошок", "для мытья посуды", "для стирки", "уборка"],
    ...["household", "laundry", "detergent", "dishwashing", "cleaning"],
  ],
  pet: [
    ...["корм", "кошка", "кошек", "собака", "собак", "наполнитель", "лакомство", "зоотовары"],
    ...["pet", "cat", "dog", "litter", "treats", "pet food"],
  ],
  cosmetics: [
    ...["косметика", "шампунь", "крем", "зубная паста", "гигиена"],
    ...["cosmetics", "shampoo", "cream", "toothpaste", "hygiene"],
  ],
  electronics: [
    ...["электроника", "наушники", "колонка", "аккумулятор", "зарядка", "зарядное", "гаджет"],
    ...["electronics", "earbuds", "headphones", "speaker", "power bank", "charger", "gadget"],
  ],
  kitchen: [
    ...["сковорода", "сковородка", "чайник", "блендер", "контейнеры", "посуда"],
    ...["kitchen", "frying pan", "kettle", "blender", "containers", "cookware"],
  ],
};

const NOT_LETTER_BEFORE = "(?<![\\p{L}\\p{N}])";
const NOT_LETTER_AFTER = "(?![\\p{L}\\p{N}])";
const word = (pattern: string) => new RegExp(`${NOT_LETTER_BEFORE}(?:${pattern})`, "u");

/** Patterns of each dietary tag on normalised text (lower case, `ё` as `е`). */
export const TAG_PATTERNS: Readonly<Record<string, RegExp>> = {
  lactose_free: word(
    "без\\s*лактоз|безлактозн|безмолочн|lactose[\\s-]*free|no\\s+lactose|without\\s+lactose|dairy[\\s-]*free|" +
      "непереносимост\\p{L}*\\s+лактоз|lactose\\s+intoleran",
  ),
  vegan: word("веган|vegan|plant[\\s-]*based|без\\s+животн|постн"),
  gluten_free: word(
    "без\\s*глютен|безглютен|gluten[\\s-]*free|no\\s+gluten|without\\s+gluten|целиаки|c(?:o)?eliac",
  ),
  sugar_free: word("без\\s*сахар|sugar[\\s-]*free|no\\s+(?:added\\s+)?sugar|without\\s+sugar|диабет|diabet"),
  organic: word(`органи|organic|эко${NOT_LETTER_AFTER}|био${NOT_LETTER_AFTER}|bio${NOT_LETTER_AFTER}`),
  kids: word(
    "для\\s+(?:детей|ребенка|малыш\\p{L}*)|детск|малыш|kids?" + NOT_LETTER_AFTER +
      "|for\\s+(?:children|babies|baby)|toddler",
  ),
};

const AMOUNT = "(\\d{1,3}(?:[\\s\\u00a0]\\d{3})+(?:[.,]\\d+)?|\\d+(?:[.,]\\d+)?)";
const MULTIPLIER = "(?:\\s*(тыс\\p{L}*\\.?|к|k|thousand)" + NOT_LETTER_AFTER + ")?";
const CURRENCY = "(?:\\s*(₽|руб\\p{L}*\\.?|р\\.|р" + NOT_LETTER_AFTER + "|rub\\p{L}*|roubles?|rubles?|r" +
  NOT_LETTER_AFTER + "))?";

/** Price limits: a lead-in, then an amount, an optional thousand multiplier and an optional currency. */
export const PRICE_PATTERN = new RegExp(
  NOT_LETTER_BEFORE +
    "(?:до|не\\s+дороже|дешевле|не\\s+больше|не\\s+более|максимум|макс|в\\s+пределах|менее|меньше|ниже|" +
    "under|below|less\\s+than|up\\s+to|max(?:imum)?|cheaper\\s+than|no\\s+more\\s+than|within|[<≤])" +
    "\\s*(?:₽|rub\\s*)?" + AMOUNT + MULTIPLIER + CURRENCY,
  "gu",
);

/** Units after a number that make it not a price («до 3 лет», "up to 2 kg"). */
export const NOT_PRICE_UNIT = new RegExp(
  "^\\s*(?:лет|год\\p{L}*|мес\\p{L}*|кг|г|л|мл|шт\\p{L}*|%|штук\\p{L}*|мин\\p{L}*|час\\p{L}*|дн\\p{L}*|" +
    "years?|months?|kg|g|l|ml|pcs|minutes?|hours?|days?)" + NOT_LETTER_AFTER,
  "u",
);
