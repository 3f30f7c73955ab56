/**
 * CLI: `deno task data:generate --seed S --users N [--shoppers M]
 * [--as-of ISO] [--out DIR | --database-url URL]`. Writes files to
 * `./data/generated` by default; with `--database-url` (or `DATABASE_URL`)
 * it migrates that database and loads the data into it instead, sealing
 * personal data with the keys the engine would use (`PII_KEYS`,
 * `PSEUDONYM_KEY`, `ADMIN_TOKEN`, `DATA_DIR`: see `engine/security.ts`). Bad
 * arguments exit with code 2.
 *
 * @module
 */

import { loadConfig } from "../engine/config.ts";
import { privacyKeysFor, vaultFor } from "../engine/security.ts";
import { Store } from "../store/store.ts";
import { generate } from "./generate.ts";
import { loadGenerated } from "./load.ts";
import { formatSummary, summarize } from "./summary.ts";
import { writeFiles } from "./write_files.ts";

/** Parsed command line. */
export interface CliOptions {
  seed: number;
  users: number;
  shoppers?: number;
  asOf?: string;
  out: string;
  databaseUrl?: string;
}

/** The outcome of {@linkcode parseCliArgs}. */
export type CliParse = { ok: true; options: CliOptions } | { ok: false; reason: string };

const USAGE =
  "Usage: deno task data:generate --seed S --users N [--shoppers M] [--as-of ISO] [--out DIR | --database-url URL]";
const FLAGS = new Set(["--seed", "--users", "--shoppers", "--as-of", "--out", "--database-url"]);
const MAX_USERS = 1_000_000;

function integer(flag: string, raw: string, min: number, max: number): number | string {
  if (!/^-?\d+$/.test(raw)) return `${flag} must be an integer, got ${JSON.stringify(raw)}`;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    return `${flag} must be between ${min} and ${max}, got ${raw}`;
  }
  return n;
}

/** Parses argv (flags as `--flag value` or `--flag=value`); `env` supplies `DATABASE_URL`. */
export function parseCliArgs(args: readonly string[], env: { DATABASE_URL?: string } = {}): CliParse {
  const values = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    if (!FLAGS.has(flag)) return { ok: false, reason: `Unknown argument ${JSON.stringify(arg)}` };
    const value = eq > 0 ? arg.slice(eq + 1) : args[++i];
    if (value === undefined) return { ok: false, reason: `Missing value for ${flag}` };
    values.set(flag, value);
  }
  if (!values.has("--seed")) return { ok: false, reason: "Missing --seed" };
  if (!values.has("--users")) return { ok: false, reason: "Missing --users" };
  const seed = integer("--seed", values.get("--seed")!, -(2 ** 31), 2 ** 32 - 1);
  if (typeof seed === "string") return { ok: false, reason: seed };
  const users = integer("--users", values.get("--users")!, 1, MAX_USERS);
  if (typeof users === "string") return { ok: false, reason: users };
  let shoppers: number | undefined;
  if (values.has("--shoppers")) {
    const parsed = integer("--shoppers", values.get("--shoppers")!, 0, MAX_USERS);
    if (typeof parsed === "string") return { ok: false, reason: parsed };
    shoppers = parsed;
  }
  const asOf = values.get("--as-of");
  if (asOf !== undefined && !Number.isFinite(Date.parse(asOf))) {
    return { ok: false, reason: `--as-of must be an ISO timestamp, got ${JSON.stringify(asOf)}` };
  }
  if (asOf !== undefined && Date.parse(asOf) > Date.now()) {
    return { ok: false, reason: "--as-of must not be in the future" };
  }
  if (values.has("--out") && values.has("--database-url")) {
    return { ok: false, reason: "Use either --out or --database-url, not both" };
  }
  const databaseUrl = values.get("--database-url") ?? (values.has("--out") ? undefined : env.DATABASE_URL);
  return {
    ok: true,
    options: { seed, users, shoppers, asOf, out: values.get("--out") ?? "./data/generated", databaseUrl },
  };
}

/** Runs the CLI and returns the exit code. */
export async function main(args: readonly string[]): Promise<number> {
  const parsed = parseCliArgs(args, { DATABASE_URL: Deno.env.get("DATABASE_URL") });
  if (!parsed.ok) {
    console.error(`${parsed.reason}\n${USAGE}`);
    return 2;
  }
  const { options } = parsed;
  const started = performance.now();
  const data = generate({
    seed: options.seed,
    users: options.users,
    shoppers: options.shoppers,
    asOf: options.asOf,
  });
  const generatedMs = performance.now() - started;
  if (options.databaseUrl) {
    const config = loadConfig({ ...Deno.env.toObject(), DATABASE_URL: options.databaseUrl });
    const { vault } = await vaultFor(await privacyKeysFor(config));
    const store = await Store.connect(config.databaseUrl!, { tls: config.databaseTls });
    try {
      await store.migrate();
      const result = await loadGenerated(store.sql, data, { vault });
      if (!result.ok) {
        console.error(result.reason);
        return 1;
      }
      console.log(`loaded into Postgres: ${JSON.stringify(result.counts)}`);
    } finally {
      await store.close();
    }
  } else {
    const paths = await writeFiles(data, options.out);
    console.log(`wrote ${Object.values(paths).join(", ")}`);
  }
  console.log(`seed ${data.seed}, asOf ${data.asOf}, generated in ${(generatedMs / 1000).toFixed(1)} s`);
  console.log(formatSummary(summarize(data)));
  return 0;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
