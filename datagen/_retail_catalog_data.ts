/**
 * Templates of the retail catalog: categories with their brands and base
 * products (Russian and English name, typical price in rubles, tags). The
 * catalog builder crosses products with brands.
 *
 * @module
 */

/** A base product: Russian name, English name, typical price in rubles, tags. */
export type ProductTemplate = readonly [ru: string, en: string, price: number, tags: readonly string[]];

/** One category's brands and products. */
export interface CategoryTemplate {
  id: string;
  ru: string;
  brands: readonly string[];
  products: readonly ProductTemplate[];
}

/** The catalog's categories. */
export const CATEGORY_TEMPLATES: readonly CategoryTemplate[] = [
  {
    id: "dairy",
    ru: "Молочные продукты",
    brands: ["Простоквашино", "Домик в деревне", "Вкусвилл", "Parmalat", "Савушкин"],
    products: [
      ["Молоко 3,2% 1 л", "Milk 3.2% 1 L", 95, []],
      ["Молоко безлактозное 2,5% 1 л", "Lactose-free milk 2.5% 1 L", 129, ["lactose_free"]],
      ["Кефир 1% 900 г", "Kefir 1% 900 g", 89, []],
      ["Творог 5% 200 г", "Cottage cheese 5% 200 g", 119, []],
      ["Йогурт греческий 2% 140 г", "Greek yogurt 2% 140 g", 79, []],
      ["Сметана 15% 300 г", "Sour cream 15% 300 g", 99, []],
      ["Сыр безлактозный 200 г", "Lactose-free cheese 200 g", 289, ["lactose_free"]],
      ["Масло сливочное 82,5% 180 г", "Butter 82.5% 180 g", 229, []],
    ],
  },
  {
    id: "plant_milk",
    ru: "Растительное молоко",
    brands: ["Alpro", "Nemoloko", "Вкусвилл"],
    products: [
      ["Овсяное молоко 1 л", "Oat milk 1 L", 189, ["lactose_free", "vegan"]],
      ["Миндальное молоко 1 л", "Almond milk 1 L", 249, ["lactose_free", "vegan", "sugar_free"]],
      ["Соевый йогурт 150 г", "Soy yogurt 150 g", 99, ["lactose_free", "vegan"]],
    ],
  },
  {
    id: "bakery",
    ru: "Хлеб и выпечка",
    brands: ["Хлебный дом", "Коломенский", "Вкусвилл", "Fazer"],
    products: [
      ["Хлеб Бородинский 400 г", "Borodinsky rye bread 400 g", 69, ["vegan"]],
      ["Батон нарезной 400 г", "Sliced loaf 400 g", 59, []],
      ["Хлеб без глютена 300 г", "Gluten-free bread 300 g", 219, ["gluten_free"]],
      ["Круассаны 4 шт", "Croissants, 4 pcs", 179, []],
      ["Лаваш тонкий 300 г", "Thin lavash 300 g", 79, ["vegan"]],
    ],
  },
  {
    id: "meat",
    ru: "Мясо и птица",
    brands: ["Петелинка", "Мираторг", "Черкизово", "Приосколье"],
    products: [
      ["Филе куриное охлаждённое 1 кг", "Chilled chicken fillet 1 kg", 449, ["gluten_free"]],
      ["Фарш говяжий 400 г", "Ground beef 400 g", 329, ["gluten_free"]],
      ["Стейк рибай 300 г", "Ribeye steak 300 g", 899, ["gluten_free"]],
      ["Колбаса докторская 400 г", "Doktorskaya sausage 400 g", 379, []],
    ],
  },
  {
    id: "fish",
    ru: "Рыба и морепродукты",
    brands: ["Русское море", "Меридиан", "Балтийский берег"],
    products: [
      ["Филе лосося охлаждённое 250 г", "Chilled salmon fillet 250 g", 699, ["gluten_free"]],
      ["Креветки варёно-мороженые 500 г", "Cooked frozen shrimp 500 g", 749, ["gluten_free"]],
      ["Сельдь слабосолёная 300 г", "Lightly salted herring 300 g", 259, ["gluten_free"]],
      ["Палочки крабовые 200 г", "Crab sticks 200 g", 149, []],
    ],
  },
  {
    id: "vegetables",
    ru: "Овощи",
    brands: ["Вкусвилл", "Global Village", "Эко-ферма"],
    products: [
      ["Огурцы среднеплодные 450 г", "Cucumbers 450 g", 129, ["vegan", "gluten_free"]],
      ["Томаты черри 250 г", "Cherry tomatoes 250 g", 169, ["vegan", "gluten_free"]],
      ["Картофель молодой 1 кг", "New potatoes 1 kg", 89, ["vegan", "gluten_free"]],
      ["Авокадо хасс 2 шт", "Hass avocado, 2 pcs", 249, ["vegan", "gluten_free"]],
      ["Салат айсберг органический", "Organic iceberg lettuce", 149, ["vegan", "gluten_free", "organic"]],
    ],
  },
  {
    id: "fruit",
    ru: "Фрукты и ягоды",
    brands: ["Вкусвилл", "Global Village", "Сады Придонья"],
    products: [
      ["Бананы 1 кг", "Bananas 1 kg", 139, ["vegan", "gluten_free"]],
      ["Яблоки Гала 1 кг", "Gala apples 1 kg", 169, ["vegan", "gluten_free"]],
      ["Голубика 125 г", "Blueberries 125 g", 299, ["vegan", "gluten_free"]],
      ["Мандарины органические 1 кг", "Organic tangerines 1 kg", 329, ["vegan", "gluten_free", "organic"]],
    ],
  },
  {
    id: "ready_meals",
    ru: "Готовая еда",
    brands: ["Вкусвилл", "Кухня на районе", "Самокат"],
    products: [
      ["Паста болоньезе 350 г", "Pasta bolognese 350 g", 329, []],
      ["Сырники со сметаной 250 г", "Syrniki with sour cream 250 g", 249, []],
      ["Боул с киноа и овощами 300 г", "Quinoa and vegetable bowl 300 g", 359, ["vegan", "gluten_free"]],
      ["Суп том ям 400 г", "Tom yum soup 400 g", 399, ["lactose_free"]],
      ["Плов с курицей 350 г", "Chicken pilaf 350 g", 299, ["lactose_free"]],
    ],
  },
  {
    id: "snacks",
    ru: "Снеки",
    brands: ["Lay's", "Московский картофель", "Bite", "Фрутилад"],
    products: [
      ["Чипсы картофельные 140 г", "Potato chips 140 g", 159, ["vegan"]],
      ["Батончик фруктовый без сахара 30 г", "Sugar-free fruit bar 30 g", 69, [
        "vegan",
        "sugar_free",
        "gluten_free",
      ]],
      ["Орехи ассорти 150 г", "Mixed nuts 150 g", 349, ["vegan", "gluten_free"]],
    ],
  },
  {
    id: "sweets",
    ru: "Сладости",
    brands: ["Красный Октябрь", "Бабаевский", "Alpen Gold", "Ritter Sport"],
    products: [
      ["Шоколад горький 70% 90 г", "Dark chocolate 70% 90 g", 139, ["vegan"]],
      ["Конфеты шоколадные 200 г", "Chocolate candies 200 g", 299, []],
      ["Шоколад без сахара 90 г", "Sugar-free chocolate 90 g", 189, ["sugar_free"]],
    ],
  },
  {
    id: "drinks",
    ru: "Напитки",
    brands: ["Добрый", "Святой Источник", "Черноголовка", "Rich"],
    products: [
      ["Вода минеральная 1,5 л", "Mineral water 1.5 L", 59, ["vegan", "sugar_free"]],
      ["Сок апельсиновый 1 л", "Orange juice 1 L", 159, ["vegan"]],
      ["Лимонад без сахара 0,5 л", "Sugar-free lemonade 0.5 L", 89, ["vegan", "sugar_free"]],
      ["Морс клюквенный 1 л", "Cranberry mors 1 L", 149, ["vegan"]],
    ],
  },
  {
    id: "coffee_tea",
    ru: "Кофе и чай",
    brands: ["Жокей", "Lavazza", "Greenfield", "Ахмад"],
    products: [
      ["Кофе в зёрнах 1 кг", "Coffee beans 1 kg", 1290, ["vegan"]],
      ["Кофе молотый 250 г", "Ground coffee 250 g", 449, ["vegan"]],
      ["Чай зелёный 100 пакетиков", "Green tea, 100 bags", 329, ["vegan", "sugar_free"]],
    ],
  },
  {
    id: "grocery",
    ru: "Бакалея",
    brands: ["Мистраль", "Увелка", "Макфа", "Барилла"],
    products: [
      ["Гречка ядрица 900 г", "Buckwheat 900 g", 119, ["vegan", "gluten_free"]],
      ["Рис басмати 500 г", "Basmati rice 500 g", 189, ["vegan", "gluten_free"]],
      ["Макароны спагетти 450 г", "Spaghetti 450 g", 99, ["vegan"]],
      ["Овсяные хлопья без глютена 400 г", "Gluten-free oat flakes 400 g", 249, ["vegan", "gluten_free"]],
    ],
  },
  {
    id: "frozen",
    ru: "Заморозка",
    brands: ["Сибирская коллекция", "Морозко", "Hortex"],
    products: [
      ["Пельмени 800 г", "Pelmeni dumplings 800 g", 449, []],
      ["Овощная смесь 400 г", "Frozen vegetable mix 400 g", 179, ["vegan", "gluten_free"]],
      ["Мороженое пломбир 400 г", "Plombir ice cream 400 g", 299, []],
    ],
  },
  {
    id: "baby",
    ru: "Детское питание",
    brands: ["Агуша", "ФрутоНяня", "Тёма", "Gerber"],
    products: [
      ["Пюре яблочное с 4 месяцев 90 г", "Apple purée, 4 months+ 90 g", 59, ["kids", "vegan", "gluten_free"]],
      ["Каша гречневая безмолочная 200 г", "Dairy-free buckwheat porridge 200 g", 179, [
        "kids",
        "lactose_free",
      ]],
      ["Творожок детский 100 г", "Kids' curd snack 100 g", 55, ["kids"]],
      ["Сок яблочный детский 200 мл", "Kids' apple juice 200 ml", 45, ["kids", "vegan"]],
    ],
  },
  {
    id: "household",
    ru: "Бытовая химия",
    brands: ["Synergetic", "Fairy", "Persil", "Ушастый нянь"],
    products: [
      ["Средство для мытья посуды 1 л", "Dishwashing liquid 1 L", 229, []],
      ["Гель для стирки 2 л", "Laundry gel 2 L", 749, []],
      ["Гипоаллергенный порошок для детского белья 2 кг", "Hypoallergenic kids' laundry powder 2 kg", 599, [
        "kids",
      ]],
    ],
  },
  {
    id: "pet",
    ru: "Зоотовары",
    brands: ["Purina", "Whiskas", "Pedigree", "Royal Canin"],
    products: [
      ["Корм для кошек 2 кг", "Dry cat food 2 kg", 899, []],
      ["Корм для собак 3 кг", "Dry dog food 3 kg", 1190, []],
      ["Наполнитель для кошачьего туалета 5 л", "Cat litter 5 L", 449, []],
      ["Лакомство для собак 100 г", "Dog treats 100 g", 189, []],
    ],
  },
  {
    id: "cosmetics",
    ru: "Косметика и гигиена",
    brands: ["Natura Siberica", "Чистая линия", "Nivea", "Levrana"],
    products: [
      ["Шампунь 400 мл", "Shampoo 400 ml", 349, []],
      ["Крем для рук органический 75 мл", "Organic hand cream 75 ml", 299, ["organic", "vegan"]],
      ["Зубная паста 75 мл", "Toothpaste 75 ml", 189, []],
      ["Детский крем 100 мл", "Kids' cream 100 ml", 199, ["kids"]],
    ],
  },
  {
    id: "electronics",
    ru: "Электроника",
    brands: ["Xiaomi", "Яндекс", "Samsung", "JBL"],
    products: [
      ["Беспроводные наушники", "Wireless earbuds", 4990, []],
      ["Умная колонка", "Smart speaker", 7990, []],
      ["Внешний аккумулятор 10000 мА·ч", "Power bank 10,000 mAh", 1990, []],
      ["Зарядное устройство USB-C 65 Вт", "USB-C charger 65 W", 2490, []],
    ],
  },
  {
    id: "kitchen",
    ru: "Товары для кухни",
    brands: ["Tefal", "Polaris", "Redmond"],
    products: [
      ["Сковорода 28 см", "Frying pan 28 cm", 2990, []],
      ["Электрочайник 1,7 л", "Electric kettle 1.7 L", 2490, []],
      ["Блендер погружной", "Hand blender", 3990, []],
      ["Контейнеры для хранения, набор 3 шт", "Food storage containers, set of 3", 890, []],
    ],
  },
];

/** Latin spellings of the Cyrillic brands, for English names. */
export const BRAND_LATIN: Readonly<Record<string, string>> = {
  "Простоквашино": "Prostokvashino",
  "Домик в деревне": "Domik v derevne",
  "Вкусвилл": "VkusVill",
  "Савушкин": "Savushkin",
  "Хлебный дом": "Khlebny Dom",
  "Коломенский": "Kolomensky",
  "Петелинка": "Petelinka",
  "Мираторг": "Miratorg",
  "Черкизово": "Cherkizovo",
  "Приосколье": "Prioskolye",
  "Русское море": "Russkoye More",
  "Меридиан": "Meridian",
  "Балтийский берег": "Baltiysky Bereg",
  "Эко-ферма": "Eco-Farm",
  "Сады Придонья": "Sady Pridonya",
  "Кухня на районе": "Kukhnya na Rayone",
  "Самокат": "Samokat",
  "Московский картофель": "Moskovsky Kartofel",
  "Фрутилад": "Frutilad",
  "Красный Октябрь": "Krasny Oktyabr",
  "Бабаевский": "Babaevsky",
  "Добрый": "Dobry",
  "Святой Источник": "Svyatoy Istochnik",
  "Черноголовка": "Chernogolovka",
  "Жокей": "Jockey",
  "Ахмад": "Ahmad",
  "Мистраль": "Mistral",
  "Увелка": "Uvelka",
  "Макфа": "Makfa",
  "Барилла": "Barilla",
  "Сибирская коллекция": "Sibirskaya Kollektsiya",
  "Морозко": "Morozko",
  "Агуша": "Agusha",
  "ФрутоНяня": "FrutoNyanya",
  "Тёма": "Tyoma",
  "Ушастый нянь": "Ushasty Nyan",
  "Чистая линия": "Chistaya Liniya",
  "Яндекс": "Yandex",
};

/** Delivery cities of the retail demo. */
export const LOCATIONS = ["msk", "spb", "kzn", "ekb"] as const;
