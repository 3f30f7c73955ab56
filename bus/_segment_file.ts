/**
 * The on-disk state of `LocalLog`: one segment file per topic-partition and
 * the committed offsets in `offsets.json`.
 *
 * A segment is an append-only file of newline-delimited JSON. The first line is a header `{"base":N}` holding the
 * absolute offset of the first record; each further line is one record
 * `{"k":key,"v":value,"h":headers}`, so a record's offset is `base` plus its
 * line index.
 *
 * @module
 */

/** A record as stored in a segment file. */
export interface StoredRecord {
  k: string | null;
  /** Null for a tombstone. */
  v: string | null;
  h: Record<string, string>;
}

/** What {@linkcode SegmentFile.open} found on disk. */
export interface LoadedSegment {
  file: SegmentFile;
  baseOffset: number;
  records: StoredRecord[];
}

const NEWLINE = 0x0a;
const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Serializes one record as a line of a segment file. */
export function encodeRecord(record: StoredRecord): string {
  return JSON.stringify(record) + "\n";
}

function isStoredRecord(x: unknown): x is StoredRecord {
  if (typeof x !== "object" || x === null) return false;
  const r = x as Record<string, unknown>;
  return (r.k === null || typeof r.k === "string") && (r.v === null || typeof r.v === "string") &&
    typeof r.h === "object" && r.h !== null && !Array.isArray(r.h);
}

/** Writes `path` atomically: a synced temp file renamed over it. */
export async function writeFileAtomic(
  path: string,
  data: string,
): Promise<void> {
  const temp = `${path}.tmp`;
  const file = await Deno.open(temp, {
    write: true,
    create: true,
    truncate: true,
  });
  try {
    const bytes = encoder.encode(data);
    for (let written = 0; written < bytes.length;) {
      written += await file.write(bytes.subarray(written));
    }
    await file.syncData();
  } finally {
    file.close();
  }
  await Deno.rename(temp, path);
}

/** An open segment file that appends durably. */
export class SegmentFile {
  #file: Deno.FsFile;
  #size: number;

  private constructor(file: Deno.FsFile, size: number) {
    this.#file = file;
    this.#size = size;
  }

  /**
   * Opens (or creates) the segment at `path`. A torn last line from a crash is
   * dropped. Records before `keepFrom` are compacted away, keeping absolute
   * offsets by raising the header's base.
   */
  static async open(path: string, keepFrom: number): Promise<LoadedSegment> {
    let bytes: Uint8Array | null = null;
    try {
      bytes = await Deno.readFile(path);
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    let baseOffset = 0;
    const records: StoredRecord[] = [];
    // A missing file, a missing header or a torn tail all mean: rewrite it.
    let rewrite = true;
    if (bytes !== null) {
      // Everything after the last newline is a torn write; cut it off.
      const complete = bytes.lastIndexOf(NEWLINE) + 1;
      const lines = decoder.decode(bytes.subarray(0, complete)).split("\n");
      lines.pop();
      if (lines.length > 0) {
        baseOffset = parseHeader(lines[0], path);
        rewrite = complete !== bytes.length;
      }
      for (let i = 1; i < lines.length; i++) {
        let record: unknown;
        try {
          record = JSON.parse(lines[i]);
        } catch {
          record = undefined;
        }
        if (isStoredRecord(record)) {
          records.push(record);
        } else if (i === lines.length - 1) {
          rewrite = true; // a torn tail that happened to end in a newline
        } else {
          throw new Error(`Corrupt record at line ${i + 1} of ${path}`);
        }
      }
    }
    const end = baseOffset + records.length;
    const newBase = Math.min(Math.max(keepFrom, baseOffset), end);
    if (rewrite || newBase > baseOffset) {
      const kept = records.slice(newBase - baseOffset);
      await writeFileAtomic(
        path,
        `{"base":${newBase}}\n` + kept.map(encodeRecord).join(""),
      );
      const file = await Deno.open(path, { append: true });
      return {
        file: new SegmentFile(file, encodedLength(newBase, kept)),
        baseOffset: newBase,
        records: kept,
      };
    }
    const file = await Deno.open(path, { append: true });
    return { file: new SegmentFile(file, bytes!.length), baseOffset, records };
  }

  /** Appends `data` and resolves once it is on disk (`fdatasync`). */
  async append(data: string): Promise<void> {
    const bytes = encoder.encode(data);
    const before = this.#size;
    try {
      for (let written = 0; written < bytes.length;) {
        written += await this.#file.write(bytes.subarray(written));
      }
      await this.#file.syncData();
      this.#size = before + bytes.length;
    } catch (error) {
      // Cut any partial write so the next append starts on a line boundary.
      await this.#file.truncate(before);
      throw error;
    }
  }

  /** Drops everything appended after the file was `size` bytes long. */
  async truncate(size: number): Promise<void> {
    await this.#file.truncate(size);
    await this.#file.syncData();
    this.#size = size;
  }

  /** Current length in bytes. */
  get size(): number {
    return this.#size;
  }

  close(): void {
    this.#file.close();
  }
}

function parseHeader(line: string, path: string): number {
  let base: unknown;
  try {
    base = JSON.parse(line)?.base;
  } catch {
    base = undefined;
  }
  if (!Number.isSafeInteger(base) || (base as number) < 0) {
    throw new Error(`Bad segment header in ${path}`);
  }
  return base as number;
}

function encodedLength(baseOffset: number, records: StoredRecord[]): number {
  let length = encoder.encode(`{"base":${baseOffset}}\n`).length;
  for (const record of records) {
    length += encoder.encode(encodeRecord(record)).length;
  }
  return length;
}

/** Committed offsets per (topic, partition, group), persisted in `offsets.json`. */
export class CommittedOffsets {
  #path: string | null;
  // "topic:partition" -> groupId -> next offset; topic names cannot hold ":".
  #offsets = new Map<string, Map<string, number>>();
  #next: Promise<void> | null = null;
  #running: Promise<void> = Promise.resolve();

  private constructor(path: string | null) {
    this.#path = path;
  }

  /** Loads `dir/offsets.json`, or starts empty (and in memory when `dir` is null). */
  static async load(dir: string | null): Promise<CommittedOffsets> {
    const store = new CommittedOffsets(
      dir === null ? null : `${dir}/offsets.json`,
    );
    if (store.#path === null) return store;
    try {
      const entries = JSON.parse(await Deno.readTextFile(store.#path));
      for (const [groupId, topic, partition, offset] of entries) {
        store.set(topic, partition, groupId, offset);
      }
    } catch (error) {
      if (!(error instanceof Deno.errors.NotFound)) throw error;
    }
    return store;
  }

  get(topic: string, partition: number, groupId: string): number | undefined {
    return this.#offsets.get(`${topic}:${partition}`)?.get(groupId);
  }

  set(topic: string, partition: number, groupId: string, offset: number): void {
    const key = `${topic}:${partition}`;
    let groups = this.#offsets.get(key);
    if (groups === undefined) this.#offsets.set(key, groups = new Map());
    groups.set(groupId, offset);
  }

  /** The lowest offset any group committed on the partition, if any did. */
  min(topic: string, partition: number): number | undefined {
    const groups = this.#offsets.get(`${topic}:${partition}`);
    if (groups === undefined || groups.size === 0) return undefined;
    return Math.min(...groups.values());
  }

  /**
   * Persists atomically. Calls made while a write runs share the next write,
   * so a burst of commits costs two file rewrites, not one each.
   */
  save(): Promise<void> {
    if (this.#path === null) return Promise.resolve();
    if (this.#next !== null) return this.#next;
    const path = this.#path;
    const write = this.#running.catch(() => {}).then(() => {
      this.#next = null;
      const entries: [string, string, number, number][] = [];
      for (const [key, groups] of this.#offsets) {
        const split = key.lastIndexOf(":");
        const topic = key.slice(0, split);
        const partition = Number(key.slice(split + 1));
        for (const [groupId, offset] of groups) {
          entries.push([groupId, topic, partition, offset]);
        }
      }
      return writeFileAtomic(path, JSON.stringify(entries));
    });
    this.#next = write;
    this.#running = write;
    return write;
  }

  /** Resolves once no write is running. */
  async settled(): Promise<void> {
    await this.#running.catch(() => {});
  }
}
