/**
 * RFC 4180 CSV parsing: comma separated, optional double quotes (`""` escapes a quote), LF or CRLF.
 *
 * @module
 */

/** A parsed CSV: the header and the data rows, each with its 1-based line number. */
export interface CsvTable {
  header: string[];
  rows: string[][];
  lines: number[];
}

/** Parse result; a failure names the line. */
export type CsvParseResult = { ok: true; table: CsvTable } | { ok: false; reason: string };

/** Parses CSV text; rows must have as many fields as the header, blank lines are skipped. */
export function parseCsv(text: string): CsvParseResult {
  const records: string[][] = [];
  const lines: number[] = [];
  let field = "";
  let record: string[] = [];
  let line = 1;
  let recordLine = 1;
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    record.push(field);
    field = "";
    if (!(record.length === 1 && record[0] === "")) {
      records.push(record);
      lines.push(recordLine);
    }
    record = [];
  };
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (ch === "\n") line++;
        field += ch;
      }
    } else if (ch === '"' && field === "") quoted = true;
    else if (ch === ",") {
      record.push(field);
      field = "";
    } else if (ch === "\n" || ch === "\r") {
      if (ch === "\r" && text[i + 1] === "\n") i++;
      endRecord();
      line++;
      recordLine = line;
    } else field += ch;
  }
  if (quoted) return { ok: false, reason: `Unterminated quoted field starting on line ${recordLine}` };
  if (field !== "" || record.length > 0) endRecord();
  if (records.length === 0) return { ok: false, reason: "The file is empty" };
  const header = records[0].map((h) => h.trim());
  for (let r = 1; r < records.length; r++) {
    if (records[r].length !== header.length) {
      return {
        ok: false,
        reason: `Line ${lines[r]} has ${records[r].length} fields but the header has ${header.length}`,
      };
    }
  }
  return { ok: true, table: { header, rows: records.slice(1), lines: lines.slice(1) } };
}

/** Quotes a CSV field when needed. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}
