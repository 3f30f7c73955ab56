/**
 * Reads and writes CSV in the Santander Product Recommendation layout: the
 * 24 profile columns, optionally followed by the 24 product flags. Real files
 * are messy (quoted province names with commas, space-padded numbers, `NA`,
 * `0.0` flags, rows without demographics); the reader normalises them and
 * skips only rows it cannot use, each with a line number and a reason.
 *
 * @module
 */

import { SANTANDER_PRODUCTS } from "../model/products.ts";
import { csvLine, CsvReader, type CsvRecord } from "./_csv.ts";
import type { MonthlyRow, SantanderProfile } from "./types.ts";

/** The 24 profile columns, in file order. */
export const SANTANDER_PROFILE_COLUMNS = [
  "fecha_dato",
  "ncodpers",
  "ind_empleado",
  "pais_residencia",
  "sexo",
  "age",
  "fecha_alta",
  "ind_nuevo",
  "antiguedad",
  "indrel",
  "ult_fec_cli_1t",
  "indrel_1mes",
  "tiprel_1mes",
  "indresi",
  "indext",
  "conyuemp",
  "canal_entrada",
  "indfall",
  "tipodom",
  "cod_prov",
  "nomprov",
  "ind_actividad_cliente",
  "renta",
  "segmento",
] as const satisfies readonly (keyof SantanderProfile)[];

/** The 24 product flag columns, in file order. */
export const SANTANDER_PRODUCT_COLUMNS: readonly string[] = SANTANDER_PRODUCTS.map((p) => p.code);

/** The full 48-column header of a training file. */
export const SANTANDER_COLUMNS: readonly string[] = [
  ...SANTANDER_PROFILE_COLUMNS,
  ...SANTANDER_PRODUCT_COLUMNS,
];

/** A row the reader could not use. */
export interface SkippedRow {
  line: number;
  reason: string;
}

/** The outcome of {@linkcode parseSantanderCsv}. */
export type SantanderCsvResult =
  | { ok: true; rows: MonthlyRow[]; skipped: SkippedRow[]; hasProducts: boolean }
  | { ok: false; reason: string };

// Columns holding integers that real files sometimes write as floats ("24.0").
const INTEGER_COLUMNS: ReadonlySet<string> = new Set([
  "age",
  "ind_nuevo",
  "antiguedad",
  "indrel",
  "indrel_1mes",
  "tipodom",
  "cod_prov",
  "ind_actividad_cliente",
]);
const MISSING: ReadonlySet<string> = new Set(["NA", "NaN", "nan", "NULL", "null"]);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const FLOAT_INTEGER = /^(-?\d+)\.0*$/;

/** Cleans one raw field: trims padding, maps `NA` to "", and `24.0` to `24` in integer columns. */
export function normalizeField(column: string, raw: string): string {
  const value = raw.trim();
  if (MISSING.has(value)) return "";
  if (INTEGER_COLUMNS.has(column)) {
    const match = FLOAT_INTEGER.exec(value);
    if (match) return String(Number(match[1]));
  }
  return value;
}

function emptyProducts(): Record<string, 0 | 1> {
  const products: Record<string, 0 | 1> = {};
  for (const column of SANTANDER_PRODUCT_COLUMNS) products[column] = 0;
  return products;
}

/**
 * Parses a Santander-layout CSV text. The header must hold every profile
 * column; product columns are all-or-nothing (a profiles-only file yields
 * rows with every product 0). Extra columns are ignored.
 */
export function parseSantanderCsv(text: string): SantanderCsvResult {
  if (typeof text !== "string" || text.length === 0) return { ok: false, reason: "Empty file" };
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const reader = new CsvReader();
  const records = reader.push(body);
  const end = reader.finish();
  records.push(...end.records);
  if (records.length === 0) return { ok: false, reason: "Empty file" };
  const header = records[0].fields.map((name) => name.trim().replace(/^"|"$/g, ""));
  const index = new Map<string, number>();
  header.forEach((name, i) => index.set(name, i));
  const missingProfile = SANTANDER_PROFILE_COLUMNS.filter((c) => !index.has(c));
  if (missingProfile.length > 0) {
    return {
      ok: false,
      reason: `Header is missing ${missingProfile.length} Santander column(s): ${missingProfile.join(", ")}`,
    };
  }
  const presentProducts = SANTANDER_PRODUCT_COLUMNS.filter((c) => index.has(c));
  const hasProducts = presentProducts.length > 0;
  if (hasProducts && presentProducts.length < SANTANDER_PRODUCT_COLUMNS.length) {
    const missing = SANTANDER_PRODUCT_COLUMNS.filter((c) => !index.has(c));
    return {
      ok: false,
      reason: `Header is missing ${missing.length} product column(s): ${missing.join(", ")}`,
    };
  }
  const rows: MonthlyRow[] = [];
  const skipped: SkippedRow[] = [];
  for (let r = 1; r < records.length; r++) {
    const parsed = parseRecord(records[r], header.length, index, hasProducts);
    if (typeof parsed === "string") skipped.push({ line: records[r].line, reason: parsed });
    else rows.push(parsed);
  }
  if (!end.ok) skipped.push({ line: end.line, reason: end.reason });
  return { ok: true, rows, skipped, hasProducts };
}

function parseRecord(
  record: CsvRecord,
  width: number,
  index: Map<string, number>,
  hasProducts: boolean,
): MonthlyRow | string {
  const fields = record.fields;
  if (fields.length !== width) return `Expected ${width} fields, found ${fields.length}`;
  const row = { products: emptyProducts() } as MonthlyRow;
  for (const column of SANTANDER_PROFILE_COLUMNS) {
    row[column] = normalizeField(column, fields[index.get(column)!]);
  }
  if (!DATE.test(row.fecha_dato)) return `Bad fecha_dato ${JSON.stringify(row.fecha_dato.slice(0, 20))}`;
  if (!/^\d{1,12}$/.test(row.ncodpers)) return `Bad ncodpers ${JSON.stringify(row.ncodpers.slice(0, 20))}`;
  if (row.age !== "" && !/^\d{1,3}$/.test(row.age)) return `Bad age ${JSON.stringify(row.age.slice(0, 20))}`;
  if (row.renta !== "" && !(Number(row.renta) >= 0)) {
    return `Bad renta ${JSON.stringify(row.renta.slice(0, 20))}`;
  }
  if (hasProducts) {
    for (const column of SANTANDER_PRODUCT_COLUMNS) {
      const raw = normalizeField(column, fields[index.get(column)!]);
      if (raw === "") continue; // NA flags count as not held, as in the Kaggle baselines
      const value = Number(raw);
      if (value !== 0 && value !== 1) return `Bad product flag ${column}=${JSON.stringify(raw.slice(0, 20))}`;
      row.products[column] = value;
    }
  }
  return row;
}

/** Serialises rows with the full 48-column header, re-readable by {@linkcode parseSantanderCsv}. */
export function formatSantanderCsv(rows: Iterable<MonthlyRow>): string {
  const lines = [SANTANDER_COLUMNS.join(",")];
  for (const row of rows) lines.push(santanderCsvLine(row));
  return lines.join("\n") + "\n";
}

/** One data line (no terminator) in the 48-column layout. */
export function santanderCsvLine(row: MonthlyRow): string {
  const fields: string[] = [];
  for (const column of SANTANDER_PROFILE_COLUMNS) fields.push(row[column]);
  for (const column of SANTANDER_PRODUCT_COLUMNS) fields.push(String(row.products[column] ?? 0));
  return csvLine(fields);
}
