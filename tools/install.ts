/**
 * `deno task install`: makes `node_modules` match `package.json` and `package-lock.json`. Every task that
 * runs code depends on it, so a fresh clone needs nothing but `deno task start` (or `test`).
 *
 * The project runs with `"nodeModulesDir": "manual"` because `@xenova/transformers` only loads under Deno
 * once `sharp` is replaced by the stub in `vendor/sharp` (npm `overrides`) and packages are installed with
 * `npm ci --ignore-scripts --install-links` (SPEC). It then applies the postgres.js fixes in
 * `tools/postgres_patches.ts` (a connection closing under a transaction crashed the process). A fingerprint
 * of the manifests (and the patches) in
 * `node_modules/.install-stamp` makes the step a no-op when nothing changed. Without npm on the machine
 * (e.g. the `denoland/deno` image) it falls back to `deno install` and puts the stub in place itself.
 *
 * @module
 */

import { installedPostgres, patchPostgres } from "./postgres_patches.ts";

const ROOT = new URL("../", import.meta.url);
const STAMP = new URL("node_modules/.install-stamp", ROOT);
const LOCK = new URL(".install.lock", ROOT);
const MANIFESTS = [
  "package.json",
  "package-lock.json",
  "vendor/sharp/package.json",
  "vendor/sharp/index.js",
  "tools/postgres_patches.ts",
];
const STALE_LOCK_MS = 10 * 60_000;

/** A hex SHA-256 over the files that decide what `node_modules` holds. */
export async function manifestFingerprint(root: URL = ROOT): Promise<string> {
  const hash = new Uint8Array(
    await crypto.subtle.digest(
      "SHA-256",
      new TextEncoder().encode(
        (await Promise.all(MANIFESTS.map(async (path) => {
          try {
            return `${path}\n${await Deno.readTextFile(new URL(path, root))}`;
          } catch (error) {
            if (error instanceof Deno.errors.NotFound) return `${path}\n(missing)`;
            throw error;
          }
        }))).join("\n\0\n"),
      ),
    ),
  );
  return [...hash].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function readStamp(): Promise<string | null> {
  try {
    return (await Deno.readTextFile(STAMP)).trim();
  } catch {
    return null;
  }
}

async function run(command: string, args: string[]): Promise<boolean> {
  console.error(`install: ${command} ${args.join(" ")}`);
  try {
    const { success } = await new Deno.Command(command, { args, cwd: ROOT, stdout: "inherit" }).output();
    if (!success) throw new Error(`${command} ${args.join(" ")} failed`);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

/** Replaces every installed copy of sharp with the stub (the `deno install` fallback ignores overrides). */
async function stubSharp(): Promise<void> {
  const store = new URL("node_modules/.deno/", ROOT);
  for await (const entry of Deno.readDir(store)) {
    if (!entry.name.startsWith("sharp@")) continue;
    const target = new URL(`${entry.name}/node_modules/sharp/`, store);
    await Deno.remove(target, { recursive: true });
    await Deno.mkdir(target, { recursive: true });
    for (const file of ["package.json", "index.js"]) {
      await Deno.copyFile(new URL(`vendor/sharp/${file}`, ROOT), new URL(file, target));
    }
  }
}

async function install(): Promise<void> {
  // `npm ci` installs exactly the lockfile; without one (a new dependency set) npm install writes it.
  const hasLock = await Deno.stat(new URL("package-lock.json", ROOT)).then(() => true, () => false);
  const npmArgs = [
    hasLock ? "ci" : "install",
    "--ignore-scripts",
    "--install-links",
    "--no-audit",
    "--no-fund",
  ];
  // npm cannot read the symlinked layout Deno's own installer leaves behind (`node_modules/.deno`).
  if (await Deno.stat(new URL("node_modules/.deno", ROOT)).then(() => true, () => false)) {
    await Deno.remove(new URL("node_modules", ROOT), { recursive: true });
  }
  if (!await run("npm", npmArgs)) {
    console.error("install: npm is not on PATH; falling back to deno install with the sharp stub");
    if (!await run(Deno.execPath(), ["install", "--quiet", "--no-lock"])) {
      throw new Error("Cannot run deno install");
    }
    await stubSharp();
  }
  // postgres.js fixes for connections that close under a transaction (tools/postgres_patches.ts).
  const copies = await installedPostgres(ROOT);
  if (copies.length === 0) throw new Error("postgres.js is not in node_modules after the install");
  for (const copy of copies) {
    console.error(`install: patched ${await patchPostgres(copy)} places in ${copy.pathname}`);
  }
}

/** Holds `.install.lock` while `body` runs, so concurrent tasks do not install over each other. */
async function withLock(body: () => Promise<void>): Promise<void> {
  for (;;) {
    try {
      await Deno.mkdir(LOCK);
      break;
    } catch (error) {
      if (!(error instanceof Deno.errors.AlreadyExists)) throw error;
      const age = Date.now() - ((await Deno.stat(LOCK).catch(() => null))?.mtime?.getTime() ?? Date.now());
      if (age > STALE_LOCK_MS) await Deno.remove(LOCK).catch(() => {});
      else await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    await body();
  } finally {
    await Deno.remove(LOCK).catch(() => {});
  }
}

/** Installs `node_modules` unless the stamp says it already matches the manifests. */
export async function ensureNodeModules(): Promise<"fresh" | "installed"> {
  const wanted = await manifestFingerprint();
  if (await readStamp() === wanted) return "fresh";
  let result: "fresh" | "installed" = "fresh";
  await withLock(async () => {
    if (await readStamp() === wanted) return;
    await install();
    // npm install may have written the lockfile, which is part of the fingerprint.
    await Deno.writeTextFile(STAMP, `${await manifestFingerprint()}\n`);
    result = "installed";
  });
  return result;
}

if (import.meta.main) {
  try {
    await ensureNodeModules();
  } catch (error) {
    console.error(`install: ${(error as Error).message}`);
    console.error("install: run `npm ci --ignore-scripts --install-links` in the repository root");
    Deno.exit(1);
  }
}
