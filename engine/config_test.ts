import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "./config.ts";

Deno.test("loadConfig defaults to the embedded engine with demo auth", () => {
  const config = loadConfig({});
  assert.equal(config.port, 8080);
  assert.deepEqual(config.kafkaBrokers, []);
  assert.equal(config.databaseUrl, null);
  assert.equal(config.authMode, "demo");
  assert.equal(config.adminTokenGenerated, true);
  assert.ok(config.adminToken.length >= 16);
  assert.equal(config.ingestToken, config.adminToken);
});

Deno.test("loadConfig reads Kafka mode and keeps the contract's variable names", () => {
  const config = loadConfig({
    KAFKA_BROKERS: "k1:9092, k2:9092",
    DATABASE_URL: "postgres://u@db:5432/engine",
    ADMIN_TOKEN: "admin-token-1",
    INGEST_TOKEN: "ingest-token-1",
    NODE_ID: "engine-2",
    PORT: "9000",
  });
  assert.deepEqual(config.kafkaBrokers, ["k1:9092", "k2:9092"]);
  assert.equal(config.authMode, "jwt");
  assert.equal(config.ingestToken, "ingest-token-1");
  assert.equal(config.publicUrl, "http://127.0.0.1:9000");
});

Deno.test("loadConfig rejects unusable values with a clear message", () => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: "eighty" }, /PORT must be an integer/],
    [{ KAFKA_BROKERS: "nohostport" }, /not host:port/],
    [{ DATABASE_URL: "mysql://x" }, /DATABASE_URL must start/],
    [{ ADMIN_TOKEN: "short" }, /at least 8/],
    [{ AUTH_MODE: "none" }, /AUTH_MODE/],
    [{ NODE_ID: "bad id!" }, /NODE_ID/],
    [{ LLM_BASE_URL: "http://llm/v1" }, /LLM_MODEL is required/],
    [{ FLUSH_INTERVAL_MS: "0" }, /FLUSH_INTERVAL_MS/],
  ];
  for (const [env, message] of cases) {
    assert.throws(() => loadConfig(env), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, message);
      return true;
    });
  }
});
