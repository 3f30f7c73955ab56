/**
 * A small RFC 4180 CSV reader that takes text in chunks (so a file can be
 * streamed) and yields records with the line they started on. Quoted fields
 * may hold commas, doubled quotes and line breaks; CRLF and LF both end a
 * record.
 *
 * @module
 */

/** One parsed record. */
export interface CsvRecord {
  /** 1-based line number where the record starts. */
  line: number;
  fields: string[];
}

/** The end of input: either clean, or an unterminated quoted field. */
export type CsvFinish =
  | { ok: true; records: CsvRecord[] }
  | { ok: false; records: CsvRecord[]; line: number; reason: string };

/** Streaming CSV state machine: feed chunks with `push`, then call `finish`. */
export class CsvReader {
  #fields: string[] = [];
  #field = "";
  #inQuotes = false;
  #quoteSeen = false;
  #pendingCr = false;
  #line = 1;
  #recordLine = 1;
  #recordStarted = false;

  /** Parses a chunk and returns the records it completed. */
  push(chunk: string): CsvRecord[] {
    const out: CsvRecord[] = [];
    let field = this.#field;
    for (let i = 0; i < chunk.length; i++) {
      const ch = chunk[i];
      if (this.#pendingCr) {
        this.#pendingCr = false;
        if (ch === "\n") continue;
      }
      if (this.#inQuotes) {
        if (ch === '"') {
          if (chunk[i + 1] === '"') {
            field += '"';
            i++;
          } else if (i + 1 === chunk.length) {
            // A quote at the chunk's end: decide on the next chunk.
            this.#inQuotes = false;
            this.#quoteSeen = true;
          } else {
            this.#inQuotes = false;
          }
        } else {
          if (ch === "\n") this.#line++;
          field += ch;
        }
        continue;
      }
      if (this.#quoteSeen) {
        this.#quoteSeen = false;
        if (ch === '"') {
          field += '"';
          this.#inQuotes = true;
          continue;
        }
      }
      if (ch === '"' && field.length === 0) {
        this.#inQuotes = true;
        this.#recordStarted = true;
      } else if (ch === ",") {
        this.#fields.push(field);
        field = "";
        this.#recordStarted = true;
      } else if (ch === "\n" || ch === "\r") {
        if (ch === "\r") this.#pendingCr = true;
        if (this.#recordStarted || field.length > 0) {
          this.#fields.push(field);
          out.push({ line: this.#recordLine, fields: this.#fields });
        }
        this.#fields = [];
        field = "";
        this.#recordStarted = false;
        this.#line++;
        this.#recordLine = this.#line;
      } else {
        field += ch;
        this.#recordStarted = true;
      }
    }
    this.#field = field;
    return out;
  }

  /** Flushes the last record (a file need not end with a newline). */
  finish(): CsvFinish {
    const records: CsvRecord[] = [];
    if (this.#inQuotes) {
      return { ok: false, records, line: this.#recordLine, reason: "unterminated quoted field" };
    }
    if (this.#recordStarted || this.#field.length > 0) {
      this.#fields.push(this.#field);
      records.push({ line: this.#recordLine, fields: this.#fields });
    }
    this.#fields = [];
    this.#field = "";
    this.#recordStarted = false;
    return { ok: true, records };
  }
}

/** Parses a whole text at once. */
export function parseCsv(text: string): CsvFinish {
  const reader = new CsvReader();
  const records = reader.push(text);
  const end = reader.finish();
  return end.ok
    ? { ok: true, records: records.concat(end.records) }
    : { ok: false, records, line: end.line, reason: end.reason };
}

/** Quotes a field when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  if (/[",\r\n]/.test(value)) return `"${value.replaceAll('"', '""')}"`;
  return value;
}

/** Joins fields into one CSV line (no line terminator). */
export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(",");
}
