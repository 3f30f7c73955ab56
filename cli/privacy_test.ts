import assert from "node:assert/strict";
import { Pseudonymizer } from "../privacy/pseudonym.ts";
import { parsePiiKeys } from "../privacy/privacy_keys.ts";

const CLI = new URL("./privacy.ts", import.meta.url).pathname;
const KEY = "cli-test-pseudonym-key-0123";

async function run(args: string[], stdin = "", env: Record<string, string> = { PSEUDONYM_KEY: KEY }) {
  const dataDir = await Deno.makeTempDir({ prefix: "privacy-cli-" });
  try {
    return await runIn(dataDir, args, stdin, env);
  } finally {
    await Deno.remove(dataDir, { recursive: true });
  }
}

async function runIn(dataDir: string, args: string[], stdin: string, env: Record<string, string>) {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", CLI, ...args],
    env: { ...env, DATA_DIR: dataDir },
    clearEnv: true,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const writer = child.stdin.getWriter();
  await writer.write(new TextEncoder().encode(stdin));
  await writer.close();
  const { code, stdout, stderr } = await child.output();
  return { code, stdout: new TextDecoder().decode(stdout), stderr: new TextDecoder().decode(stderr) };
}

Deno.test("deno task privacy pseudonymises ids and NDJSON events with PSEUDONYM_KEY as the engine does", async () => {
  const pseudonyms = await Pseudonymizer.create(KEY);
  const ids = await run(["pseudonymise", "CUST-1", "CUST-2"]);
  assert.equal(ids.code, 0, ids.stderr);
  assert.deepEqual(ids.stdout.trim().split("\n"), [
    await pseudonyms.pseudonymise("CUST-1"),
    await pseudonyms.pseudonymise("CUST-2"),
  ]);
  const input = [
    JSON.stringify({ eventId: "e1", userId: "CUST-1", type: "view", ts: "2026-01-01T00:00:00Z" }),
    "not json",
    JSON.stringify({ eventId: "e2", type: "view" }),
    JSON.stringify({ eventId: "e3", userId: "CUST-2", type: "order", ts: "2026-01-01T00:00:00Z" }),
  ].join("\n");
  const events = await run(["pseudonymise", "--events"], input);
  assert.equal(events.code, 1, "some lines were left out");
  assert.match(events.stderr, /line 2: not JSON/);
  assert.match(events.stderr, /line 3: not an event with a userId/);
  const out = events.stdout.trim().split("\n").map((line) => JSON.parse(line));
  assert.deepEqual(out.map((event) => [event.eventId, event.userId]), [
    ["e1", await pseudonyms.pseudonymise("CUST-1")],
    ["e3", await pseudonyms.pseudonymise("CUST-2")],
  ]);
  assert.ok(!events.stdout.includes("CUST-"));
});

Deno.test("deno task privacy makes key entries and shows the keys in force", async () => {
  const entry = await run(["new-key"]);
  assert.equal(entry.code, 0);
  assert.ok(parsePiiKeys(entry.stdout.trim()).ok);
  const keys = await run(["keys"], "", { PSEUDONYM_KEY: KEY, PII_KEYS: entry.stdout.trim() });
  assert.equal(keys.code, 0, keys.stderr);
  assert.deepEqual(keys.stdout.trim().split("\n"), [
    `PII_KEYS=${entry.stdout.trim()}`,
    `PSEUDONYM_KEY=${KEY}`,
  ]);
  const usage = await run(["pseudonymise"]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /Usage/);
  const bad = await run(["pseudonymise", "x"], "", { PSEUDONYM_KEY: "short" });
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /PSEUDONYM_KEY must be at least 16/);
});
