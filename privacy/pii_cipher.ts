/**
 * Encryption of personal data at rest: AES-256-GCM through WebCrypto, one
 * fresh 96-bit nonce per value, and the value's place (table, column, row) as
 * additional authenticated data, so a ciphertext copied into another row or
 * column does not decrypt. Every ciphertext names its key:
 *
 * ```
 * enc:v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>
 * ```
 *
 * Several keys can be loaded (`PII_KEYS`): the first encrypts, all decrypt,
 * so keys rotate without downtime; `store/pii_rotation.ts` re-encrypts old
 * rows under the current key.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });
const PREFIX = "enc:v1:";
const NONCE_BYTES = 12;
/** Key ids: short, and free of the envelope's separator. */
export const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,32}$/;

/** One data-encryption key. */
export interface PiiKey {
  id: string;
  /** 32 raw bytes (AES-256). */
  key: Uint8Array;
}

/** Raised when a stored value cannot be decrypted (unknown key, tampering, wrong row). */
export class PiiDecryptError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "PiiDecryptError";
  }
}

/** base64url without padding. */
export function toBase64url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Decodes base64 or base64url (padding optional); null when malformed. */
export function fromBase64(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null;
  const plain = text.replace(/=+$/, "").replace(/-/g, "+").replace(/_/g, "/");
  if (plain.length % 4 === 1) return null;
  try {
    return Uint8Array.from(
      atob(plain + "=".repeat((4 - plain.length % 4) % 4)),
      (char) => char.charCodeAt(0),
    );
  } catch {
    return null;
  }
}

/** Whether a stored value is an envelope written by {@linkcode PiiCipher}. */
export function isEnvelope(value: string): boolean {
  return value.startsWith(PREFIX);
}

/** The key id an envelope names, or null for anything else. */
export function keyIdOf(value: string): string | null {
  if (!isEnvelope(value)) return null;
  const end = value.indexOf(":", PREFIX.length);
  return end < 0 ? null : value.slice(PREFIX.length, end);
}

/** AES-GCM with a key ring: the first key encrypts, every key decrypts. */
export class PiiCipher {
  #current: { id: string; key: CryptoKey };
  #keys: Map<string, CryptoKey>;

  private constructor(current: { id: string; key: CryptoKey }, keys: Map<string, CryptoKey>) {
    this.#current = current;
    this.#keys = keys;
  }

  /** Imports the key ring; throws RangeError for an empty ring, a bad id or a key that is not 32 bytes. */
  static async create(keys: readonly PiiKey[]): Promise<PiiCipher> {
    if (keys.length === 0) throw new RangeError("At least one PII key is needed");
    const imported = new Map<string, CryptoKey>();
    for (const { id, key } of keys) {
      if (!KEY_ID_PATTERN.test(id)) throw new RangeError(`PII key id "${id}" must match ${KEY_ID_PATTERN}`);
      if (key.length !== 32) throw new RangeError(`PII key "${id}" must be 32 bytes, got ${key.length}`);
      if (imported.has(id)) throw new RangeError(`PII key id "${id}" appears twice`);
      imported.set(
        id,
        await crypto.subtle.importKey("raw", new Uint8Array(key), "AES-GCM", false, ["encrypt", "decrypt"]),
      );
    }
    return new PiiCipher({ id: keys[0].id, key: imported.get(keys[0].id)! }, imported);
  }

  /** The id of the key that encrypts. */
  get keyId(): string {
    return this.#current.id;
  }

  /** Every loaded key id, the current one first. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  /** Whether `value` is an envelope under the current key. */
  isCurrent(value: string): boolean {
    return keyIdOf(value) === this.#current.id;
  }

  /** Encrypts `plaintext`, bound to `context` (e.g. `users.display_name:b-000001`). */
  async encrypt(plaintext: string, context: string): Promise<string> {
    const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt(
        { name: "AES-GCM", iv: nonce, additionalData: encoder.encode(context) },
        this.#current.key,
        encoder.encode(plaintext),
      ),
    );
    const packed = new Uint8Array(NONCE_BYTES + sealed.length);
    packed.set(nonce);
    packed.set(sealed, NONCE_BYTES);
    return `${PREFIX}${this.#current.id}:${toBase64url(packed)}`;
  }

  /** Decrypts an envelope made for the same `context`; throws {@linkcode PiiDecryptError} otherwise. */
  async decrypt(envelope: string, context: string): Promise<string> {
    const id = keyIdOf(envelope);
    if (id === null) throw new PiiDecryptError("value is not an encrypted envelope");
    const key = this.#keys.get(id);
    if (key === undefined) throw new PiiDecryptError(`no PII key "${id}" is loaded (PII_KEYS)`);
    const packed = fromBase64(envelope.slice(PREFIX.length + id.length + 1));
    if (packed === null || packed.length < NONCE_BYTES + 16) throw new PiiDecryptError("malformed envelope");
    try {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: packed.subarray(0, NONCE_BYTES), additionalData: encoder.encode(context) },
        key,
        packed.subarray(NONCE_BYTES),
      );
      return decoder.decode(plain);
    } catch (error) {
      throw new PiiDecryptError("envelope does not authenticate (tampered, or another row's value)", {
        cause: error,
      });
    }
  }
}
