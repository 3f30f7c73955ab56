/**
 * Splits one flush into transactions: snapshots in chunks ordered by
 * partition, and each partition's watermark in the same transaction as that
 * partition's last snapshots, so a watermark is never durable before the
 * snapshots it covers.
 *
 * @module
 */

/** One transaction's share of a flush. */
export interface FlushChunk<T> {
  items: T[];
  watermarks: { partition: number; nextOffset: number }[];
  /** Partitions the transaction touches (for lease fencing). */
  partitions: number[];
}

/** Plans the transactions of a flush. Items are reordered by partition. */
export function planFlushChunks<T extends { partition: number }>(
  items: T[],
  watermarks: ReadonlyMap<number, number>,
  chunkSize: number,
): FlushChunk<T>[] {
  if (chunkSize < 1) throw new RangeError("chunkSize must be at least 1");
  const sorted = [...items].sort((a, b) => a.partition - b.partition);
  const chunks: FlushChunk<T>[] = [];
  const lastChunkOf = new Map<number, number>();
  for (let i = 0; i < sorted.length; i += chunkSize) {
    const slice = sorted.slice(i, i + chunkSize);
    for (const item of slice) lastChunkOf.set(item.partition, chunks.length);
    chunks.push({ items: slice, watermarks: [], partitions: [] });
  }
  if (chunks.length === 0) {
    if (watermarks.size === 0) return [];
    chunks.push({ items: [], watermarks: [], partitions: [] });
  }
  for (const [partition, nextOffset] of watermarks) {
    chunks[lastChunkOf.get(partition) ?? chunks.length - 1].watermarks.push({ partition, nextOffset });
  }
  for (const chunk of chunks) {
    const partitions = new Set(chunk.items.map((item) => item.partition));
    for (const { partition } of chunk.watermarks) partitions.add(partition);
    chunk.partitions = [...partitions].sort((a, b) => a - b);
  }
  return chunks;
}
