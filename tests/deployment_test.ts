/**
 * `compose.yaml` and the Dockerfile cannot run on these machines (no Docker
 * engine), so this test reads them and checks them against the code: every
 * engine variable is one the configuration reads and the configuration
 * accepts it, topics match the contract, ports and health checks line up, and
 * the image runs the Deno version CI installs.
 */

import assert from "node:assert/strict";
import { TOPICS } from "../bus/bus.ts";
import { loadConfig } from "../engine/config.ts";
import { parseYaml, type YamlValue } from "./_yaml.ts";

type Map = { [key: string]: YamlValue };
const root = new URL("../", import.meta.url);
const read = (path: string) => Deno.readTextFileSync(new URL(path, root));
const asMap = (value: YamlValue | undefined, what: string): Map => {
  assert.ok(value !== null && typeof value === "object" && !Array.isArray(value), `${what} is a mapping`);
  return value as Map;
};

/** Variables `engine/config.ts` (and its security half) reads, from its source. */
function configVariables(): Set<string> {
  const source = read("engine/config.ts") + read("engine/security_config.ts") + read("engine/experiment.ts");
  const names = new Set<string>();
  for (const match of source.matchAll(/env\.([A-Z][A-Z0-9_]+)/g)) names.add(match[1]);
  for (const match of source.matchAll(/\(env, "([A-Z][A-Z0-9_]+)"/g)) names.add(match[1]);
  return names;
}

/** `${NAME:-default}` → default, `${NAME:?message}` → a sample value, `$$` → `$`. */
function substitute(value: string): string {
  return value
    .replace(/\$\{([A-Z_]+):-([^}]*)\}/g, (_, _name, fallback) => fallback)
    .replace(/\$\{([A-Z_]+):\?[^}]*\}/g, (_, name) => `sample-${name.toLowerCase()}-value`)
    .replace(/\$\$/g, "$");
}

const compose = asMap(parseYaml(read("compose.yaml")), "compose.yaml");
const services = asMap(compose.services, "services");
const engines = Object.keys(services).filter((name) => /^engine-\d+$/.test(name)).sort();

Deno.test("compose runs Kafka in KRaft mode, Postgres 16 and three engine replicas with health checks", () => {
  const kafka = asMap(services.kafka, "kafka");
  assert.match(String(kafka.image), /^apache\/kafka:\d/);
  const kafkaEnv = asMap(kafka.environment, "kafka environment");
  assert.match(String(kafkaEnv.KAFKA_PROCESS_ROLES), /controller/);
  assert.ok(!("zookeeper" in services), "no ZooKeeper in KRaft mode");
  assert.ok(kafka.healthcheck && kafka.volumes);
  const postgres = asMap(services.postgres, "postgres");
  assert.equal(postgres.image, "postgres:16");
  assert.ok(asMap(postgres.healthcheck, "postgres healthcheck").test);
  assert.deepEqual(engines, ["engine-1", "engine-2", "engine-3"]);
  const volumes = asMap(compose.volumes, "volumes");
  for (const [name, service] of Object.entries(services)) {
    for (const volume of (asMap(service, name).volumes ?? []) as string[]) {
      const source = volume.split(":")[0];
      if (!source.startsWith(".") && !source.startsWith("/")) {
        assert.ok(source in volumes, `${name} volume ${source}`);
      }
    }
  }
});

Deno.test("compose creates every contract topic, with compaction for tombstones", () => {
  const init = asMap(services["kafka-init"], "kafka-init");
  const script = (init.command as string[]).join("\n");
  for (const topic of [...Object.values(TOPICS), "users.tombstones"]) {
    assert.ok(script.includes(topic), `topic ${topic} is created`);
  }
  assert.match(
    script,
    /users\.tombstones[^\n]*\\\n[^\n]*cleanup\.policy=compact|users\.tombstones.*cleanup\.policy=compact/s,
  );
  assert.match(script, /--partitions/);
  const kafkaEnv = asMap(asMap(services.kafka, "kafka").environment, "kafka environment");
  assert.equal(kafkaEnv.KAFKA_AUTO_CREATE_TOPICS_ENABLE, "false", "topics come from the init job only");
});

Deno.test("every engine replica's environment is read and accepted by the engine's configuration", () => {
  const known = configVariables();
  const kafkaAdvertised = String(
    asMap(asMap(services.kafka, "kafka").environment, "env").KAFKA_ADVERTISED_LISTENERS,
  );
  const nodeIds = new Set<string>();
  for (const name of engines) {
    const engine = asMap(services[name], name);
    assert.equal(engine.build, ".");
    const env = asMap(engine.environment, `${name} environment`);
    for (const variable of Object.keys(env)) {
      assert.ok(known.has(variable), `${name}: ${variable} is read by engine/config.ts`);
    }
    const values = Object.fromEntries(
      Object.entries(env).map(([key, value]) => [key, substitute(String(value ?? ""))]),
    );
    const config = loadConfig(values);
    assert.equal(config.nodeId, name);
    nodeIds.add(config.nodeId);
    assert.equal(config.publicUrl, `http://${name}:${config.port}`);
    assert.deepEqual(config.kafkaBrokers, ["kafka:9092"]);
    assert.ok(kafkaAdvertised.includes(config.kafkaBrokers[0]), "brokers match Kafka's advertised listener");
    assert.match(config.databaseUrl!, /@postgres:5432\/engine$/);
    assert.equal(config.authMode, "jwt", "production never runs demo auth");
    const [hostPort, containerPort] = String((engine.ports as string[])[0]).split(":");
    assert.equal(Number(containerPort), config.port);
    assert.ok(Number(hostPort) > 0);
    const health = (asMap(engine.healthcheck, `${name} healthcheck`).test as string[]).join(" ");
    assert.ok(health.includes(`127.0.0.1:${config.port}/readyz`));
    const depends = asMap(engine.depends_on, `${name} depends_on`);
    assert.equal(asMap(depends["kafka-init"], "kafka-init").condition, "service_completed_successfully");
    assert.equal(asMap(depends.postgres, "postgres").condition, "service_healthy");
  }
  assert.equal(nodeIds.size, 3, "every replica has its own NODE_ID");
});

Deno.test("the Dockerfile runs the Deno version CI installs, on the port compose maps", () => {
  const dockerfile = read("Dockerfile");
  const ciVersion = /DENO_VERSION=([\d.]+)/.exec(read(".ci/run"))![1];
  assert.match(dockerfile, new RegExp(`^FROM denoland/deno:[a-z-]*${ciVersion.replace(/\./g, "\\.")}`, "m"));
  assert.match(dockerfile, /^EXPOSE 8080$/m);
  assert.match(dockerfile, /^CMD .*main\.ts/m);
  assert.match(dockerfile, /^USER (?!root)/m, "the engine does not run as root");
  assert.match(dockerfile, /HEALTHCHECK/);
});

Deno.test("the YAML reader rejects what it does not understand instead of guessing", () => {
  assert.throws(() => parseYaml("a: *missing"), /Unknown alias/);
  assert.throws(() => parseYaml("a: [1, 2"), /Unclosed flow sequence/);
  assert.throws(() => parseYaml("just text"), /expected "key: value"/);
  assert.deepEqual(parseYaml("x: &a\n  k: 1\ny:\n  <<: *a\n  j: 'it''s'\nz: [\"a\", b]"), {
    x: { k: 1 },
    y: { k: 1, j: "it's" },
    z: ["a", "b"],
  });
});
