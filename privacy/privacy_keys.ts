/**
 * Where the privacy keys come from. `PII_KEYS` (data-encryption keys, the
 * first one encrypts) and `PSEUDONYM_KEY` (the keyed hash of ids and the name
 * index) are meant to be set, the same on every node. When they are not:
 *
 * - with a database of its own (the embedded default, or any node without an
 *   explicit `ADMIN_TOKEN`) the engine generates them once and keeps them in
 *   `DATA_DIR/privacy_keys.json` (mode 0600), and says so in the log, as it
 *   does for `ADMIN_TOKEN`;
 * - with a shared database and an explicit `ADMIN_TOKEN`, every node derives
 *   the same keys from it with HKDF-SHA-256 (as `AUTH_SECRET` defaults to a
 *   value derived from it), with a warning that production should set them.
 *
 * @module
 */

import { fromBase64, KEY_ID_PATTERN, type PiiKey, toBase64url } from "./pii_cipher.ts";
import { MIN_PSEUDONYM_KEY_CHARS } from "./pseudonym.ts";

/** The outcome of parsing `PII_KEYS`. */
export type PiiKeysParse = { ok: true; keys: PiiKey[] } | { ok: false; reason: string };

/** Parses `PII_KEYS`: `id:base64key,id:base64key,…`, 32-byte keys, the first one encrypts. */
export function parsePiiKeys(raw: string): PiiKeysParse {
  const entries = raw.split(",").map((entry) => entry.trim()).filter(Boolean);
  if (entries.length === 0) return { ok: false, reason: "PII_KEYS has no keys" };
  const keys: PiiKey[] = [];
  for (const [index, entry] of entries.entries()) {
    const colon = entry.indexOf(":");
    const id = colon < 0 ? "" : entry.slice(0, colon);
    if (!KEY_ID_PATTERN.test(id)) {
      return {
        ok: false,
        reason: `PII_KEYS entry ${
          index + 1
        } must be <id>:<base64 of 32 bytes> with an id of letters, digits, _ or -`,
      };
    }
    const key = fromBase64(entry.slice(colon + 1));
    if (key === null || key.length !== 32) {
      return {
        ok: false,
        reason: `PII_KEYS key "${id}" must be 32 bytes in base64 (openssl rand -base64 32)`,
      };
    }
    if (keys.some((known) => known.id === id)) {
      return { ok: false, reason: `PII_KEYS names key "${id}" twice` };
    }
    keys.push({ id, key });
  }
  return { ok: true, keys };
}

/** A new `PII_KEYS` entry: `k<yyyymmdd>:<base64url of 32 random bytes>`. */
export function newPiiKeyEntry(now = new Date()): string {
  const id = `k${now.toISOString().slice(0, 10).replace(/-/g, "")}`;
  return `${id}:${toBase64url(crypto.getRandomValues(new Uint8Array(32)))}`;
}

/** Formats a key ring as `PII_KEYS` expects it. */
export function formatPiiKeys(keys: readonly PiiKey[]): string {
  return keys.map(({ id, key }) => `${id}:${toBase64url(key)}`).join(",");
}

/** What {@linkcode resolvePrivacyKeys} starts from. */
export interface PrivacyKeyInputs {
  /** Parsed `PII_KEYS`, or null when unset. */
  piiKeys: PiiKey[] | null;
  /** `PSEUDONYM_KEY`, or null when unset. */
  pseudonymKey: string | null;
  dataDir: string;
  /** A shared secret to derive missing keys from (an explicit `ADMIN_TOKEN` with a shared database), or null. */
  deriveFrom: string | null;
}

/** The keys in force and where each came from. */
export interface PrivacyKeys {
  piiKeys: PiiKey[];
  pseudonymKey: string;
  source: { piiKeys: KeySource; pseudonymKey: KeySource };
  /** The key file when this call created it. */
  generatedFile: string | null;
}

/** Where a key came from. */
export type KeySource = "env" | "file" | "derived";

/** Name of the key file in `DATA_DIR`. */
export const KEY_FILE = "privacy_keys.json";

async function derive(secret: string, purpose: string): Promise<Uint8Array> {
  const base = await crypto.subtle.importKey("raw", new TextEncoder().encode(secret), "HKDF", false, [
    "deriveBits",
  ]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: "HKDF",
      hash: "SHA-256",
      salt: new TextEncoder().encode("engine-privacy-v1"),
      info: new TextEncoder().encode(purpose),
    },
    base,
    256,
  );
  return new Uint8Array(bits);
}

interface KeyFile {
  piiKeys: string;
  pseudonymKey: string;
}

/** Reads the key file, creating it (exclusively, mode 0600) when absent. */
async function keyFile(dataDir: string): Promise<{ keys: KeyFile; created: boolean; path: string }> {
  const path = `${dataDir}/${KEY_FILE}`;
  const fresh: KeyFile = {
    piiKeys: newPiiKeyEntry(),
    pseudonymKey: toBase64url(crypto.getRandomValues(new Uint8Array(32))),
  };
  await Deno.mkdir(dataDir, { recursive: true });
  try {
    const file = await Deno.open(path, { write: true, createNew: true, mode: 0o600 });
    try {
      await file.write(new TextEncoder().encode(JSON.stringify(fresh, null, 2) + "\n"));
      await file.syncData();
    } finally {
      file.close();
    }
    return { keys: fresh, created: true, path };
  } catch (error) {
    if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
  }
  const stored = JSON.parse(await Deno.readTextFile(path)) as Partial<KeyFile>;
  if (typeof stored.piiKeys !== "string" || typeof stored.pseudonymKey !== "string") {
    throw new Error(`${path} is not a privacy key file (piiKeys, pseudonymKey)`);
  }
  return { keys: { piiKeys: stored.piiKeys, pseudonymKey: stored.pseudonymKey }, created: false, path };
}

/** Resolves the keys in force: configured ones, else derived or kept in `DATA_DIR` (see the module doc). */
export async function resolvePrivacyKeys(inputs: PrivacyKeyInputs): Promise<PrivacyKeys> {
  let piiKeys = inputs.piiKeys;
  let pseudonymKey = inputs.pseudonymKey;
  const source: PrivacyKeys["source"] = {
    piiKeys: piiKeys ? "env" : inputs.deriveFrom !== null ? "derived" : "file",
    pseudonymKey: pseudonymKey ? "env" : inputs.deriveFrom !== null ? "derived" : "file",
  };
  let generatedFile: string | null = null;
  if (inputs.deriveFrom !== null) {
    piiKeys ??= [{ id: "derived", key: await derive(inputs.deriveFrom, "pii-data-key") }];
    pseudonymKey ??= toBase64url(await derive(inputs.deriveFrom, "pseudonym-key"));
  } else if (piiKeys === null || pseudonymKey === null) {
    const file = await keyFile(inputs.dataDir);
    if (file.created) generatedFile = file.path;
    if (piiKeys === null) {
      const parsed = parsePiiKeys(file.keys.piiKeys);
      if (!parsed.ok) throw new Error(`${file.path}: ${parsed.reason}`);
      piiKeys = parsed.keys;
    }
    pseudonymKey ??= file.keys.pseudonymKey;
  }
  if (pseudonymKey!.length < MIN_PSEUDONYM_KEY_CHARS) {
    throw new RangeError(`PSEUDONYM_KEY must be at least ${MIN_PSEUDONYM_KEY_CHARS} characters`);
  }
  return { piiKeys: piiKeys!, pseudonymKey: pseudonymKey!, source, generatedFile };
}
