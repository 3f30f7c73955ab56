import assert from "node:assert/strict";
import { parseCliArgs } from "./main.ts";

Deno.test("parseCliArgs accepts the documented flags", () => {
  const parsed = parseCliArgs(["--seed", "7", "--users=100", "--shoppers", "20", "--out", "/tmp/x"]);
  assert.deepEqual(parsed, {
    ok: true,
    options: { seed: 7, users: 100, shoppers: 20, asOf: undefined, out: "/tmp/x", databaseUrl: undefined },
  });
  const env = parseCliArgs(["--seed", "1", "--users", "5"], { DATABASE_URL: "postgres://h/db" });
  assert.ok(
    env.ok && env.options.databaseUrl === "postgres://h/db" && env.options.out === "./data/generated",
  );
});

Deno.test("parseCliArgs rejects bad arguments with a clear reason", () => {
  const reason = (args: string[]) => {
    const parsed = parseCliArgs(args);
    assert.ok(!parsed.ok);
    return parsed.reason;
  };
  assert.match(reason(["--seed", "1.5", "--users", "10"]), /--seed must be an integer/);
  assert.match(reason(["--seed", "abc", "--users", "10"]), /--seed must be an integer/);
  assert.match(reason(["--seed", "1", "--users", "0"]), /--users must be between 1 and 1000000/);
  assert.match(reason(["--seed", "1", "--users", "1000001"]), /--users must be between/);
  assert.match(reason(["--seed", "1", "--users", "10", "--colour", "red"]), /Unknown argument "--colour"/);
  assert.match(reason(["--users", "10"]), /Missing --seed/);
  assert.match(reason(["--seed", "1", "--users"]), /Missing value for --users/);
  assert.match(reason(["--seed", "1", "--users", "3", "--out", "a", "--database-url", "b"]), /either/);
});

Deno.test("the CLI exits with code 2 on bad arguments", async () => {
  const command = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./main.ts", import.meta.url).pathname, "--seed", "x", "--users", "5"],
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stderr } = await command.output();
  assert.equal(code, 2);
  assert.match(new TextDecoder().decode(stderr), /--seed must be an integer/);
});
