/**
 * The "uplift on any CSV" contract: a header row, a 0/1 treatment column, a 0/1 outcome column, and every
 * other column a feature whose kind is detected from the data.
 *
 * - Missing cells: empty, `NA`, `NaN`, `null` (any case). Numeric missing becomes NaN, which the trees route.
 * - A column is numeric when at least 95% of its non-missing cells parse as finite numbers (the rest → NaN).
 * - Categorical columns with ≤ 20 levels are one-hot encoded (one 0/1 feature per level); with more they are
 *   frequency encoded (share of training rows with that level). Missing and unseen levels become NaN.
 * The encoders are plain JSON and are saved with the model so prediction files are encoded the same way.
 *
 * @module
 */

import { type CsvTable, parseCsv } from "./csv.ts";
import type { UpliftData } from "./learners.ts";

/** Files larger than this are refused. */
export const MAX_CSV_BYTES = 500 * 1024 * 1024;
/** Each arm needs at least this many rows. */
export const MIN_ROWS_PER_ARM = 20;
/** Categorical columns with at most this many levels are one-hot encoded. */
export const MAX_ONE_HOT_LEVELS = 20;

/** How one source column becomes features. */
export type ColumnEncoder =
  | { kind: "numeric"; name: string }
  | { kind: "one_hot"; name: string; levels: string[] }
  | { kind: "frequency"; name: string; frequencies: Record<string, number> };

/** The feature layout learned from a training file. */
export interface TableEncoders {
  columns: ColumnEncoder[];
  featureNames: string[];
}

/** A result that either holds `value` or says why not. */
export type TableResult<T> = { ok: true; value: T } | { ok: false; reason: string };

const MISSING = new Set(["", "na", "nan", "null", "n/a"]);

/** True for the cells that count as missing. */
export function isMissing(cell: string): boolean {
  return MISSING.has(cell.trim().toLowerCase());
}

function toNumber(cell: string): number {
  const n = Number(cell.trim());
  return Number.isFinite(n) ? n : NaN;
}

/** Reads a CSV file after checking its size. */
export async function readCsvFile(path: string): Promise<TableResult<CsvTable>> {
  let size: number;
  try {
    size = (await Deno.stat(path)).size;
  } catch {
    return { ok: false, reason: `Cannot read ${path}` };
  }
  if (size > MAX_CSV_BYTES) return { ok: false, reason: `${path} is larger than 500 MB` };
  if (size === 0) return { ok: false, reason: `${path} is empty` };
  const parsed = parseCsv(await Deno.readTextFile(path));
  return parsed.ok ? { ok: true, value: parsed.table } : { ok: false, reason: `${path}: ${parsed.reason}` };
}

/** Learns encoders for every column except `exclude`. */
export function fitEncoders(table: CsvTable, exclude: readonly string[]): TableResult<TableEncoders> {
  const columns: ColumnEncoder[] = [];
  const featureNames: string[] = [];
  table.header.forEach((name, c) => {
    if (exclude.includes(name)) return;
    let present = 0;
    let numeric = 0;
    const counts = new Map<string, number>();
    for (const row of table.rows) {
      const cell = row[c];
      if (isMissing(cell)) continue;
      present++;
      if (!Number.isNaN(toNumber(cell))) numeric++;
      const level = cell.trim();
      counts.set(level, (counts.get(level) ?? 0) + 1);
    }
    if (present === 0 || numeric >= 0.95 * present) {
      columns.push({ kind: "numeric", name });
      featureNames.push(name);
    } else if (counts.size <= MAX_ONE_HOT_LEVELS) {
      const levels = [...counts.keys()].sort();
      columns.push({ kind: "one_hot", name, levels });
      featureNames.push(...levels.map((l) => `${name}=${l}`));
    } else {
      const frequencies: Record<string, number> = {};
      for (const [level, n] of counts) frequencies[level] = n / table.rows.length;
      columns.push({ kind: "frequency", name, frequencies });
      featureNames.push(`${name}:frequency`);
    }
  });
  if (columns.length === 0) return { ok: false, reason: "No feature columns besides treatment and outcome" };
  return { ok: true, value: { columns, featureNames } };
}

/** Encodes a table's rows with fitted encoders into row-major float32 features. */
export function encodeTable(encoders: TableEncoders, table: CsvTable): TableResult<Float32Array> {
  const index = new Map(table.header.map((h, i) => [h, i]));
  for (const col of encoders.columns) {
    if (!index.has(col.name)) return { ok: false, reason: `Column ${col.name} is missing` };
  }
  const nCols = encoders.featureNames.length;
  const out = new Float32Array(table.rows.length * nCols);
  table.rows.forEach((row, r) => {
    let f = r * nCols;
    for (const col of encoders.columns) {
      const cell = row[index.get(col.name)!];
      const missing = isMissing(cell);
      if (col.kind === "numeric") out[f++] = missing ? NaN : toNumber(cell);
      else if (col.kind === "frequency") out[f++] = missing ? NaN : col.frequencies[cell.trim()] ?? NaN;
      else {
        const at = missing ? -1 : col.levels.indexOf(cell.trim());
        for (let l = 0; l < col.levels.length; l++) out[f++] = at < 0 ? NaN : l === at ? 1 : 0;
      }
    }
  });
  return { ok: true, value: out };
}

function binaryColumn(table: CsvTable, name: string, role: string): TableResult<Uint8Array> {
  const c = table.header.indexOf(name);
  if (c < 0) return { ok: false, reason: `${role} column ${name} is not in the header` };
  const values = new Uint8Array(table.rows.length);
  for (let r = 0; r < table.rows.length; r++) {
    const cell = table.rows[r][c].trim();
    const v = Number(cell);
    if (cell === "" || (v !== 0 && v !== 1)) {
      return {
        ok: false,
        reason: `${role} column ${name} has "${cell}" on line ${table.lines[r]} but must be 0 or 1`,
      };
    }
    values[r] = v;
  }
  return { ok: true, value: values };
}

/** A training file turned into trial data plus the encoders that produced it. */
export interface TrainingTable {
  data: UpliftData;
  encoders: TableEncoders;
}

/** Validates and encodes a training table with the given treatment and outcome columns. */
export function trainingTable(
  table: CsvTable,
  treatment: string,
  outcome: string,
): TableResult<TrainingTable> {
  if (table.rows.length === 0) return { ok: false, reason: "The file has a header but no rows" };
  if (treatment === outcome) return { ok: false, reason: "Treatment and outcome must be different columns" };
  const t = binaryColumn(table, treatment, "Treatment");
  if (!t.ok) return t;
  const y = binaryColumn(table, outcome, "Outcome");
  if (!y.ok) return y;
  const treated = t.value.reduce((s, v) => s + v, 0);
  const control = table.rows.length - treated;
  if (treated < MIN_ROWS_PER_ARM || control < MIN_ROWS_PER_ARM) {
    return {
      ok: false,
      reason: `Need at least ${MIN_ROWS_PER_ARM} rows per arm, got ${treated} treated and ${control} control`,
    };
  }
  const encoders = fitEncoders(table, [treatment, outcome]);
  if (!encoders.ok) return encoders;
  const features = encodeTable(encoders.value, table);
  if (!features.ok) return features;
  const nCols = encoders.value.featureNames.length;
  return {
    ok: true,
    value: {
      data: {
        features: features.value,
        nRows: table.rows.length,
        nCols,
        treatment: t.value,
        outcome: y.value,
      },
      encoders: encoders.value,
    },
  };
}
