/**
 * A vault with fixed keys for tests that write users or chat turns.
 *
 * @module
 */

import { PiiCipher } from "./pii_cipher.ts";
import { PiiVault } from "./pii_vault.ts";
import { Pseudonymizer } from "./pseudonym.ts";

/** A vault sealing with key `t1` (bytes 0x11…) and hashing with a fixed pseudonym key. */
export async function testVault(): Promise<PiiVault> {
  return new PiiVault(
    await PiiCipher.create([{ id: "t1", key: new Uint8Array(32).fill(0x11) }]),
    await Pseudonymizer.create("test-pseudonym-key-0123456789"),
  );
}
