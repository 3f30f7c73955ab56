/**
 * Engine configuration from environment variables (the names are part of the
 * contract in SPEC.md). Without `KAFKA_BROKERS` and `DATABASE_URL` the engine
 * runs the embedded default: an in-process log and PGlite in `DATA_DIR`.
 *
 * @module
 */

import { resolveLlmSettings } from "../llm/settings.ts";
import { type Experiment, experimentSettings } from "./experiment.ts";
import type { PiiKey } from "../privacy/pii_cipher.ts";
import {
  type DatabaseTls,
  databaseTls,
  type JwtSettings,
  jwtSettings,
  type KafkaSecurity,
  kafkaSecurity,
  type Parsed,
  privacySettings,
  type RateLimitSettings,
  rateLimitSettings,
} from "./security_config.ts";

/** Validated configuration. */
export interface EngineConfig {
  port: number;
  nodeId: string;
  /** URL other nodes use to reach this one (request forwarding). */
  publicUrl: string;
  /** Kafka brokers; empty means the embedded in-process log. */
  kafkaBrokers: string[];
  kafkaGroupId: string;
  kafkaSessionTimeoutMs: number;
  /** TLS and SASL to the brokers. */
  kafkaSecurity: KafkaSecurity;
  /** Postgres URL; null means embedded PGlite. */
  databaseUrl: string | null;
  /** TLS to Postgres (`sslmode`/`sslrootcert` in the URL, `DATABASE_SSL_CA`). */
  databaseTls: DatabaseTls;
  dataDir: string;
  /** Partitions of the embedded log (Kafka mode reads the topic's count). */
  embeddedPartitions: number;
  adminToken: string;
  /** True when `ADMIN_TOKEN` was not set and a random one was made. */
  adminTokenGenerated: boolean;
  ingestToken: string;
  authMode: "demo" | "jwt";
  authSecret: string | null;
  /** Identity-provider keys and claim checks for `AUTH_MODE=jwt`. */
  jwt: JwtSettings;
  /** `PII_KEYS` (the first encrypts); null: generated in `DATA_DIR` or derived (privacy/privacy_keys.ts). */
  piiKeys: PiiKey[] | null;
  /** `PSEUDONYM_KEY` for keyed-hash ids and the name index; null: generated or derived. */
  pseudonymKey: string | null;
  rateLimits: RateLimitSettings;
  /** A live experiment between decision strategies (`EXPERIMENT_ID`, `_ARMS`, `_START`), or null. */
  experiment: Experiment | null;
  llm: { baseUrl: string | null; apiKey: string | null; model: string | null };
  flushIntervalMs: number;
  actorIdleMs: number;
  maxResidentActors: number;
  maxResidentBytes: number;
  maxActorFailures: number;
  /** Load generated demo data into an empty database at start (default on for the embedded default). */
  demoData: boolean;
  /** Load and serve the trained models (`MODELS=off` runs the engine without scoring). */
  models: boolean;
  logLevel: "debug" | "info" | "warn" | "error";
  /** A local transformers.js model directory for embeddings; null uses the model the project ships. */
  embeddingModelDir: string | null;
}

/** Raised for a configuration value that cannot be used. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ConfigError";
  }
}

function integer(
  env: Record<string, string | undefined>,
  name: string,
  fallback: number,
  min: number,
): number {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigError(`${name} must be an integer of at least ${min}, got "${raw}"`);
  }
  return value;
}

function flag(env: Record<string, string | undefined>, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === "") return fallback;
  if (["on", "true", "1", "yes"].includes(raw)) return true;
  if (["off", "false", "0", "no"].includes(raw)) return false;
  throw new ConfigError(`${name} must be on or off, got "${raw}"`);
}

function valueOf<T>(parsed: Parsed<T>): T {
  if (!parsed.ok) throw new ConfigError(parsed.reason);
  return parsed.value;
}

function randomToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(18));
  return btoa(String.fromCharCode(...bytes)).replace(/[+/=]/g, "");
}

/** Reads configuration from `env` (defaults to the process environment). */
export function loadConfig(env: Record<string, string | undefined> = Deno.env.toObject()): EngineConfig {
  const port = integer(env, "PORT", 8080, 0);
  const kafkaBrokers = (env.KAFKA_BROKERS ?? "").split(",").map((broker) => broker.trim()).filter(
    Boolean,
  );
  for (const broker of kafkaBrokers) {
    if (!/^[A-Za-z0-9._-]+:\d{1,5}$/.test(broker)) {
      throw new ConfigError(`KAFKA_BROKERS entry "${broker}" is not host:port`);
    }
  }
  let databaseUrl = env.DATABASE_URL?.trim() || null;
  if (databaseUrl !== null && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError("DATABASE_URL must start with postgres:// or postgresql://");
  }
  let tls: DatabaseTls = { mode: "disable", ca: null };
  if (databaseUrl !== null) ({ url: databaseUrl, tls } = valueOf(databaseTls(databaseUrl, env)));
  else if (env.DATABASE_SSL_CA) throw new ConfigError("DATABASE_SSL_CA needs DATABASE_URL");
  const adminTokenGenerated = !env.ADMIN_TOKEN;
  const adminToken = env.ADMIN_TOKEN || randomToken();
  if (adminToken.length < 8) throw new ConfigError("ADMIN_TOKEN must be at least 8 characters");
  const embedded = kafkaBrokers.length === 0 && databaseUrl === null;
  const authMode = (env.AUTH_MODE ?? (embedded ? "demo" : "jwt")) as EngineConfig["authMode"];
  if (authMode !== "demo" && authMode !== "jwt") throw new ConfigError('AUTH_MODE must be "demo" or "jwt"');
  const logLevel = (env.LOG_LEVEL ?? "info") as EngineConfig["logLevel"];
  if (!["debug", "info", "warn", "error"].includes(logLevel)) {
    throw new ConfigError("LOG_LEVEL must be debug, info, warn or error");
  }
  const nodeId = env.NODE_ID || `node-${Deno.hostname()}-${Deno.pid}`;
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(nodeId)) {
    throw new ConfigError("NODE_ID must be 1-64 characters of letters, digits, dot, dash or underscore");
  }
  const llm = {
    baseUrl: env.LLM_BASE_URL || null,
    apiKey: env.LLM_API_KEY || null,
    model: env.LLM_MODEL || null,
  };
  const llmSettings = resolveLlmSettings(llm);
  if (!llmSettings.ok) throw new ConfigError(llmSettings.reason);
  const jwt = valueOf(jwtSettings(env));
  if (authMode === "demo" && (jwt.jwks.length > 0 || jwt.jwksUrl !== null || jwt.subject === "external")) {
    throw new ConfigError("JWKS, JWKS_FILE, JWKS_URL and JWT_SUBJECT are for AUTH_MODE=jwt");
  }
  const authSecret = env.AUTH_SECRET || null;
  if (authSecret !== null && authSecret.length < 16) {
    throw new ConfigError("AUTH_SECRET must be at least 16 characters");
  }
  const privacy = valueOf(privacySettings(env));
  return {
    port,
    nodeId,
    publicUrl: env.PUBLIC_URL || `http://127.0.0.1:${port}`,
    kafkaBrokers,
    kafkaGroupId: env.KAFKA_GROUP_ID || "engine",
    kafkaSessionTimeoutMs: integer(env, "KAFKA_SESSION_TIMEOUT_MS", 10_000, 1_000),
    kafkaSecurity: valueOf(kafkaSecurity(env)),
    databaseUrl,
    databaseTls: tls,
    dataDir: env.DATA_DIR || "./data",
    embeddedPartitions: integer(env, "EMBEDDED_PARTITIONS", 12, 1),
    adminToken,
    adminTokenGenerated,
    ingestToken: env.INGEST_TOKEN || adminToken,
    authMode,
    authSecret,
    jwt,
    piiKeys: privacy.piiKeys,
    pseudonymKey: privacy.pseudonymKey,
    rateLimits: valueOf(rateLimitSettings(env)),
    experiment: valueOf(experimentSettings(env)),
    llm,
    flushIntervalMs: integer(env, "FLUSH_INTERVAL_MS", 1_000, 10),
    actorIdleMs: integer(env, "ACTOR_IDLE_MS", 10 * 60_000, 1),
    maxResidentActors: integer(env, "MAX_RESIDENT_ACTORS", 1_000_000, 1),
    maxResidentBytes: integer(env, "MAX_RESIDENT_BYTES", 2 * 1024 ** 3, 1024),
    maxActorFailures: integer(env, "MAX_ACTOR_FAILURES", 3, 1),
    demoData: flag(env, "DEMO_DATA", embedded),
    models: flag(env, "MODELS", true),
    logLevel,
    embeddingModelDir: env.EMBEDDING_MODEL_DIR?.trim() || null,
  };
}
