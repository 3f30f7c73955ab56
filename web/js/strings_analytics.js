/**
 * Analytics and ops texts: [Russian, English].
 *
 * @module
 */

/** @type {Record<string, [string, string]>} */
export const ANALYTICS_STRINGS = {
  "analytics.title": ["Аналитика", "Analytics"],
  "analytics.lead": [
    "Качество моделей, профили клиентов, кластеры и сравнение подходов.",
    "Model quality, client profiles, clusters and approach testing.",
  ],
  "analytics.tabs": ["Разделы аналитики", "Analytics sections"],
  "analytics.tab.models": ["Качество моделей", "Model quality"],
  "analytics.tab.profile": ["Медианные профили", "Median profiles"],
  "analytics.tab.clusters": ["Кластеры", "Clusters"],
  "analytics.tab.strategies": ["Тестирование подходов", "Approach testing"],

  "models.intro": [
    "Измерено командой deno task eval: seed {seed}, {users} клиентов, обучение на 70 %, проверка на {rows} строках кампаний ({clients} клиентов) против известного истинного uplift.",
    "Measured by deno task eval: seed {seed}, {users} clients, trained on 70 %, checked on {rows} held-out campaign rows ({clients} clients) against the known true uplift.",
  ],
  "models.tableTitle": ["Сравнение моделей на отложенных клиентах", "Models compared on held-out clients"],
  "models.model": ["Модель", "Model"],
  "models.qini": ["Qini (норм.)", "Qini (normalised)"],
  "models.auuc": ["AUUC", "AUUC"],
  "models.upliftAtK": ["Uplift@{share}%", "Uplift@{share}%"],
  "models.incremental": ["Доп. конверсии (топ {share}%)", "Incremental conversions (top {share}%)"],
  "models.notMeasured": ["не измерено: {reason}", "not measured: {reason}"],
  "models.noLlm": [
    "при оценке не был задан LLM (deno task eval с LLM_BASE_URL, LLM_MODEL, LLM_API_KEY измерит его)",
    "no LLM was configured for the evaluation (deno task eval with LLM_BASE_URL, LLM_MODEL, LLM_API_KEY measures it)",
  ],
  "models.curvesCaption": [
    "Кривые Qini: сколько дополнительных конверсий даёт контакт с долей клиентов, отобранных моделью.",
    "Qini curves: incremental conversions from contacting the share of clients each model ranks first.",
  ],
  "models.curvesSummary": [
    "Кривые Qini для всех моделей; выше — лучше; выделена {best}.",
    "Qini curves of every model; higher is better; {best} is highlighted.",
  ],
  "models.axisShare": ["Доля охваченных клиентов", "Share of clients targeted"],
  "models.axisIncremental": ["Дополнительные конверсии", "Incremental conversions"],
  "models.howToRead": [
    "Склонность (propensity) выбирает тех, кто купит и так; uplift — тех, на кого предложение влияет. Оракул — потолок по истинному uplift.",
    "Propensity picks people who would buy anyway; uplift picks those the offer moves. The oracle is the ceiling from the true uplift.",
  ],
  "models.map7Title": ["Следующий продукт, MAP@7", "Next product, MAP@7"],

  "profile.needBank": [
    "Войдите как клиент банка, чтобы сравнить его с медианными профилями.",
    "Log in as a bank client to compare them with the median profiles.",
  ],
  "profile.intro": [
    "Клиент в кластере {cluster}. Ниже — насколько он похож на типичного держателя каждого продукта.",
    "The client is in cluster {cluster}. Below: how close they are to each product's typical holder.",
  ],
  "profile.distanceCaption": [
    "Стандартизированное расстояние до медианного профиля держателей продукта (меньше — ближе).",
    "Standardised distance to each product's median holder profile (smaller is closer).",
  ],
  "profile.distanceSummary": ["Ближайший профиль: {name}.", "Closest profile: {name}."],
  "profile.distance": ["Расстояние", "Distance"],
  "profile.pick": ["Продукт для сравнения", "Product to compare with"],
  "profile.differencesCaption": [
    "Клиент минус медиана держателей «{name}» ({holders} держателей), в стандартных отклонениях.",
    "Client minus the median of “{name}” holders ({holders} holders), in robust standard deviations.",
  ],
  "profile.differencesSummary": [
    "Отличия клиента от медианного держателя «{name}», расстояние {distance}.",
    "How the client differs from the median “{name}” holder, distance {distance}.",
  ],
  "profile.difference": ["Отличие", "Difference"],
  "profile.axisDifference": ["Клиент − медиана (σ)", "Client − median (σ)"],
  "profile.tableTitle": ["Клиент и медианный профиль", "Client and the median profile"],
  "profile.tableCaption": [
    "Клиент и медианный держатель «{name}»",
    "The client and the median “{name}” holder",
  ],
  "profile.feature": ["Признак", "Feature"],
  "profile.client": ["Клиент", "Client"],
  "profile.median": ["Медиана держателей", "Holders' median"],

  "clusters.intro": [
    "Кластеры клиентов (k-means по профилю и тратам); размер пузыря — число клиентов.",
    "Client clusters (k-means over profile and spending); bubble size is the number of clients.",
  ],
  "clusters.introClient": [
    "Кластеры клиентов; вы — треугольник, ваш кластер — {n}.",
    "Client clusters; you are the triangle, in cluster {n}.",
  ],
  "clusters.x": ["Ось X", "X axis"],
  "clusters.y": ["Ось Y", "Y axis"],
  "clusters.cluster": ["Кластер {n} ({size})", "Cluster {n} ({size})"],
  "clusters.short": ["К{n} ({size})", "C{n} ({size})"],
  "clusters.you": ["Вы (кластер {n})", "You (cluster {n})"],
  "clusters.youShort": ["Вы", "You"],
  "clusters.caption": ["Центры кластеров на выбранных признаках.", "Cluster centres on the chosen features."],
  "clusters.summary": ["Пузырьковая диаграмма {count} кластеров.", "Bubble chart of {count} clusters."],
  "clusters.tableTitle": ["Центры кластеров", "Cluster centres"],

  "strategies.userTitle": ["Этот клиент", "This client"],
  "strategies.userHint": [
    "Одни и те же правила банка, разное ранжирование. Кнопка переключает стратегию главной страницы для этого клиента.",
    "The same bank rules, different ranking. The button switches this client's home page to that strategy.",
  ],
  "strategies.current": ["Сейчас у клиента: {strategy}", "This client now uses: {strategy}"],
  "strategies.offerLine": [
    "эффект {uplift}; с предложением {treated}, без — {control}",
    "effect {uplift}; offered {treated}, not offered {control}",
  ],
  "strategies.total": ["Суммарный эффект: {value}", "Total effect: {value}"],
  "strategies.use": ["Включить для клиента", "Use for this client"],
  "strategies.cohortTitle": ["Когорта", "Cohort"],
  "strategies.cohortHint": [
    "Каждый клиент когорты получает решение по каждой стратегии на том узле, где живёт его актор; суммы — по оценкам uplift-модели (несмещённое сравнение — во вкладке «Качество моделей»).",
    "Every client of the cohort is decided by each strategy on the node that holds their actor; the sums use the uplift model's estimates (the unbiased comparison is under Model quality).",
  ],
  "strategies.cohort": ["Когорта", "Cohort"],
  "strategies.cohortAll": ["Все клиенты банка", "All bank clients"],
  "strategies.cohortCluster": ["Кластер {n}", "Cluster {n}"],
  "strategies.k": ["Предложений на клиента", "Offers per client"],
  "strategies.compare": ["Сравнить", "Compare"],
  "strategies.cohortSummary": [
    "Клиентов: {users}, до {k} предложений каждому, посчитано за {ms} мс на узлах: {nodes}.",
    "{users} clients, up to {k} offers each, computed in {ms} ms on {nodes} node(s).",
  ],
  "strategies.unreachable": [
    "Не ответили узлы: {nodes}. Их клиенты в суммы не вошли.",
    "No answer from node(s): {nodes}. Their clients are not in the totals.",
  ],
  "strategies.chartCaption": [
    "Ожидаемые конверсии: вызванные предложением и случившиеся бы и так.",
    "Expected conversions: caused by the offer, and those that would happen anyway.",
  ],
  "strategies.chartSummary": [
    "Столбцы по стратегиям: дополнительные конверсии и конверсии «и так».",
    "Bars per strategy: incremental conversions and conversions that happen anyway.",
  ],
  "strategies.tableTitle": ["Стратегии на когорте", "Strategies on the cohort"],
  "strategies.strategy": ["Стратегия", "Strategy"],
  "strategies.contacts": ["Контактов", "Contacts"],
  "strategies.incremental": ["Доп. конверсии", "Incremental conversions"],
  "strategies.perContact": ["На контакт", "Per contact"],
  "strategies.conversions": ["Конверсии с предложением", "Conversions if offered"],
  "strategies.anyway": ["Купили бы и так", "Would buy anyway"],
  "strategies.negative": ["Контакты во вред", "Harmful contacts"],
  "strategies.top": ["Чаще всего", "Most shown"],

  "ops.title": ["Операции кластера", "Cluster operations"],
  "ops.lead": ["Узлы, партиции, акторы, модели и задания.", "Nodes, partitions, actors, models and jobs."],
  "ops.token": ["ADMIN_TOKEN", "ADMIN_TOKEN"],
  "ops.tokenHint": [
    "Токен печатается при запуске движка; хранится только в этой вкладке.",
    "The engine prints the token at start; it is kept in this tab only.",
  ],
  "ops.connect": ["Подключиться", "Connect"],
  "ops.needToken": ["Введите токен администратора.", "Enter the admin token."],
  "ops.wrongToken": ["Токен не подошёл.", "The token was refused."],
  "ops.cluster": [
    "Кластер: режим {mode}, партиций {partitions}",
    "Cluster: {mode} mode, {partitions} partitions",
  ],
  "ops.nodes": ["Узлы", "Nodes"],
  "ops.node": ["Узел", "Node"],
  "ops.alive": ["Жив", "Alive"],
  "ops.heartbeat": ["Последний пульс", "Last heartbeat"],
  "ops.owned": ["Партиции", "Partitions"],
  "ops.yes": ["да", "yes"],
  "ops.no": ["нет", "no"],
  "ops.actors": ["Акторы", "Actors"],
  "ops.resident": [
    "В памяти: {count} акторов на {nodes} узл.",
    "Resident: {count} actors on {nodes} node(s)",
  ],
  "ops.partitionsCaption": ["Акторы в памяти по партициям.", "Resident actors per partition."],
  "ops.actorsPerPartition": ["Акторов", "Actors"],
  "ops.partition": ["Партиция", "Partition"],
  "ops.actorList": ["Акторы (первые 50)", "Actors (first 50)"],
  "ops.actor": ["Актор {id}", "Actor {id}"],
  "ops.offset": ["Смещение", "Offset"],
  "ops.eventsApplied": ["Событий применено", "Events applied"],
  "ops.status": ["Состояние", "Status"],
  "ops.dirty": ["Ждёт снимка", "Awaiting snapshot"],
  "ops.lastSnapshot": ["Последний снимок", "Last snapshot"],
  "ops.clusterOf": ["Кластер клиента", "Client cluster"],
  "ops.models": ["Модели", "Models"],
  "ops.modelsLoaded": [
    "Загружены ({source}), обучены {trainedAt}, предложений: {offers}.",
    "Loaded ({source}), trained {trainedAt}, {offers} offers.",
  ],
  "ops.modelsMissing": ["Модели не загружены: {reason}", "Models not loaded: {reason}"],
  "ops.jobs": ["Задания", "Jobs"],
  "ops.jobLine": [
    "Запусков: {runs}, последний: {last}, следующий: {next}, сейчас: {state}.",
    "Runs: {runs}, last: {last}, next: {next}, now: {state}.",
  ],
};
