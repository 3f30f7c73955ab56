/**
 * What the engine stores about a person, sealed before it reaches Postgres:
 * a user's display name and profile attributes, and the text of chat turns
 * (user-written messages and the answers that quote them). Each value is an
 * AES-GCM envelope bound to its table, column and row (`pii_cipher.ts`).
 *
 * Display names stay searchable for the demo picker through a **blind
 * index**: every word of the normalised name contributes its prefixes (2 to
 * 12 characters), each stored as a keyed hash (HMAC-SHA-256 with
 * `PSEUDONYM_KEY`, prefix `name:`, first 12 bytes). A query's words are hashed
 * the same way and matched with `name_index @> tokens`; candidates are then
 * decrypted and checked, so the answer is exact. What the index reveals to
 * someone holding only the database: which rows share a name prefix, not the
 * prefix.
 *
 * @module
 */

import { isEnvelope, type PiiCipher, toBase64url } from "./pii_cipher.ts";
import type { Pseudonymizer } from "./pseudonym.ts";

/** Longest prefix indexed per word. */
export const MAX_INDEXED_PREFIX = 12;
const MIN_INDEXED_PREFIX = 2;

/** A user's personal data as the application sees it. */
export interface UserPii {
  displayName: string | null;
  attributes: Record<string, unknown>;
}

/** The same, as stored. */
export interface SealedUser {
  displayName: string | null;
  attributes: string;
  nameIndex: string[];
}

/** Lower case, NFKC, `ё` as `е`, split into words of letters and digits. */
export function nameWords(text: string): string[] {
  return text.normalize("NFKC").toLowerCase().replace(/ё/g, "е").split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** Seals and opens personal data; builds and queries the blind name index. */
export class PiiVault {
  #cipher: PiiCipher;
  #macs: Pseudonymizer;

  constructor(cipher: PiiCipher, macs: Pseudonymizer) {
    this.#cipher = cipher;
    this.#macs = macs;
  }

  /** The cipher (for rotation). */
  get cipher(): PiiCipher {
    return this.#cipher;
  }

  /** Seals a user's row. */
  async sealUser(userId: string, pii: UserPii): Promise<SealedUser> {
    return {
      displayName: pii.displayName === null
        ? null
        : await this.#cipher.encrypt(pii.displayName, `users.display_name:${userId}`),
      attributes: await this.#cipher.encrypt(JSON.stringify(pii.attributes), `users.attributes:${userId}`),
      nameIndex: pii.displayName === null ? [] : await this.nameIndex(pii.displayName),
    };
  }

  /** Opens a stored display name (a value written before encryption was introduced passes through). */
  async openDisplayName(userId: string, stored: string | null): Promise<string | null> {
    if (stored === null || !isEnvelope(stored)) return stored;
    return await this.#cipher.decrypt(stored, `users.display_name:${userId}`);
  }

  /** Opens stored attributes. */
  async openAttributes(userId: string, stored: string | null): Promise<Record<string, unknown>> {
    if (stored === null || stored === "") return {};
    const text = isEnvelope(stored)
      ? await this.#cipher.decrypt(stored, `users.attributes:${userId}`)
      : stored;
    return JSON.parse(text) as Record<string, unknown>;
  }

  /** Seals one text column of a chat turn. */
  sealTurnText(turnId: string, column: "message" | "answer", text: string): Promise<string> {
    return this.#cipher.encrypt(text, `chat_turns.${column}:${turnId}`);
  }

  /** Opens one text column of a chat turn. */
  async openTurnText(turnId: string, column: "message" | "answer", stored: string): Promise<string> {
    if (!isEnvelope(stored)) return stored;
    return await this.#cipher.decrypt(stored, `chat_turns.${column}:${turnId}`);
  }

  /** Index tokens of a display name: keyed hashes of every word prefix. */
  async nameIndex(displayName: string): Promise<string[]> {
    const prefixes = new Set<string>();
    for (const word of nameWords(displayName)) {
      const letters = [...word];
      for (
        let length = MIN_INDEXED_PREFIX;
        length <= Math.min(letters.length, MAX_INDEXED_PREFIX);
        length++
      ) {
        prefixes.add(letters.slice(0, length).join(""));
      }
    }
    return await Promise.all([...prefixes].map((prefix) => this.#token(prefix)));
  }

  /** Tokens a name must all carry to match `query` (empty when no word is long enough to search by). */
  async queryTokens(query: string): Promise<string[]> {
    const words = nameWords(query).map((word) => [...word].slice(0, MAX_INDEXED_PREFIX).join(""))
      .filter((word) => [...word].length >= MIN_INDEXED_PREFIX);
    return await Promise.all([...new Set(words)].map((word) => this.#token(word)));
  }

  /** Whether every word of `query` starts a word of `displayName` (the exact check after the index). */
  static nameMatches(displayName: string, query: string): boolean {
    const words = nameWords(displayName);
    return nameWords(query).every((part) => words.some((word) => word.startsWith(part)));
  }

  async #token(prefix: string): Promise<string> {
    return toBase64url((await this.#macs.mac("name", prefix)).subarray(0, 12));
  }
}
