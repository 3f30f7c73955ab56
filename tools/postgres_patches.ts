/**
 * Fixes to postgres.js 3.4.9 (the newest release) that `deno task install` applies to the installed copy,
 * the way patch-package would. Each one is an exact text replacement: the install fails loudly when the
 * expected text is missing (another version), so a dependency bump has to revisit them.
 *
 * The bug they fix: when Postgres stops or restarts under load, a transaction whose connection closed keeps
 * issuing queries (its own `rollback`, or the rest of its callback) on that connection. `execute` then
 * queues bytes for a socket that is already null, and the write scheduled with `setImmediate` throws
 * `TypeError: Cannot read properties of null (reading 'write')` from a timer, which ends the process. The
 * queued bytes also stayed behind: after the reconnect they were sent ahead of the startup message, or never
 * flushed, and the connection hung (upstream issue porsager/postgres#1193). `store/postgres_restart_test.ts`
 * reproduces both against a private server stopped and started under transactional load.
 *
 * @module
 */

/** One exact replacement in one file of the package. */
export interface TextPatch {
  /** Files relative to the package root; the ESM and CommonJS builds carry the same code. */
  files: string[];
  /** What the fix is for, in one line. */
  reason: string;
  find: string;
  replace: string;
}

/** Marks patched text so that installing twice is a no-op. */
export const PATCH_MARK = "/* engine patch */";

/** The version the patches were written against. */
export const POSTGRES_VERSION = "3.4.9";

export const POSTGRES_PATCHES: TextPatch[] = [
  {
    files: ["src/index.js", "cjs/src/index.js"],
    reason: "a transaction's query after its connection closed is rejected instead of written to no socket",
    find: `      function handler(q) {
        q.catch(e => uncaughtError || (uncaughtError = e))
        c.queue === full`,
    replace: `      function handler(q) {
        q.catch(e => uncaughtError || (uncaughtError = e))
        if (c.queue === closed || c.queue === connecting) ${PATCH_MARK}
          return q.reject(Errors.connection('CONNECTION_CLOSED', options))
        c.queue === full`,
  },
  {
    files: ["src/connection.js", "cjs/src/connection.js"],
    reason:
      "bytes queued for a connection that closed are dropped, not sent ahead of the next startup message",
    find: `    socket.removeListener('connect', connected)
    idleTimer.cancel()`,
    replace: `    socket.removeListener('connect', connected)
    chunk = nextWriteTimer = null ${PATCH_MARK}
    idleTimer.cancel()`,
  },
  {
    files: ["src/connection.js", "cjs/src/connection.js"],
    reason: "a write with no socket (any other path to it) drops its bytes instead of throwing from a timer",
    find: `  function nextWrite(fn) {
    const x = socket.write(chunk, fn)`,
    replace: `  function nextWrite(fn) {
    if (!socket) ${PATCH_MARK}
      return (nextWriteTimer !== null && clearImmediate(nextWriteTimer), chunk = nextWriteTimer = null, false)
    const x = socket.write(chunk, fn)`,
  },
];

/**
 * Applies {@linkcode POSTGRES_PATCHES} to the package at `packageRoot` (a directory URL ending in `/`).
 * Returns how many replacements were made (0 when already patched); throws when the package is another
 * version or a patch's text is not found.
 */
export async function patchPostgres(packageRoot: URL): Promise<number> {
  const manifest = JSON.parse(await Deno.readTextFile(new URL("package.json", packageRoot)));
  if (manifest.version !== POSTGRES_VERSION) {
    throw new Error(
      `postgres ${manifest.version} is installed; tools/postgres_patches.ts was written for ${POSTGRES_VERSION}`,
    );
  }
  let applied = 0;
  const texts = new Map<string, string>();
  for (const patch of POSTGRES_PATCHES) {
    for (const file of patch.files) {
      const text = texts.get(file) ?? await Deno.readTextFile(new URL(file, packageRoot));
      if (text.includes(patch.replace)) {
        texts.set(file, text);
        continue;
      }
      const at = text.indexOf(patch.find);
      if (at < 0 || text.indexOf(patch.find, at + 1) >= 0) {
        throw new Error(`postgres ${file}: the text for "${patch.reason}" is missing or not unique`);
      }
      texts.set(file, text.slice(0, at) + patch.replace + text.slice(at + patch.find.length));
      applied++;
    }
  }
  for (const [file, text] of texts) await Deno.writeTextFile(new URL(file, packageRoot), text);
  return applied;
}

/** Every installed copy of postgres.js under `root/node_modules` (npm's flat layout and Deno's own). */
export async function installedPostgres(root: URL): Promise<URL[]> {
  const found: URL[] = [];
  const flat = new URL("node_modules/postgres/", root);
  if (await Deno.stat(new URL("package.json", flat)).then(() => true, () => false)) found.push(flat);
  const store = new URL("node_modules/.deno/", root);
  try {
    for await (const entry of Deno.readDir(store)) {
      if (entry.name.startsWith("postgres@")) {
        found.push(new URL(`${entry.name}/node_modules/postgres/`, store));
      }
    }
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
  }
  return found;
}
