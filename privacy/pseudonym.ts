/**
 * Pseudonymous user ids. The bank's own customer id never enters the engine:
 * at the edges where it would (registration, producers of events, identity
 * provider subjects) it is replaced by a keyed hash,
 *
 * ```
 * userId = "p-" + base32(HMAC-SHA-256(PSEUDONYM_KEY, "user:" + externalId)[0..20])
 * ```
 *
 * with RFC 4648 base32 in lower case and no padding (32 characters), so the
 * same customer always maps to the same id while nobody without the key can
 * go back, or even test a guessed customer id. The same key, with another
 * domain prefix, makes the blind index of display names (`pii_vault.ts`).
 *
 * @module
 */

const encoder = new TextEncoder();
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** What a pseudonymised id looks like. */
export const PSEUDONYM_PATTERN = /^p-[a-z2-7]{32}$/;
/** Longest external id accepted. */
export const MAX_EXTERNAL_ID_CHARS = 256;
/** Shortest `PSEUDONYM_KEY`. */
export const MIN_PSEUDONYM_KEY_CHARS = 16;

/** RFC 4648 base32, lower case, without padding. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(buffer >>> (bits - 5)) & 31];
      bits -= 5;
    }
    buffer &= (1 << bits) - 1;
  }
  if (bits > 0) out += BASE32[(buffer << (5 - bits)) & 31];
  return out;
}

/** Why an external id cannot be pseudonymised, or null when it can. */
export function externalIdProblem(externalId: string): string | null {
  if (externalId.length === 0) return "external id is empty";
  if (externalId.length > MAX_EXTERNAL_ID_CHARS) {
    return `external id is longer than ${MAX_EXTERNAL_ID_CHARS} characters`;
  }
  // deno-lint-ignore no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(externalId)) return "external id has control characters";
  return null;
}

/** Keyed hashes with `PSEUDONYM_KEY`: pseudonymous ids and other domain-separated MACs. */
export class Pseudonymizer {
  #key: CryptoKey;

  private constructor(key: CryptoKey) {
    this.#key = key;
  }

  /** Imports the key (its UTF-8 bytes are the HMAC key). */
  static async create(secret: string): Promise<Pseudonymizer> {
    if (secret.length < MIN_PSEUDONYM_KEY_CHARS) {
      throw new RangeError(`PSEUDONYM_KEY must be at least ${MIN_PSEUDONYM_KEY_CHARS} characters`);
    }
    const key = await crypto.subtle.importKey(
      "raw",
      encoder.encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign"],
    );
    return new Pseudonymizer(key);
  }

  /** The pseudonymous user id of an external (bank) id; throws RangeError for an unusable id. */
  async pseudonymise(externalId: string): Promise<string> {
    const problem = externalIdProblem(externalId);
    if (problem !== null) throw new RangeError(problem);
    const mac = await this.mac("user", externalId);
    return `p-${base32(mac.subarray(0, 20))}`;
  }

  /** HMAC-SHA-256 of `purpose + ":" + text`; purposes keep the uses of one key apart. */
  async mac(purpose: string, text: string): Promise<Uint8Array> {
    const signature = await crypto.subtle.sign("HMAC", this.#key, encoder.encode(`${purpose}:${text}`));
    return new Uint8Array(signature);
  }
}
