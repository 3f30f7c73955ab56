/**
 * A bounded string intern table. Categories, brands and channels repeat
 * across millions of actors; sharing one copy of each keeps idle actors small.
 *
 * @module
 */

const MAX_INTERNED = 200_000;
const table = new Map<string, string>();

/** Returns the shared copy of `text`, or `text` itself once the table is full. */
export function intern(text: string): string {
  const shared = table.get(text);
  if (shared !== undefined) return shared;
  if (table.size < MAX_INTERNED) table.set(text, text);
  return text;
}
