/**
 * Private: the patterns the output validator matches, in Russian and English.
 *
 * @module
 */

/** A catalog item id (`dairy-001`, `plant_milk-012`). */
export const ITEM_ID = /\b[a-z][a-z_]*-\d{3,}\b/g;

/** A bank product code (Santander columns, insurance and partner offers). */
export const PRODUCT_CODE = /\b(?:ind_[a-z_]+_ult1|ins_[a-z_]+|partner_[a-z_]+)\b/g;

/** A quoted name: «…», “…” or "…". */
export const QUOTED = /«([^«»]{2,80})»|“([^“”]{2,80})”|"([^"]{2,80})"/g;

/** Claims of guaranteed returns or no risk. */
export const GUARANTEE_CLAIMS: readonly RegExp[] = [
  /гарантированн\p{L}*\s+(?:\p{L}+\s+)?(?:доход|доходност|прибыл|заработ|возврат|выплат|рост)/iu,
  /гаранти(?:руем|рует|ровано)\p{L}*\s+(?:\p{L}+\s+)?(?:доход|доходност|прибыл|заработ|рост)/iu,
  /без\s+(?:всякого\s+|какого-либо\s+|малейшего\s+)?риск(?:а|ов)/iu,
  /безрисков\p{L}*/iu,
  /нулев\p{L}*\s+риск/iu,
  /(?:точно|обязательно|гарантированно)\s+заработа/iu,
  /не\s+потеряете/iu,
  /guarantee[sd]?\s+(?:you\s+)?(?:a\s+)?(?:\w+\s+)?(?:returns?|income|profits?|yields?|gains?|earnings)/i,
  /risk[\s-]free/i,
  /\b(?:no|zero|without(?:\s+any)?)\s+risks?\b/i,
  /can(?:no|')t\s+lose/i,
  /sure[\s-](?:fire\s+)?(?:profit|return|gain)/i,
];

/** A mention of the full cost of credit. */
export const FULL_COST =
  /ПСК|\bPSK\b|полн\p{L}*\s+стоимост\p{L}*\s+кредит|full\s+cost\s+of\s+(?:the\s+)?credit/iu;

/** Percentage figures (global: for `matchAll`). */
export const PERCENTS = /(\d+(?:[.,]\d+)?)\s*%/g;

/** Whether a text holds a percentage figure. */
export const HAS_PERCENT = /\d\s*%/;

/** Words that make a percentage an interest rate. */
export const RATE_WORDS = /ставк|годов|под\s+\d|\brate\b|\bAPR\b|per\s+annum|a\s+year|\bp\.a\./iu;

/** The AI disclosure, in either language and in a few natural wordings. */
export const AI_DISCLOSURE_PATTERN =
  /(?:ответ|текст)\s+подготовлен\p{L}*\s+(?:с\s+помощью\s+)?ИИ|written\s+by\s+(?:an\s+)?AI|generated\s+by\s+(?:an\s+)?AI/iu;

/** Markers of a prompt leaking or an injection obeyed: chat-template tokens, role headers, our own labels. */
export const PROMPT_MARKERS: readonly RegExp[] = [
  /<\|(?:im_start|im_end|system|user|assistant|endoftext)\|>/i,
  /\[\/?INST\]|<<\/?SYS>>/,
  /^#{1,6}\s*(?:system|instruction|developer)/im,
  /\bsystem\s+(?:prompt|message)\b|системн\p{L}*\s+(?:промпт|сообщени|инструкци)/iu,
  /security\s+marker/i,
  // Talking about its own instructions means the model is following an injection.
  /\b(?:my|the)\s+(?:instructions|rules|guidelines)\s+(?:are|say)\b|\bhere\s+are\s+my\s+(?:instructions|rules)/i,
  /(?:мои|мо[ия]\s+системн\p{L}*)\s+(?:инструкци|правила|указани)/iu,
  /TASK:\s*(?:chat|explain_offers)|PROFILE \(derived|CATALOG \(untrusted|MESSAGE \(untrusted/,
  /<\/?data-[0-9a-f]*/i,
  /CNRY-[0-9a-f]+/i,
];

/** Normalises text for name matching: lower case, «ё» as «е», single spaces. */
export function normalize(text: string): string {
  return text.toLowerCase().replace(/ё/g, "е").replace(/\s+/g, " ").trim();
}
