/**
 * The security half of the configuration: TLS and SASL for Kafka, TLS for
 * Postgres, the identity provider's keys for `AUTH_MODE=jwt`, privacy keys and
 * rate limits. Each reader returns a value or a reason; `config.ts` turns the
 * reason into a `ConfigError`.
 *
 * @module
 */

import { type Jwk, parseJwks } from "../http/jwt_verifier.ts";
import type { PiiKey } from "../privacy/pii_cipher.ts";
import { parsePiiKeys } from "../privacy/privacy_keys.ts";
import { MIN_PSEUDONYM_KEY_CHARS } from "../privacy/pseudonym.ts";
import type { KafkaSecurity } from "../bus/kafka_bus.ts";
import type { DatabaseTls } from "../store/_sql.ts";

export type { DatabaseTls, KafkaSecurity };

type Env = Record<string, string | undefined>;
/** A parsed value, or why it cannot be used. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** `AUTH_MODE=jwt` settings. */
export interface JwtSettings {
  /** RS256 (RSA) and HS256 (`oct`) verification keys from `JWKS` or `JWKS_FILE`. */
  jwks: Jwk[];
  /** `JWKS_FILE`, read again every `jwksRefreshMs` and when a token names an unknown `kid`; null for `JWKS`. */
  jwksFile: string | null;
  /** `JWKS_URL`, the identity provider's key set (its `jwks_uri`), fetched at start and refreshed like the file. */
  jwksUrl: string | null;
  /** `JWKS_REFRESH_MS` (default 60 s; 0 reads the keys again only for an unknown `kid`). */
  jwksRefreshMs: number;
  issuer: string | null;
  audience: string | null;
  /** `pseudonym`: `sub` already is the engine's user id; `external`: `sub` is the bank's id, pseudonymised. */
  subject: "pseudonym" | "external";
}

/** Token-bucket limits; 0 turns one off. */
export interface RateLimitSettings {
  userPerMinute: number;
  ipPerMinute: number;
  /** Tokens one chat turn takes (an LLM call costs more than a read). */
  chatCost: number;
  /** Reverse proxies in front of the engine whose `X-Forwarded-For` entry is trusted. */
  trustProxyHops: number;
}

function readFile(name: string, path: string): Parsed<string> {
  try {
    return { ok: true, value: Deno.readTextFileSync(path) };
  } catch (error) {
    return { ok: false, reason: `${name} ${path} cannot be read: ${(error as Error).message}` };
  }
}

function pemFile(name: string, path: string | undefined, what: RegExp): Parsed<string | null> {
  if (!path) return { ok: true, value: null };
  const read = readFile(name, path);
  if (!read.ok) return read;
  if (!what.test(read.value)) {
    return { ok: false, reason: `${name} ${path} is not a PEM file of the expected kind` };
  }
  return read;
}

const CERTIFICATE = /-----BEGIN CERTIFICATE-----/;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function onOff(env: Env, name: string, fallback: boolean): Parsed<boolean> {
  const raw = env[name];
  if (raw === undefined || raw === "") return { ok: true, value: fallback };
  if (["on", "true", "1", "yes"].includes(raw)) return { ok: true, value: true };
  if (["off", "false", "0", "no"].includes(raw)) return { ok: true, value: false };
  return { ok: false, reason: `${name} must be on or off, got "${raw}"` };
}

/** Reads `KAFKA_SSL*` and `KAFKA_SASL_*`. */
export function kafkaSecurity(env: Env): Parsed<KafkaSecurity> {
  const files = {
    ca: pemFile("KAFKA_SSL_CA_FILE", env.KAFKA_SSL_CA_FILE, CERTIFICATE),
    cert: pemFile("KAFKA_SSL_CERT_FILE", env.KAFKA_SSL_CERT_FILE, CERTIFICATE),
    key: pemFile("KAFKA_SSL_KEY_FILE", env.KAFKA_SSL_KEY_FILE, PRIVATE_KEY),
  };
  for (const file of Object.values(files)) if (!file.ok) return file;
  const [ca, cert, key] = [files.ca, files.cert, files.key].map((file) =>
    (file as { value: string | null }).value
  );
  if ((cert === null) !== (key === null)) {
    return {
      ok: false,
      reason: "KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE go together (client certificate)",
    };
  }
  const anyFile = ca !== null || cert !== null;
  const ssl = onOff(env, "KAFKA_SSL", anyFile);
  if (!ssl.ok) return ssl;
  if (!ssl.value && anyFile) return { ok: false, reason: "KAFKA_SSL_*_FILE is set but KAFKA_SSL is off" };
  const verify = onOff(env, "KAFKA_SSL_VERIFY", true);
  if (!verify.ok) return verify;
  const mechanism = (env.KAFKA_SASL_MECHANISM ?? "").trim().toLowerCase();
  let sasl: KafkaSecurity["sasl"] = null;
  if (mechanism !== "") {
    if (mechanism !== "plain" && mechanism !== "scram-sha-256" && mechanism !== "scram-sha-512") {
      return { ok: false, reason: "KAFKA_SASL_MECHANISM must be plain, scram-sha-256 or scram-sha-512" };
    }
    if (!env.KAFKA_SASL_USERNAME || !env.KAFKA_SASL_PASSWORD) {
      return { ok: false, reason: "KAFKA_SASL_MECHANISM needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD" };
    }
    if (mechanism === "plain" && !ssl.value) {
      return {
        ok: false,
        reason: "KAFKA_SASL_MECHANISM=plain sends the password in clear; set KAFKA_SSL=on",
      };
    }
    sasl = { mechanism, username: env.KAFKA_SASL_USERNAME, password: env.KAFKA_SASL_PASSWORD };
  } else if (env.KAFKA_SASL_USERNAME || env.KAFKA_SASL_PASSWORD) {
    return { ok: false, reason: "KAFKA_SASL_USERNAME/PASSWORD need KAFKA_SASL_MECHANISM" };
  }
  return {
    ok: true,
    value: { ssl: ssl.value ? { ca, cert, key, rejectUnauthorized: verify.value } : false, sasl },
  };
}

const SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"] as const;

/**
 * Reads Postgres TLS from `DATABASE_URL` (`sslmode`, `sslrootcert` as libpq
 * spells them) and `DATABASE_SSL_CA`. Returns the URL without `sslrootcert`
 * (postgres.js would send it to the server as a setting).
 */
export function databaseTls(url: string, env: Env): Parsed<{ url: string; tls: DatabaseTls }> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { ok: false, reason: "DATABASE_URL is not a URL" };
  }
  const rawMode = parsed.searchParams.get("sslmode") ?? parsed.searchParams.get("ssl");
  const rootCert = parsed.searchParams.get("sslrootcert");
  const caPath = env.DATABASE_SSL_CA || (rootCert && rootCert !== "system" ? rootCert : undefined);
  if (env.DATABASE_SSL_CA && rootCert && rootCert !== env.DATABASE_SSL_CA) {
    return { ok: false, reason: "DATABASE_SSL_CA and the URL's sslrootcert name different files" };
  }
  if (rawMode !== null && !(SSL_MODES as readonly string[]).includes(rawMode) && rawMode !== "true") {
    return {
      ok: false,
      reason: `DATABASE_URL sslmode must be one of ${SSL_MODES.join(", ")}, got "${rawMode}"`,
    };
  }
  // A CA only makes sense when the certificate is checked: alone it means verify-full.
  let mode = (rawMode === "true" ? "require" : rawMode === "allow" ? "prefer" : rawMode) as
    | DatabaseTls["mode"]
    | null;
  mode ??= caPath !== undefined || rootCert === "system" ? "verify-full" : "disable";
  if (caPath !== undefined && (mode === "disable" || mode === "prefer" || mode === "require")) {
    return {
      ok: false,
      reason:
        `a CA for Postgres (DATABASE_SSL_CA or sslrootcert) needs sslmode verify-ca or verify-full, not ${mode}`,
    };
  }
  let ca: string | null = null;
  if (caPath !== undefined) {
    const read = pemFile(env.DATABASE_SSL_CA ? "DATABASE_SSL_CA" : "sslrootcert", caPath, CERTIFICATE);
    if (!read.ok) return read;
    ca = read.value;
  }
  parsed.searchParams.delete("sslrootcert");
  parsed.searchParams.delete("sslmode");
  parsed.searchParams.delete("ssl");
  return { ok: true, value: { url: parsed.toString(), tls: { mode, ca } } };
}

/** `JWKS_URL` must be https, except on a loopback host (a local identity provider, tests). */
function jwksUrlSetting(text: string): Parsed<string> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: "JWKS_URL is not a URL" };
  }
  const loopback = ["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && loopback)) {
    return { ok: false, reason: "JWKS_URL must be https (http only on a loopback host)" };
  }
  if (url.username || url.password) return { ok: false, reason: "JWKS_URL must not carry credentials" };
  return { ok: true, value: url.toString() };
}

/** Reads `JWKS`/`JWKS_FILE`/`JWKS_URL`, `JWT_ISSUER`, `JWT_AUDIENCE` and `JWT_SUBJECT`. */
export function jwtSettings(env: Env): Parsed<JwtSettings> {
  if ([env.JWKS, env.JWKS_FILE, env.JWKS_URL].filter(Boolean).length > 1) {
    return { ok: false, reason: "set one of JWKS, JWKS_FILE and JWKS_URL" };
  }
  const jwksUrl = env.JWKS_URL ? jwksUrlSetting(env.JWKS_URL) : { ok: true as const, value: null };
  if (!jwksUrl.ok) return jwksUrl;
  let jwks: Jwk[] = [];
  if (env.JWKS || env.JWKS_FILE) {
    const text = env.JWKS ?? readFile("JWKS_FILE", env.JWKS_FILE!);
    if (typeof text !== "string" && !text.ok) return text;
    const parsed = parseJwks(typeof text === "string" ? text : text.value);
    if (!parsed.ok) return { ok: false, reason: `${env.JWKS ? "JWKS" : "JWKS_FILE"} ${parsed.reason}` };
    jwks = parsed.keys;
  }
  const subject = env.JWT_SUBJECT || "pseudonym";
  if (subject !== "pseudonym" && subject !== "external") {
    return { ok: false, reason: 'JWT_SUBJECT must be "pseudonym" or "external"' };
  }
  const refresh = env.JWKS_REFRESH_MS ?? "60000";
  if (!/^\d{1,9}$/.test(refresh) || (Number(refresh) > 0 && Number(refresh) < 1_000)) {
    return { ok: false, reason: "JWKS_REFRESH_MS must be 0 (off) or from 1000 to 999999999" };
  }
  return {
    ok: true,
    value: {
      jwks,
      jwksFile: env.JWKS_FILE || null,
      jwksUrl: jwksUrl.value,
      jwksRefreshMs: Number(refresh),
      issuer: env.JWT_ISSUER || null,
      audience: env.JWT_AUDIENCE || null,
      subject,
    },
  };
}

/** Reads `PII_KEYS` and `PSEUDONYM_KEY` (null when unset: generated or derived at start). */
export function privacySettings(env: Env): Parsed<{ piiKeys: PiiKey[] | null; pseudonymKey: string | null }> {
  let piiKeys: PiiKey[] | null = null;
  if (env.PII_KEYS) {
    const parsed = parsePiiKeys(env.PII_KEYS);
    if (!parsed.ok) return parsed;
    piiKeys = parsed.keys;
  }
  const pseudonymKey = env.PSEUDONYM_KEY || null;
  if (pseudonymKey !== null && pseudonymKey.length < MIN_PSEUDONYM_KEY_CHARS) {
    return { ok: false, reason: `PSEUDONYM_KEY must be at least ${MIN_PSEUDONYM_KEY_CHARS} characters` };
  }
  return { ok: true, value: { piiKeys, pseudonymKey } };
}

function count(env: Env, name: string, fallback: number): Parsed<number> {
  const raw = env[name];
  if (raw === undefined || raw === "") return { ok: true, value: fallback };
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    return { ok: false, reason: `${name} must be a whole number of at least 0, got "${raw}"` };
  }
  return { ok: true, value };
}

/** Reads `RATE_LIMIT_USER_PER_MIN`, `RATE_LIMIT_IP_PER_MIN`, `RATE_LIMIT_CHAT_COST` and `TRUST_PROXY_HOPS`. */
export function rateLimitSettings(env: Env): Parsed<RateLimitSettings> {
  const user = count(env, "RATE_LIMIT_USER_PER_MIN", 600);
  const ip = count(env, "RATE_LIMIT_IP_PER_MIN", 1200);
  const chat = count(env, "RATE_LIMIT_CHAT_COST", 10);
  const hops = count(env, "TRUST_PROXY_HOPS", 0);
  for (const result of [user, ip, chat, hops]) if (!result.ok) return result;
  const value = {
    userPerMinute: (user as { value: number }).value,
    ipPerMinute: (ip as { value: number }).value,
    chatCost: Math.max(1, (chat as { value: number }).value),
    trustProxyHops: (hops as { value: number }).value,
  };
  return { ok: true, value };
}
