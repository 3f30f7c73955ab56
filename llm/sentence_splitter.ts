/**
 * Cuts a stream of text deltas into whole sentences, so each can be validated
 * before the user sees it. A sentence ends at `.`, `!`, `?` or `…` (with any
 * closing quotes or brackets) followed by whitespace, or at a line break.
 * Decimal points ("9.9%") and ids ("dairy-001.") inside a sentence do not end
 * it because no whitespace follows them.
 *
 * @module
 */

const BOUNDARY = /[.!?…]+["»”')\]]*(?=\s)|\n+/g;
const LIST_MARKER = /^(?:\d{1,2}|\p{L})[.)]$/u;

/** Accumulates deltas and hands out complete sentences. */
export class SentenceSplitter {
  #buffer = "";
  /** A sentence longer than this is cut anyway, so a run-on answer cannot hold text back forever. */
  readonly maxChars: number;

  constructor(maxChars = 600) {
    this.maxChars = maxChars;
  }

  /** Adds a delta and returns the sentences it completed (trimmed, non-empty). */
  push(delta: string): string[] {
    this.#buffer += delta;
    const sentences: string[] = [];
    let start = 0;
    BOUNDARY.lastIndex = 0;
    for (let match = BOUNDARY.exec(this.#buffer); match !== null; match = BOUNDARY.exec(this.#buffer)) {
      const end = match.index + match[0].length;
      const sentence = this.#buffer.slice(start, end).trim();
      // A list marker ("1.", "б)") starts a sentence rather than being one.
      if (LIST_MARKER.test(sentence)) continue;
      if (sentence) sentences.push(sentence);
      start = end;
    }
    this.#buffer = this.#buffer.slice(start);
    if (this.#buffer.length > this.maxChars) {
      // Cut at the last space so a word is not split.
      const cut = this.#buffer.lastIndexOf(" ", this.maxChars);
      const at = cut > 0 ? cut : this.maxChars;
      sentences.push(this.#buffer.slice(0, at).trim());
      this.#buffer = this.#buffer.slice(at);
    }
    return sentences;
  }

  /** Returns what is left once the stream has ended (at most one sentence). */
  flush(): string[] {
    const rest = this.#buffer.trim();
    this.#buffer = "";
    return rest ? [rest] : [];
  }
}

/** Splits a whole text into sentences. */
export function splitSentences(text: string): string[] {
  const splitter = new SentenceSplitter(Number.MAX_SAFE_INTEGER);
  return [...splitter.push(text), ...splitter.flush()];
}
