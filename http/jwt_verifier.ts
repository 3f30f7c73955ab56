/**
 * `AUTH_MODE=jwt`: user tokens come from the bank's identity provider and are
 * only verified here, through WebCrypto. Accepted: HS256 with `AUTH_SECRET`
 * (or a JWKS `oct` key) and RS256 with RSA keys from a JWKS (`JWKS_FILE` or
 * the `JWKS` variable), the key picked by the token's `kid`. Checked: the
 * signature with a key of the token's own algorithm (an RSA public key is
 * never used as an HMAC secret), `exp` (required), `nbf` and `iat` (with 60 s
 * of clock skew), `iss` and `aud` when configured, and a usable `sub`. Tokens
 * the engine's own demo login made are refused whatever key signed them.
 *
 * With `JWT_SUBJECT=external` the subject is the bank's customer id and is
 * pseudonymised (`privacy/pseudonym.ts`) before it names a user.
 *
 * @module
 */

import type { TokenCheck } from "./user_auth.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const MAX_TOKEN_CHARS = 8192;
const USER_ID = /^[A-Za-z0-9._:@-]{1,128}$/;
/** Issuer of the engine's demo tokens (`user_auth.ts`). */
const DEMO_ISSUER = "engine-demo";
/** Verified tokens remembered at most. */
const MAX_VERIFIED = 10_000;

/** A verification key as a JWKS lists it. */
export interface Jwk {
  kty: "RSA" | "oct";
  kid?: string;
  alg?: string;
  use?: string;
  n?: string;
  e?: string;
  k?: string;
}

/** The outcome of {@linkcode parseJwks}. */
export type JwksParse = { ok: true; keys: Jwk[] } | { ok: false; reason: string };

/** Validates a JWKS document (`{"keys":[…]}`): RSA keys for RS256 and `oct` keys for HS256. */
export function parseJwks(text: string): JwksParse {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    return { ok: false, reason: "is not JSON" };
  }
  const keys = (document as { keys?: unknown })?.keys;
  if (!Array.isArray(keys) || keys.length === 0) {
    return { ok: false, reason: 'needs a non-empty "keys" array' };
  }
  const kids = new Set<string>();
  const out: Jwk[] = [];
  for (const [index, raw] of keys.entries()) {
    const key = raw as Record<string, unknown>;
    const where = `key ${index + 1}${typeof key?.kid === "string" ? ` ("${key.kid}")` : ""}`;
    if (typeof key !== "object" || key === null) return { ok: false, reason: `${where} is not an object` };
    if (key.kid !== undefined && (typeof key.kid !== "string" || key.kid.length === 0)) {
      return { ok: false, reason: `${where}: kid must be a non-empty string` };
    }
    if (typeof key.kid === "string") {
      if (kids.has(key.kid)) return { ok: false, reason: `${where}: kid appears twice` };
      kids.add(key.kid);
    }
    if (key.use !== undefined && key.use !== "sig") {
      return { ok: false, reason: `${where}: use must be "sig"` };
    }
    if (key.kty === "RSA") {
      if (key.alg !== undefined && key.alg !== "RS256") {
        return { ok: false, reason: `${where}: RSA keys are for RS256, not ${key.alg}` };
      }
      if (typeof key.n !== "string" || typeof key.e !== "string") {
        return { ok: false, reason: `${where}: an RSA key needs n and e` };
      }
      if (key.d !== undefined) {
        return { ok: false, reason: `${where} is a private key; publish only public keys` };
      }
      if ((fromBase64url(key.n)?.length ?? 0) < 256) {
        return { ok: false, reason: `${where}: RSA keys must be at least 2048 bits` };
      }
    } else if (key.kty === "oct") {
      if (key.alg !== undefined && key.alg !== "HS256") {
        return { ok: false, reason: `${where}: oct keys are for HS256, not ${key.alg}` };
      }
      if (typeof key.k !== "string" || key.k.length < 22) {
        return { ok: false, reason: `${where}: an oct key needs k of at least 16 bytes` };
      }
    } else {
      return { ok: false, reason: `${where}: kty must be RSA or oct` };
    }
    out.push({
      kty: key.kty,
      ...(typeof key.kid === "string" ? { kid: key.kid } : {}),
      ...(typeof key.n === "string" ? { n: key.n, e: key.e as string } : {}),
      ...(typeof key.k === "string" ? { k: key.k } : {}),
    });
  }
  return { ok: true, keys: out };
}

/** Options for {@linkcode JwtVerifier.create}. */
export interface JwtVerifierOptions {
  /** `AUTH_SECRET` for HS256, or null. */
  hmacSecret: string | null;
  /** Keys from the JWKS, or none. */
  jwks: readonly Jwk[];
  /** Required `iss`, or null to accept any (except the demo issuer). */
  issuer: string | null;
  /** Required `aud` (the token's `aud` must be it or contain it), or null. */
  audience: string | null;
  /** Allowed clock difference in seconds; default 60. */
  clockSkewSec?: number;
  /** Maps a verified subject to the user id (pseudonymisation); default: the subject is the user id. */
  subjectToUserId?: (subject: string) => Promise<string>;
  /**
   * Reads the JWKS again (`JWKS_FILE`), for key rotation without a restart. Called by
   * {@linkcode JwtVerifier.reload} and when a token names a `kid` no loaded key has (at most once per
   * `reloadMinIntervalMs`, so unknown kids cannot make the node read the file on every request).
   */
  loadJwks?: () => Promise<Jwk[] | "unchanged">;
  /** Default 10 s. */
  reloadMinIntervalMs?: number;
}

interface VerificationKey {
  kid: string | null;
  alg: "RS256" | "HS256";
  key: CryptoKey;
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  try {
    const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - text.length % 4) % 4));
    return Uint8Array.from(binary, (char) => char.charCodeAt(0));
  } catch {
    return null;
  }
}

function parseJson(bytes: Uint8Array): Record<string, unknown> | null {
  try {
    const value = JSON.parse(decoder.decode(bytes));
    return typeof value === "object" && value !== null && !Array.isArray(value) ? value : null;
  } catch {
    return null;
  }
}

const UNKNOWN_KID = "unknown signing key (kid)";
const noKey = (alg: string) => `no ${alg} key is configured`;

/** Imports `AUTH_SECRET` (HS256, no kid) and the JWKS's keys for verification. */
async function importKeys(hmacSecret: string | null, jwks: readonly Jwk[]): Promise<VerificationKey[]> {
  const keys: VerificationKey[] = [];
  const hmac = (bytes: Uint8Array<ArrayBuffer>) =>
    crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  if (hmacSecret !== null) {
    keys.push({ kid: null, alg: "HS256", key: await hmac(encoder.encode(hmacSecret)) });
  }
  for (const jwk of jwks) {
    if (jwk.kty === "RSA") {
      const key = await crypto.subtle.importKey(
        "jwk",
        { kty: "RSA", n: jwk.n, e: jwk.e, alg: "RS256", ext: true },
        { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" },
        false,
        ["verify"],
      );
      keys.push({ kid: jwk.kid ?? null, alg: "RS256", key });
    } else {
      keys.push({ kid: jwk.kid ?? null, alg: "HS256", key: await hmac(fromBase64url(jwk.k!)!) });
    }
  }
  return keys;
}

/** Verifies identity-provider JWTs; the same shape as the demo `UserTokens`, but it never issues one. */
export class JwtVerifier {
  #keys: VerificationKey[];
  #options: JwtVerifierOptions;
  #skewMs: number;
  #verified = new Map<string, { userId: string; expiresAtMs: number }>();
  #reloading: Promise<{ changed: boolean } | { error: string }> | null = null;
  /** When an unknown kid last made the key set be read (the throttle covers only those reads). */
  #lastKidReloadMs = -Infinity;

  private constructor(keys: VerificationKey[], options: JwtVerifierOptions) {
    this.#keys = keys;
    this.#options = options;
    this.#skewMs = (options.clockSkewSec ?? 60) * 1000;
  }

  /** Imports the keys. With no key at all every user token is refused (only the admin token works). */
  static async create(options: JwtVerifierOptions): Promise<JwtVerifier> {
    return new JwtVerifier(await importKeys(options.hmacSecret, options.jwks), options);
  }

  /** Key ids in force (RS256 and HS256 keys of the JWKS), for logs. */
  get keyIds(): string[] {
    return this.#keys.flatMap((key) => key.kid === null ? [] : [key.kid]);
  }

  /**
   * Reads the JWKS again through `loadJwks` and puts its keys in force; the AUTH_SECRET key stays. Tokens
   * verified before are verified again, so a key taken out of the JWKS stops working at once. When the
   * loader fails the keys in force stay (a half-written file must not lock every user out): the error is
   * the answer. Concurrent calls share one read.
   */
  reload(): Promise<{ changed: boolean } | { error: string }> {
    const load = this.#options.loadJwks;
    if (!load) return Promise.resolve({ changed: false });
    this.#reloading ??= (async () => {
      try {
        const jwks = await load();
        if (jwks === "unchanged") return { changed: false };
        this.#keys = await importKeys(this.#options.hmacSecret, jwks);
        this.#verified.clear();
        return { changed: true };
      } catch (error) {
        return { error: error instanceof Error ? error.message : String(error) };
      } finally {
        this.#reloading = null;
      }
    })();
    return this.#reloading;
  }

  /** Whether any key is loaded. */
  get hasKeys(): boolean {
    return this.#keys.length > 0;
  }

  /** jwt mode issues no tokens: the identity provider does. Demo routes are closed in this mode. */
  issue(): Promise<{ token: string; expiresAtMs: number }> {
    return Promise.reject(new Error("AUTH_MODE=jwt issues no user tokens; the identity provider does"));
  }

  /**
   * What {@linkcode JwtVerifier.verify} answers for a token it verified
   * before and that has not expired, without waiting; undefined for any other
   * token (ask `verify`).
   */
  verifyKnown(token: string, nowMs: number): TokenCheck | undefined {
    const known = this.#verified.get(token);
    if (known === undefined || known.expiresAtMs + this.#skewMs <= nowMs) return undefined;
    return { ok: true, ...known };
  }

  /** Verifies a token. Never throws. */
  async verify(token: string, nowMs: number): Promise<TokenCheck> {
    if (token.length > MAX_TOKEN_CHARS) return { ok: false, reason: "token too large" };
    const known = this.#verified.get(token);
    if (known !== undefined) {
      if (known.expiresAtMs + this.#skewMs > nowMs) return { ok: true, ...known };
      this.#verified.delete(token);
      return { ok: false, reason: "token expired" };
    }
    const parts = token.split(".");
    if (parts.length !== 3) return { ok: false, reason: "malformed token" };
    const headerBytes = fromBase64url(parts[0]);
    const payloadBytes = fromBase64url(parts[1]);
    const signature = fromBase64url(parts[2]);
    if (!headerBytes || !payloadBytes || !signature) return { ok: false, reason: "malformed token" };
    const header = parseJson(headerBytes);
    const claims = parseJson(payloadBytes);
    if (!header || !claims) return { ok: false, reason: "malformed token" };
    if (header.alg !== "RS256" && header.alg !== "HS256") {
      return { ok: false, reason: "unsupported token algorithm" };
    }
    let picked = this.#pick(header.alg, header.kid);
    if (
      !picked.ok && (picked.reason === UNKNOWN_KID || picked.reason === noKey(header.alg)) &&
      this.#mayReload()
    ) {
      // The identity provider may have rotated to a key published after the last read, or its key set
      // could not be fetched yet.
      this.#lastKidReloadMs = Date.now();
      await this.reload();
      picked = this.#pick(header.alg, header.kid);
    }
    if (!picked.ok) return picked;
    const algorithm = header.alg === "RS256" ? "RSASSA-PKCS1-v1_5" : "HMAC";
    const valid = await crypto.subtle.verify(
      algorithm,
      picked.key,
      signature,
      encoder.encode(`${parts[0]}.${parts[1]}`),
    ).catch(() => false);
    if (!valid) return { ok: false, reason: "bad token signature" };
    const checked = this.#checkClaims(claims, nowMs);
    if (!checked.ok) return checked;
    let userId = checked.subject;
    if (this.#options.subjectToUserId) {
      try {
        userId = await this.#options.subjectToUserId(checked.subject);
      } catch {
        return { ok: false, reason: "token subject cannot be pseudonymised" };
      }
    }
    if (!USER_ID.test(userId)) return { ok: false, reason: "token subject is not a valid user id" };
    const verified = { userId, expiresAtMs: checked.expiresAtMs };
    if (this.#verified.size >= MAX_VERIFIED) this.#verified.delete(this.#verified.keys().next().value!);
    this.#verified.set(token, verified);
    return { ok: true, ...verified };
  }

  #mayReload(): boolean {
    if (!this.#options.loadJwks) return false;
    return this.#reloading !== null ||
      Date.now() - this.#lastKidReloadMs >= (this.#options.reloadMinIntervalMs ?? 10_000);
  }

  #pick(alg: "RS256" | "HS256", kid: unknown): { ok: true; key: CryptoKey } | { ok: false; reason: string } {
    if (kid !== undefined && typeof kid !== "string") return { ok: false, reason: "malformed token" };
    const candidates = this.#keys.filter((key) => key.alg === alg);
    if (candidates.length === 0) return { ok: false, reason: noKey(alg) };
    if (typeof kid === "string") {
      const match = candidates.find((key) => key.kid === kid) ??
        // AUTH_SECRET has no kid of its own: an HS256 token naming an unknown kid may still be its.
        (alg === "HS256" ? candidates.find((key) => key.kid === null) : undefined);
      return match ? { ok: true, key: match.key } : { ok: false, reason: UNKNOWN_KID };
    }
    // Without a kid: the one key of that algorithm, or AUTH_SECRET (the only key without a kid of its own).
    const unnamed = candidates.filter((key) => key.kid === null);
    if (candidates.length === 1 || unnamed.length === 1) {
      return { ok: true, key: (unnamed[0] ?? candidates[0]).key };
    }
    return { ok: false, reason: "token has no kid and several keys could sign it" };
  }

  #checkClaims(
    claims: Record<string, unknown>,
    nowMs: number,
  ): { ok: true; subject: string; expiresAtMs: number } | { ok: false; reason: string } {
    if (claims.iss === DEMO_ISSUER) return { ok: false, reason: "demo tokens are not accepted in jwt mode" };
    if (typeof claims.exp !== "number" || !Number.isFinite(claims.exp)) {
      return { ok: false, reason: "token has no expiry" };
    }
    if (claims.exp * 1000 + this.#skewMs <= nowMs) return { ok: false, reason: "token expired" };
    if (claims.nbf !== undefined) {
      if (typeof claims.nbf !== "number") return { ok: false, reason: "malformed token" };
      if (claims.nbf * 1000 - this.#skewMs > nowMs) return { ok: false, reason: "token not valid yet" };
    }
    if (typeof claims.iat === "number" && claims.iat * 1000 - this.#skewMs > nowMs) {
      return { ok: false, reason: "token issued in the future" };
    }
    const { issuer, audience } = this.#options;
    if (issuer !== null && claims.iss !== issuer) return { ok: false, reason: "wrong token issuer" };
    if (audience !== null) {
      const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
      if (!audiences.includes(audience)) return { ok: false, reason: "token is not for this audience" };
    }
    if (typeof claims.sub !== "string" || claims.sub.length === 0 || claims.sub.length > 256) {
      return { ok: false, reason: "token has no subject" };
    }
    return { ok: true, subject: claims.sub, expiresAtMs: claims.exp * 1000 };
  }
}
