import assert from "node:assert/strict";
import { rsaKeyPair } from "../http/_jwt_test_keys.ts";
import { ConfigError, loadConfig } from "./config.ts";
import { kafkaClientSecurity } from "../bus/kafka_bus.ts";
import { postgresSsl } from "../store/_sql.ts";

const CERT = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIIEfake\n-----END PRIVATE KEY-----\n";
const KAFKA = { KAFKA_BROKERS: "k1:9093", DATABASE_URL: "postgres://u@db:5432/engine" };

async function withFiles(body: (files: { ca: string; cert: string; key: string; junk: string }) => void) {
  const dir = await Deno.makeTempDir({ prefix: "tls-config-" });
  try {
    const files = {
      ca: `${dir}/ca.pem`,
      cert: `${dir}/client.pem`,
      key: `${dir}/client.key`,
      junk: `${dir}/junk`,
    };
    await Deno.writeTextFile(files.ca, CERT);
    await Deno.writeTextFile(files.cert, CERT);
    await Deno.writeTextFile(files.key, KEY);
    await Deno.writeTextFile(files.junk, "not a certificate");
    body(files);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function rejects(env: Record<string, string>, message: RegExp) {
  assert.throws(() => loadConfig(env), (error: unknown) => {
    assert.ok(error instanceof ConfigError, String(error));
    assert.match(error.message, message);
    return true;
  });
}

Deno.test("Kafka TLS and SASL settings reach kafkajs as ssl and sasl options", async () => {
  await withFiles((files) => {
    const plain = loadConfig(KAFKA);
    assert.deepEqual(plain.kafkaSecurity, { ssl: false, sasl: null });
    assert.deepEqual(kafkaClientSecurity(plain.kafkaSecurity), {});

    const tls = loadConfig({
      ...KAFKA,
      KAFKA_SSL_CA_FILE: files.ca,
      KAFKA_SSL_CERT_FILE: files.cert,
      KAFKA_SSL_KEY_FILE: files.key,
      KAFKA_SASL_MECHANISM: "SCRAM-SHA-512",
      KAFKA_SASL_USERNAME: "engine",
      KAFKA_SASL_PASSWORD: "s3cret",
    });
    assert.deepEqual(kafkaClientSecurity(tls.kafkaSecurity), {
      ssl: { rejectUnauthorized: true, ca: [CERT], cert: CERT, key: KEY },
      sasl: { mechanism: "scram-sha-512", username: "engine", password: "s3cret" },
    });
    const system = loadConfig({
      ...KAFKA,
      KAFKA_SSL: "on",
      KAFKA_SASL_MECHANISM: "plain",
      KAFKA_SASL_USERNAME: "u",
      KAFKA_SASL_PASSWORD: "p",
    });
    assert.deepEqual(kafkaClientSecurity(system.kafkaSecurity), {
      ssl: { rejectUnauthorized: true },
      sasl: { mechanism: "plain", username: "u", password: "p" },
    });

    rejects(
      { ...KAFKA, KAFKA_SASL_MECHANISM: "plain", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" },
      /in clear/,
    );
    rejects(
      { ...KAFKA, KAFKA_SASL_MECHANISM: "gssapi", KAFKA_SASL_USERNAME: "u", KAFKA_SASL_PASSWORD: "p" },
      /plain, scram/,
    );
    rejects({ ...KAFKA, KAFKA_SASL_MECHANISM: "scram-sha-256", KAFKA_SASL_USERNAME: "u" }, /PASSWORD/);
    rejects({ ...KAFKA, KAFKA_SASL_USERNAME: "u" }, /need KAFKA_SASL_MECHANISM/);
    rejects(
      { ...KAFKA, KAFKA_SSL_CA_FILE: "/nonexistent/ca.pem" },
      /KAFKA_SSL_CA_FILE \/nonexistent\/ca.pem cannot be read/,
    );
    rejects({ ...KAFKA, KAFKA_SSL_CA_FILE: files.junk }, /not a PEM file/);
    rejects({ ...KAFKA, KAFKA_SSL_CERT_FILE: files.cert }, /go together/);
    rejects({ ...KAFKA, KAFKA_SSL: "off", KAFKA_SSL_CA_FILE: files.ca }, /KAFKA_SSL is off/);
    rejects({ ...KAFKA, KAFKA_SSL: "maybe" }, /KAFKA_SSL must be on or off/);
  });
});

Deno.test("Postgres TLS comes from DATABASE_URL's sslmode and sslrootcert or DATABASE_SSL_CA", async () => {
  await withFiles((files) => {
    const none = loadConfig({ DATABASE_URL: "postgres://u@db:5432/engine" });
    assert.deepEqual(none.databaseTls, { mode: "disable", ca: null });
    assert.equal(postgresSsl(none.databaseTls), false);

    const required = loadConfig({ DATABASE_URL: "postgres://u@db:5432/engine?sslmode=require&max=4" });
    assert.deepEqual(required.databaseTls, { mode: "require", ca: null });
    // postgres.js gets the mode as an option, not as a server setting in the URL.
    assert.equal(required.databaseUrl, "postgres://u@db:5432/engine?max=4");
    assert.equal(postgresSsl(required.databaseTls), "require");

    const byUrl = loadConfig({
      DATABASE_URL: `postgres://u@db/engine?sslmode=verify-full&sslrootcert=${files.ca}`,
    });
    assert.deepEqual(byUrl.databaseTls, { mode: "verify-full", ca: CERT });
    assert.equal(byUrl.databaseUrl, "postgres://u@db/engine");
    assert.deepEqual(postgresSsl(byUrl.databaseTls), { rejectUnauthorized: true, ca: CERT });

    const byEnv = loadConfig({ DATABASE_URL: "postgres://u@db/engine", DATABASE_SSL_CA: files.ca });
    assert.deepEqual(byEnv.databaseTls, { mode: "verify-full", ca: CERT }, "a CA alone means verify-full");
    const chainOnly = postgresSsl({ mode: "verify-ca", ca: CERT }) as Record<string, unknown>;
    assert.equal(chainOnly.rejectUnauthorized, true);
    assert.equal((chainOnly.checkServerIdentity as () => unknown)(), undefined);

    rejects({ DATABASE_URL: "postgres://u@db/engine?sslmode=sometimes" }, /sslmode must be one of/);
    rejects(
      { DATABASE_URL: "postgres://u@db/engine?sslmode=require", DATABASE_SSL_CA: files.ca },
      /needs sslmode verify/,
    );
    rejects(
      { DATABASE_URL: "postgres://u@db/engine", DATABASE_SSL_CA: "/nonexistent/ca.pem" },
      /cannot be read/,
    );
    rejects({ DATABASE_URL: `postgres://u@db/engine?sslrootcert=${files.junk}` }, /not a PEM file/);
    rejects({ DATABASE_SSL_CA: files.ca }, /DATABASE_SSL_CA needs DATABASE_URL/);
  });
});

Deno.test("jwt mode settings: JWKS from the environment or a file, claims, subjects; demo mode refuses them", async () => {
  const { jwk } = await rsaKeyPair("idp-1");
  const jwks = JSON.stringify({ keys: [{ kty: "RSA", kid: "idp-1", n: jwk.n, e: jwk.e }] });
  const config = loadConfig({
    ...KAFKA,
    JWKS: jwks,
    JWT_ISSUER: "https://idp",
    JWT_AUDIENCE: "engine",
    JWT_SUBJECT: "external",
  });
  assert.equal(config.authMode, "jwt");
  assert.deepEqual(config.jwt, {
    jwks: [{ kty: "RSA", kid: "idp-1", n: jwk.n, e: jwk.e }],
    jwksFile: null,
    jwksUrl: null,
    jwksRefreshMs: 60_000,
    issuer: "https://idp",
    audience: "engine",
    subject: "external",
  });
  const file = await Deno.makeTempFile({ suffix: ".json" });
  try {
    await Deno.writeTextFile(file, jwks);
    assert.equal(loadConfig({ ...KAFKA, JWKS_FILE: file }).jwt.jwks[0].kid, "idp-1");
    assert.equal(loadConfig({ ...KAFKA, JWKS_FILE: file }).jwt.jwksFile, file);
    assert.equal(loadConfig({ ...KAFKA, JWKS_FILE: file, JWKS_REFRESH_MS: "0" }).jwt.jwksRefreshMs, 0);
    for (const bad of ["500", "-1", "1e4", "soon", "9999999999"]) {
      rejects({ ...KAFKA, JWKS_FILE: file, JWKS_REFRESH_MS: bad }, /JWKS_REFRESH_MS must be 0/);
    }
  } finally {
    await Deno.remove(file);
  }
  rejects({ ...KAFKA, JWKS: "{" }, /JWKS is not JSON/);
  rejects({ ...KAFKA, JWKS: jwks, JWKS_FILE: "/x" }, /set one of JWKS, JWKS_FILE and JWKS_URL/);
  rejects({ ...KAFKA, JWKS_URL: "https://idp/keys", JWKS_FILE: "/x" }, /set one of/);
  assert.equal(
    loadConfig({ ...KAFKA, JWKS_URL: "https://id.bank.example/realms/retail/protocol/openid-connect/certs" })
      .jwt
      .jwksUrl,
    "https://id.bank.example/realms/retail/protocol/openid-connect/certs",
  );
  assert.equal(
    loadConfig({ ...KAFKA, JWKS_URL: "http://127.0.0.1:8080/keys" }).jwt.jwksUrl,
    "http://127.0.0.1:8080/keys",
  );
  rejects({ ...KAFKA, JWKS_URL: "http://id.bank.example/keys" }, /JWKS_URL must be https/);
  rejects({ ...KAFKA, JWKS_URL: "file:///etc/passwd" }, /JWKS_URL must be https/);
  rejects({ ...KAFKA, JWKS_URL: "https://user:pw@idp/keys" }, /must not carry credentials/);
  rejects({ ...KAFKA, JWKS_URL: "keys please" }, /JWKS_URL is not a URL/);
  rejects({ AUTH_MODE: "demo", JWKS_URL: "https://idp/keys" }, /for AUTH_MODE=jwt/);
  rejects({ ...KAFKA, JWKS_FILE: "/nonexistent.json" }, /JWKS_FILE \/nonexistent.json cannot be read/);
  rejects({ ...KAFKA, JWT_SUBJECT: "email" }, /JWT_SUBJECT/);
  rejects({ AUTH_MODE: "demo", JWKS: jwks }, /for AUTH_MODE=jwt/);
  rejects({ AUTH_SECRET: "short" }, /AUTH_SECRET must be at least 16/);
});

Deno.test("privacy keys and rate limits are validated with clear reasons", () => {
  const key = btoa(String.fromCharCode(...new Uint8Array(32).fill(9)));
  const config = loadConfig({
    PII_KEYS: `k2:${key}, k1:${key}`,
    PSEUDONYM_KEY: "a-long-enough-pseudonym-key",
  });
  assert.deepEqual(config.piiKeys?.map((entry) => entry.id), ["k2", "k1"]);
  assert.equal(config.pseudonymKey, "a-long-enough-pseudonym-key");
  const defaults = loadConfig({});
  assert.equal(defaults.piiKeys, null);
  assert.deepEqual(defaults.rateLimits, {
    userPerMinute: 600,
    ipPerMinute: 1200,
    chatCost: 10,
    trustProxyHops: 0,
  });
  assert.deepEqual(
    loadConfig({ RATE_LIMIT_USER_PER_MIN: "0", RATE_LIMIT_IP_PER_MIN: "30", TRUST_PROXY_HOPS: "1" })
      .rateLimits,
    { userPerMinute: 0, ipPerMinute: 30, chatCost: 10, trustProxyHops: 1 },
  );
  rejects({ PII_KEYS: "nokey" }, /entry 1 must be <id>:<base64/);
  rejects({ PII_KEYS: `k1:${btoa("short")}` }, /must be 32 bytes/);
  rejects({ PII_KEYS: `k1:${key},k1:${key}` }, /twice/);
  rejects({ PSEUDONYM_KEY: "short" }, /PSEUDONYM_KEY must be at least 16/);
  rejects({ RATE_LIMIT_USER_PER_MIN: "-1" }, /RATE_LIMIT_USER_PER_MIN must be a whole number/);
  rejects({ RATE_LIMIT_IP_PER_MIN: "lots" }, /RATE_LIMIT_IP_PER_MIN/);
});
