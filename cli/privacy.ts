/**
 * `deno task privacy` — pseudonymise ids before they reach the engine, and manage keys.
 *
 * ```
 * deno task privacy pseudonymise ID…            # one pseudonymous userId per line
 * deno task privacy pseudonymise --events < raw.ndjson > events.ndjson
 * deno task privacy new-key                     # a fresh PII_KEYS entry: k<yyyymmdd>:<base64url>
 * deno task privacy keys                        # the PII_KEYS and PSEUDONYM_KEY the engine would use
 * ```
 *
 * The key is `PSEUDONYM_KEY`, or whatever the engine would use with the same
 * environment (its key file in `DATA_DIR`, or the value derived from
 * `ADMIN_TOKEN`): see `engine/security.ts`. `--events` reads one event per
 * line whose `userId` is the bank's own id and writes it with the pseudonym
 * instead; a line that is not an event object with a usable `userId` is
 * reported on stderr with its number and left out, and the exit code is 1.
 * Producers in other languages compute the same id (see the README):
 * `"p-" + base32(HMAC-SHA-256(PSEUDONYM_KEY, "user:" + id)[0..20])`.
 *
 * @module
 */

import { ConfigError, loadConfig } from "../engine/config.ts";
import { privacyKeysFor } from "../engine/security.ts";
import { formatPiiKeys, newPiiKeyEntry } from "../privacy/privacy_keys.ts";
import { Pseudonymizer } from "../privacy/pseudonym.ts";

const USAGE = "Usage: privacy pseudonymise ID… | privacy pseudonymise --events < in.ndjson > out.ndjson | " +
  "privacy new-key | privacy keys";

async function pseudonymizer(env: Record<string, string | undefined>): Promise<Pseudonymizer> {
  const keys = await privacyKeysFor(loadConfig(env));
  return await Pseudonymizer.create(keys.pseudonymKey);
}

/** Rewrites NDJSON events from `input` to `output`; returns the numbers of lines that were left out. */
export async function pseudonymiseEvents(
  pseudonyms: Pseudonymizer,
  input: ReadableStream<Uint8Array>,
  write: (line: string) => Promise<void>,
  report: (message: string) => void,
): Promise<number[]> {
  const skipped: number[] = [];
  let buffer = "";
  let number = 0;
  const handle = async (line: string) => {
    number++;
    if (line.trim() === "") return;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      skipped.push(number);
      report(`line ${number}: not JSON`);
      return;
    }
    const userId = (event as { userId?: unknown })?.userId;
    if (typeof event !== "object" || event === null || Array.isArray(event) || typeof userId !== "string") {
      skipped.push(number);
      report(`line ${number}: not an event with a userId`);
      return;
    }
    try {
      await write(JSON.stringify({ ...event, userId: await pseudonyms.pseudonymise(userId) }) + "\n");
    } catch (error) {
      skipped.push(number);
      report(`line ${number}: ${(error as Error).message}`);
    }
  };
  for await (const chunk of input.pipeThrough(new TextDecoderStream())) {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf("\n")) >= 0) {
      await handle(buffer.slice(0, newline));
      buffer = buffer.slice(newline + 1);
    }
  }
  if (buffer !== "") await handle(buffer);
  return skipped;
}

/** Runs the CLI; returns the exit code. */
export async function main(args: string[], env = Deno.env.toObject()): Promise<number> {
  const [command, ...rest] = args;
  try {
    if (command === "new-key" && rest.length === 0) {
      console.log(newPiiKeyEntry());
      return 0;
    }
    if (command === "keys" && rest.length === 0) {
      const keys = await privacyKeysFor(loadConfig(env));
      console.error(`# sources: ${JSON.stringify(keys.source)}; these are secrets`);
      console.log(`PII_KEYS=${formatPiiKeys(keys.piiKeys)}`);
      console.log(`PSEUDONYM_KEY=${keys.pseudonymKey}`);
      return 0;
    }
    if (command === "pseudonymise" && rest.length === 1 && rest[0] === "--events") {
      const pseudonyms = await pseudonymizer(env);
      const encoder = new TextEncoder();
      const skipped = await pseudonymiseEvents(
        pseudonyms,
        Deno.stdin.readable,
        async (line) => {
          const bytes = encoder.encode(line);
          for (let written = 0; written < bytes.length;) {
            written += await Deno.stdout.write(bytes.subarray(written));
          }
        },
        (message) => console.error(message),
      );
      return skipped.length === 0 ? 0 : 1;
    }
    if (command === "pseudonymise" && rest.length > 0 && !rest.some((arg) => arg.startsWith("--"))) {
      const pseudonyms = await pseudonymizer(env);
      for (const id of rest) console.log(await pseudonyms.pseudonymise(id));
      return 0;
    }
  } catch (error) {
    if (error instanceof ConfigError || error instanceof RangeError) {
      console.error(error.message);
      return 2;
    }
    throw error;
  }
  console.error(USAGE);
  return 2;
}

if (import.meta.main) Deno.exit(await main(Deno.args));
