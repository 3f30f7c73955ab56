/**
 * The node's privacy and authentication objects, made once at start: the
 * privacy keys (configured, or generated in `DATA_DIR`, or derived from a
 * shared `ADMIN_TOKEN`; see `privacy/privacy_keys.ts`), the vault that seals
 * personal data, the pseudonymiser, and the user-token service of the auth
 * mode: the demo login's own HS256 tokens, or the identity provider's JWTs
 * (which issue nothing).
 *
 * @module
 */

import { readAtMost } from "../http/body.ts";
import { type Jwk, JwtVerifier, parseJwks } from "../http/jwt_verifier.ts";
import { type TokenCheck, UserTokens } from "../http/user_auth.ts";
import type { Logger } from "../obs/log.ts";
import { PiiCipher } from "../privacy/pii_cipher.ts";
import { PiiVault } from "../privacy/pii_vault.ts";
import { type PrivacyKeys, resolvePrivacyKeys } from "../privacy/privacy_keys.ts";
import { Pseudonymizer } from "../privacy/pseudonym.ts";
import type { EngineConfig } from "./config.ts";

/** Issues (demo mode only) and verifies user tokens. */
export interface UserTokenService {
  issue(userId: string, nowMs: number, ttlMs?: number): Promise<{ token: string; expiresAtMs: number }>;
  verify(token: string, nowMs: number): Promise<TokenCheck>;
  /** `verify`'s answer for a token already verified and not expired, at once; undefined otherwise. */
  verifyKnown(token: string, nowMs: number): TokenCheck | undefined;
}

/** What {@linkcode createSecurity} makes. */
export interface Security {
  keys: PrivacyKeys;
  vault: PiiVault;
  pseudonyms: Pseudonymizer;
  userTokens: UserTokenService;
  /** Stops background work (the JWKS_FILE refresh). */
  stop(): void;
}

/** The privacy keys in force for a configuration (the engine and the CLIs resolve them alike). */
export function privacyKeysFor(config: EngineConfig): Promise<PrivacyKeys> {
  return resolvePrivacyKeys({
    piiKeys: config.piiKeys,
    pseudonymKey: config.pseudonymKey,
    dataDir: config.dataDir,
    // Nodes sharing a database must share keys; an explicit ADMIN_TOKEN is what they already share.
    deriveFrom: config.databaseUrl !== null && !config.adminTokenGenerated ? config.adminToken : null,
  });
}

/** A vault over resolved keys. */
export async function vaultFor(keys: PrivacyKeys): Promise<{ vault: PiiVault; pseudonyms: Pseudonymizer }> {
  const pseudonyms = await Pseudonymizer.create(keys.pseudonymKey);
  return { vault: new PiiVault(await PiiCipher.create(keys.piiKeys), pseudonyms), pseudonyms };
}

/** Resolves keys and builds the vault and the token service, logging where keys came from. */
export async function createSecurity(config: EngineConfig, logger: Logger): Promise<Security> {
  const keys = await privacyKeysFor(config);
  if (keys.generatedFile !== null) {
    logger.log("warn", "privacy keys generated (PII_KEYS, PSEUDONYM_KEY not set)", {
      file: keys.generatedFile,
    });
  }
  if (keys.source.piiKeys === "derived" || keys.source.pseudonymKey === "derived") {
    logger.log(
      "warn",
      "privacy keys derived from ADMIN_TOKEN; set PII_KEYS and PSEUDONYM_KEY in production",
      {
        source: keys.source,
      },
    );
  }
  const { vault, pseudonyms } = await vaultFor(keys);
  let userTokens: UserTokenService;
  let refreshTimer: ReturnType<typeof setInterval> | undefined;
  if (config.authMode === "jwt") {
    const { jwksFile, jwksUrl, jwksRefreshMs } = config.jwt;
    const verifier = await JwtVerifier.create({
      hmacSecret: config.authSecret,
      jwks: config.jwt.jwks,
      issuer: config.jwt.issuer,
      audience: config.jwt.audience,
      subjectToUserId: config.jwt.subject === "external"
        ? (subject) => pseudonyms.pseudonymise(subject)
        : undefined,
      loadJwks: jwksUrl !== null ? jwksUrlLoader(jwksUrl) : jwksFile !== null
        // The file as configuration read it: the first refresh finds it unchanged.
        ? jwksFileLoader(jwksFile, await Deno.readTextFile(jwksFile).catch(() => null))
        : undefined,
    });
    if (jwksUrl !== null) {
      // The identity provider may be unreachable at start: the node starts anyway, refuses user tokens until
      // the keys arrive, and asks again on the next token and every refresh.
      const first = await verifier.reload();
      if ("error" in first) {
        logger.log("warn", "JWKS_URL could not be fetched; user tokens are refused until it can", {
          error: first.error,
        });
      } else {
        logger.log("info", "JWKS_URL fetched", { keyIds: verifier.keyIds });
      }
    } else if (!verifier.hasKeys) {
      logger.log("warn", "AUTH_MODE=jwt without AUTH_SECRET, JWKS or JWKS_FILE: every user token is refused");
    }
    const source = jwksUrl !== null ? "JWKS_URL" : "JWKS_FILE";
    if ((jwksFile !== null || jwksUrl !== null) && jwksRefreshMs > 0) {
      // Key rotation without a restart: a mounted secret or a file the identity team replaces.
      const timer = setInterval(async () => {
        const result = await verifier.reload();
        if ("error" in result) {
          logger.log("warn", `${source} could not be read again; the keys in force stay`, {
            error: result.error,
          });
        } else if (result.changed) {
          logger.log("info", `${source} changed; keys reloaded`, { keyIds: verifier.keyIds });
        }
      }, jwksRefreshMs);
      Deno.unrefTimer(timer);
      refreshTimer = timer;
    }
    userTokens = verifier;
  } else {
    userTokens = new UserTokens(config.authSecret ?? `demo-secret:${config.adminToken}`);
  }
  logger.log("info", "security ready", {
    authMode: config.authMode,
    piiKeyId: vault.cipher.keyId,
    piiKeys: vault.cipher.keyIds.length,
    keySources: keys.source,
  });
  return { keys, vault, pseudonyms, userTokens, stop: () => clearInterval(refreshTimer) };
}

/** Reads and validates `JWKS_FILE`; "unchanged" while its text is the one read last. */
export function jwksFileLoader(path: string, initial: string | null): () => Promise<Jwk[] | "unchanged"> {
  let last = initial;
  return async () => {
    const text = await Deno.readTextFile(path);
    if (text === last) return "unchanged";
    const parsed = parseJwks(text);
    if (!parsed.ok) throw new Error(`JWKS_FILE ${parsed.reason}`);
    last = text;
    return parsed.keys;
  };
}

/** The most a key set may weigh; an identity provider's is a few kilobytes. */
const MAX_JWKS_BYTES = 256 * 1024;

/**
 * Fetches `JWKS_URL` (5 s budget). "unchanged" when the provider answers 304 to the last ETag or sends the
 * same document again; throws on any other status, an oversized body or a key set that does not parse.
 */
export function jwksUrlLoader(url: string, timeoutMs = 5_000): () => Promise<Jwk[] | "unchanged"> {
  let etag: string | null = null;
  let last: string | null = null;
  return async () => {
    const response = await fetch(url, {
      headers: { accept: "application/json", ...(etag !== null ? { "if-none-match": etag } : {}) },
      redirect: "error",
      signal: AbortSignal.timeout(timeoutMs),
    });
    if (response.status === 304 && last !== null) {
      await response.body?.cancel();
      return "unchanged";
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`JWKS_URL answered ${response.status}`);
    }
    const bytes = response.body === null ? new Uint8Array() : await readAtMost(response.body, MAX_JWKS_BYTES);
    if (bytes === null) throw new Error(`JWKS_URL sent more than ${MAX_JWKS_BYTES} bytes`);
    const text = new TextDecoder().decode(bytes);
    if (text === last) return "unchanged";
    const parsed = parseJwks(text);
    if (!parsed.ok) throw new Error(`JWKS_URL ${parsed.reason}`);
    etag = response.headers.get("etag");
    last = text;
    return parsed.keys;
  };
}
