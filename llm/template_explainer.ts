/**
 * The template explainer: texts from the decision's reasons and disclosures
 * and from the retrieved catalog items, in Russian and English, with no
 * network. It is on the hot path (recommendations, the first SSE byte), so it
 * only concatenates strings: microseconds per answer. Template texts are not
 * AI-written and carry no AI disclosure. {@linkcode classifyMessage} also
 * lets the explainer refuse obvious prompt injection before any LLM sees it
 * (the LLM's output is validated separately, so what it misses is still
 * caught on the way out).
 *
 * @module
 */

import type { CatalogItem } from "../datagen/types.ts";
import type { DecidedOffer, Language } from "../decision/types.ts";
import type { ExplainContext, RetailRequest } from "./explain_context.ts";
import { FULL_COST } from "./_patterns.ts";
import { fullCostSentence, rateSentence, rubles, ruItems, SAFE_REPLIES, TAG_TEXTS } from "./_texts.ts";

/** What a chat message asks for. */
export type ChatIntent = "injection" | "bank_why" | "bank" | "retail" | "other";

const INJECTION: readonly RegExp[] = [
  /\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|rules|prompt|guidelines)\b/i,
  /(?:игнорируй|игнорировать|забудь|отмени|не\s+следуй)\p{L}*.{0,40}(?:инструкци|правил|промпт|указани)/iu,
  /\b(?:system|developer)\s+(?:prompt|message|instructions?)\b/i,
  /системн\p{L}*\s+(?:промпт|сообщени|инструкци|подсказк)/iu,
  /\b(?:reveal|show|print|repeat)\b.{0,30}\b(?:prompt|instructions|rules)\b/i,
  /(?:покажи|выведи|повтори|раскрой|напиши)\p{L}*.{0,30}(?:промпт|инструкци|правила)/iu,
  /\byou\s+are\s+now\b|\bact\s+as\b|\bpretend\b|\bjailbreak\b|developer\s+mode/i,
  /ты\s+теперь|притворись|представь,?\s+что\s+ты|режим\s+разработчика/iu,
  /<\|im_start\|>|\[INST\]|<<SYS>>|^\s*(?:system|assistant)\s*:/im,
  /\b(?:other|another)\s+(?:users?|clients?|customers?)\b|(?:друг\p{L}*|чуж\p{L}*)\s+(?:пользовател|клиент)/iu,
];

const BANK =
  /карт|кредит|вклад|сч[её]т|ипотек|страхов|инвест|фонд|пенси|предлага|предложени|(?<!\p{L})банк(?!ет)|ПСК|ставк|процент|кешб[эе]к|\b(?:offers?|cards?|loans?|credit|deposits?|accounts?|mortgage|insurance|invest\w*|funds?|bank\w*|rate|cashback)\b/iu;
const WHY = /почему|зачем|за\s+что|с\s+чего|отчего|на\s+каком\s+основании|\bwhy\b|\bhow\s+come\b|\breason/iu;
const RETAIL =
  /купить|куплю|подбер|найди|ищу|хочу|товар|продукт|доставк|без\s+лактоз|без\s+глютен|веган|до\s+\d+\s*(?:₽|руб|р\b)|\b(?:buy|find|looking\s+for|items?|products?|groceries|under\s+\d+)\b/iu;

/** Classifies `message`: an injection attempt first, then bank questions, then retail requests. */
export function classifyMessage(message: string): ChatIntent {
  if (INJECTION.some((pattern) => pattern.test(message))) return "injection";
  if (BANK.test(message)) return WHY.test(message) ? "bank_why" : "bank";
  if (RETAIL.test(message)) return "retail";
  return "other";
}

/** A template chat answer. */
export interface TemplateAnswer {
  intent: ChatIntent;
  /** The whole answer. */
  text: string;
  /** Product codes and item ids the answer names. */
  entities: { products: string[]; items: string[] };
  /**
   * What to append when an LLM answer was cut short after `shownText` (which
   * named `shown`): only the facts it did not cover yet, or "".
   */
  continuation(shown: { products: readonly string[]; items: readonly string[] }, shownText: string): string;
}

const sentence = (text: string) => /[.!?…]$/.test(text) ? text : `${text}.`;

/** The disclosures of one offer: for credit the ПСК range first, then the rate. */
function disclosureText(offer: DecidedOffer, language: Language): string {
  const { fullCostRange, rateRange } = offer.disclosures;
  const parts: string[] = [];
  if (fullCostRange) parts.push(fullCostSentence(offer.name[language], fullCostRange, language));
  // A credit rate without its ПСК would break the disclosure rule, so it is left out.
  if (rateRange && (fullCostRange || offer.family !== "credit")) {
    parts.push(rateSentence(rateRange, language, fullCostRange !== null));
  }
  return parts.join(" ");
}

/** Explains one offer from its reasons and disclosures. */
export function explainOffer(offer: DecidedOffer, language: Language): string {
  const name = offer.name[language];
  const reasons = offer.reasons.map((reason) => sentence(reason.text[language].trim())).filter((r) =>
    r !== "."
  );
  const head = language === "ru" ? `Почему мы предлагаем «${name}»:` : `Why we offer ${name}:`;
  const body = reasons.length > 0
    ? reasons.join(" ")
    : language === "ru"
    ? "Это предложение подобрано по вашему профилю."
    : "This offer was picked for your profile.";
  const disclosures = disclosureText(offer, language);
  return disclosures ? `${head} ${body} ${disclosures}` : `${head} ${body}`;
}

/** Explains every offer: productId → text. */
export function explainOffers(offers: readonly DecidedOffer[], language: Language): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const offer of offers) texts[offer.productId] = explainOffer(offer, language);
  return texts;
}

function retailIntro(count: number, request: RetailRequest | null | undefined, language: Language): string {
  const tags = (request?.tags ?? []).map((tag) => TAG_TEXTS[tag]).filter((tag) => tag !== undefined);
  const limit = request?.maxPrice
    ? (language === "ru" ? ` до ${rubles(request.maxPrice)}` : ` under ${rubles(request.maxPrice)}`)
    : "";
  if (language === "en") {
    const adjectives = tags.map((tag) => `${tag.en} `).join("");
    return `Found ${count} ${adjectives}${count === 1 ? "item" : "items"}${limit}:`;
  }
  const adjectives = tags.flatMap((tag) =>
    tag.ruAdjective ? [tag.ruAdjective[ruItems(count) === "товар" ? 0 : 1]] : []
  );
  const phrases = tags.flatMap((tag) => tag.ru ? [tag.ru] : []);
  return [`Подобрал ${count}`, ...adjectives, ruItems(count), ...phrases].join(" ") + `${limit}:`;
}

function itemText(item: CatalogItem, context: ExplainContext): string {
  const language = context.language;
  const stock = context.location ? item.availability[context.location] ?? 0 : 1;
  const missing = stock > 0 ? "" : language === "ru" ? " (нет в наличии)" : " (out of stock)";
  return `${item.name[language]} (${item.id}) — ${rubles(item.price)}${missing}`;
}

function retailAnswer(context: ExplainContext, intent: ChatIntent): TemplateAnswer {
  const language = context.language;
  const items = context.items.slice(0, 5);
  const ids = items.map((item) => item.id);
  const list = (chosen: readonly CatalogItem[]) =>
    chosen.map((item) => itemText(item, context)).join("; ") + ".";
  const text = items.length === 0
    ? SAFE_REPLIES.nothingFound[language]
    : `${retailIntro(items.length, context.request, language)} ${list(items)}`;
  return {
    intent,
    text,
    entities: { products: [], items: ids },
    continuation(shown) {
      if (items.length === 0) return "";
      if (!items.some((item) => shown.items.includes(item.id))) return text;
      const rest = items.filter((item) => !shown.items.includes(item.id));
      if (rest.length === 0) return "";
      return `${language === "ru" ? "Ещё подходят:" : "Also matching:"} ${list(rest)}`;
    },
  };
}

const FAMILY_WORDS: [RegExp, (offer: DecidedOffer) => boolean][] = [
  [/карт|card/i, (offer) => offer.family === "card" || /карт|card/i.test(offer.name.en + offer.name.ru)],
  [/ипотек|mortgage/i, (offer) => offer.productId === "ind_hip_fin_ult1"],
  [/кредит|займ|loan|credit/i, (offer) => offer.family === "credit"],
  [/вклад|депозит|сбереж|deposit|saving/i, (offer) => offer.family === "deposit"],
  [/страхов|каско|осаго|insurance/i, (offer) => offer.family === "insurance"],
  [/инвест|фонд|бумаг|invest|fund|securit/i, (offer) => offer.family === "investment"],
  [/сч[её]т|account/i, (offer) => offer.family === "account"],
  [/скидк|кешб[эе]к|партн|discount|cashback|partner/i, (offer) => offer.family === "partner"],
];

/** The offer a bank question is about: named, or of the family it names, or else the primary. */
function targetOffer(message: string, offers: readonly DecidedOffer[]): DecidedOffer {
  const lower = message.toLowerCase();
  const named = offers.find((o) =>
    lower.includes(o.name.ru.toLowerCase()) || lower.includes(o.name.en.toLowerCase())
  );
  if (named) return named;
  for (const [words, matches] of FAMILY_WORDS) {
    if (!words.test(message)) continue;
    const found = offers.find(matches);
    if (found) return found;
  }
  return offers.find((offer) => offer.role === "primary") ?? offers[0];
}

function bankAnswer(context: ExplainContext, intent: ChatIntent): TemplateAnswer {
  const language = context.language;
  if (context.offers.length === 0) return fixed(intent, SAFE_REPLIES.noOffers[language]);
  const offer = targetOffer(context.message ?? "", context.offers);
  return {
    intent,
    text: explainOffer(offer, language),
    entities: { products: [offer.productId], items: [] },
    continuation(shown, shownText) {
      if (!shown.products.includes(offer.productId)) return explainOffer(offer, language);
      return FULL_COST.test(shownText) ? "" : disclosureText(offer, language);
    },
  };
}

function fixed(intent: ChatIntent, text: string): TemplateAnswer {
  return { intent, text, entities: { products: [], items: [] }, continuation: () => "" };
}

/** The template chat answer for the message in `context`. */
export function templateChatAnswer(context: ExplainContext): TemplateAnswer {
  const language = context.language;
  const intent = classifyMessage(context.message ?? "");
  if (intent === "injection") return fixed(intent, SAFE_REPLIES.injection[language]);
  if (intent === "bank_why" || intent === "bank") return bankAnswer(context, intent);
  if (intent === "retail" || context.items.length > 0 || context.request) {
    return retailAnswer(context, intent);
  }
  return fixed(intent, SAFE_REPLIES.offTopic[language]);
}
