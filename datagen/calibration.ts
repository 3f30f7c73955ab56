/**
 * Statistics of the real Santander sample that the bank generator draws
 * from: segment shares, per-segment age, tenure, income and channel
 * distributions, provinces, which products are held together and how often
 * products are added or dropped month to month.
 *
 * {@linkcode loadCalibration} reads the sample files at generation time; when
 * they are absent it falls back to {@linkcode EMBEDDED_CALIBRATION}, the same
 * statistics computed once from those files and committed.
 *
 * @module
 */

import { EMBEDDED_CALIBRATION } from "./_calibration_embedded.ts";
import { parseSantanderCsv, SANTANDER_PRODUCT_COLUMNS } from "./santander_csv.ts";
import type { MonthlyRow } from "./types.ts";

export { EMBEDDED_CALIBRATION };

/** The Santander segments, as the files spell them. */
export const SEGMENTS = ["01 - TOP", "02 - PARTICULARES", "03 - UNIVERSITARIO"] as const;
/** One of {@linkcode SEGMENTS}. */
export type Segment = typeof SEGMENTS[number];

/** Distributions of one segment's demographics. */
export interface SegmentStats {
  /** 21 quantiles (0%, 5%, …, 100%) of age. */
  ageQuantiles: number[];
  /** 21 quantiles of `antiguedad` (months with the bank). */
  tenureQuantiles: number[];
  /** Lognormal fit of `renta` (natural log scale). */
  renta: { mu: number; sigma: number; missingRate: number };
  /** Share of `sexo = H`. */
  sexoH: number;
  /** Share with `ind_actividad_cliente = 1`. */
  activityRate: number;
  /** Share with `indext = S` (foreigner index). */
  indextRate: number;
  /** `canal_entrada` shares, largest first. */
  channels: [string, number][];
  /** Share of the first-month product patterns (24-char 0/1 strings). */
  patterns: [string, number][];
}

/** Everything the generator calibrates against. */
export interface Calibration {
  /** Where the numbers came from: `files` (read now) or `embedded`. */
  source: "files" | "embedded";
  /** Clients in the panel sample (train) and rows in the profiles sample. */
  sampleSizes: { panelClients: number; profileRows: number };
  /** Segment shares among the panel's clients (latest month). */
  segmentShares: Record<Segment, number>;
  segments: Record<Segment, SegmentStats>;
  /** `[cod_prov, nomprov, share]`, largest first. */
  provinces: [string, string, number][];
  /** Share of clients holding each product in their latest month. */
  holdingRates: Record<string, number>;
  /** P(both held) for each product pair, latest month; `coHolding[a][b]`. */
  coHolding: Record<string, Record<string, number>>;
  /** P(0 → 1) per product per month. */
  additionRates: Record<string, number>;
  /** P(1 → 0) per product per month. */
  removalRates: Record<string, number>;
}

const round = (x: number, digits = 4) => Number(x.toFixed(digits));

function quantiles(values: number[]): number[] {
  const sorted = values.slice().sort((a, b) => a - b);
  if (sorted.length === 0) return Array(21).fill(0);
  return Array.from(
    { length: 21 },
    (_, i) => sorted[Math.min(sorted.length - 1, Math.round(i / 20 * (sorted.length - 1)))],
  );
}

function shares(counts: Map<string, number>, minCount = 1): [string, number][] {
  let total = 0;
  for (const n of counts.values()) total += n;
  return [...counts.entries()]
    .filter(([, n]) => n >= minCount)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .map(([key, n]) => [key, round(n / total)]);
}

function bump(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function pattern(row: MonthlyRow): string {
  return SANTANDER_PRODUCT_COLUMNS.map((c) => row.products[c]).join("");
}

function segmentOf(row: MonthlyRow): Segment | undefined {
  return (SEGMENTS as readonly string[]).includes(row.segmento) ? row.segmento as Segment : undefined;
}

function segmentStats(demographics: MonthlyRow[], firstMonths: MonthlyRow[]): SegmentStats {
  const ages = demographics.map((r) => Number(r.age)).filter((a) => r_ok(a) && a > 0);
  const tenures = demographics.map((r) => Number(r.antiguedad)).filter((t) => r_ok(t) && t >= 0);
  const logs = demographics.filter((r) => r.renta !== "").map((r) => Math.log(Number(r.renta)));
  const mu = logs.reduce((s, x) => s + x, 0) / Math.max(1, logs.length);
  const sigma = Math.sqrt(logs.reduce((s, x) => s + (x - mu) ** 2, 0) / Math.max(1, logs.length - 1));
  const channels = new Map<string, number>();
  const patterns = new Map<string, number>();
  for (const r of demographics) if (r.canal_entrada !== "") bump(channels, r.canal_entrada);
  for (const r of firstMonths) bump(patterns, pattern(r));
  const n = Math.max(1, demographics.length);
  return {
    ageQuantiles: quantiles(ages),
    tenureQuantiles: quantiles(tenures),
    renta: { mu: round(mu), sigma: round(sigma), missingRate: round(1 - logs.length / n) },
    sexoH: round(demographics.filter((r) => r.sexo === "H").length / n),
    activityRate: round(demographics.filter((r) => r.ind_actividad_cliente === "1").length / n),
    indextRate: round(demographics.filter((r) => r.indext === "S").length / n),
    channels: shares(channels, 2),
    patterns: shares(patterns),
  };
}

function r_ok(x: number): boolean {
  return Number.isFinite(x);
}

/**
 * Computes the calibration from parsed rows: `panel` is a monthly panel with
 * products (train_sample.csv), `profiles` a one-month profiles file.
 */
export function computeCalibration(panel: MonthlyRow[], profiles: MonthlyRow[]): Calibration {
  const byClient = new Map<string, MonthlyRow[]>();
  for (const row of panel) {
    const list = byClient.get(row.ncodpers);
    if (list) list.push(row);
    else byClient.set(row.ncodpers, [row]);
  }
  const latest: MonthlyRow[] = [];
  const first: MonthlyRow[] = [];
  const added = new Map<string, number>();
  const removed = new Map<string, number>();
  const heldBefore = new Map<string, number>();
  const notHeldBefore = new Map<string, number>();
  for (const rows of byClient.values()) {
    rows.sort((a, b) => a.fecha_dato < b.fecha_dato ? -1 : a.fecha_dato > b.fecha_dato ? 1 : 0);
    latest.push(rows[rows.length - 1]);
    first.push(rows[0]);
    for (let i = 1; i < rows.length; i++) {
      for (const c of SANTANDER_PRODUCT_COLUMNS) {
        const before = rows[i - 1].products[c], after = rows[i].products[c];
        if (before === 1) {
          bump(heldBefore, c);
          if (after === 0) bump(removed, c);
        } else {
          bump(notHeldBefore, c);
          if (after === 1) bump(added, c);
        }
      }
    }
  }
  const segmentCounts = new Map<string, number>();
  for (const row of latest) bump(segmentCounts, segmentOf(row) ?? "02 - PARTICULARES");
  const segmentShares = {} as Record<Segment, number>;
  const segments = {} as Record<Segment, SegmentStats>;
  const demographics = [...latest, ...profiles];
  for (const segment of SEGMENTS) {
    segmentShares[segment] = round((segmentCounts.get(segment) ?? 0) / Math.max(1, latest.length));
    segments[segment] = segmentStats(
      demographics.filter((r) => r.segmento === segment),
      first.filter((r) => (segmentOf(r) ?? "02 - PARTICULARES") === segment),
    );
  }
  const provinceCounts = new Map<string, number>();
  for (const r of demographics) {
    if (r.cod_prov !== "" && r.nomprov !== "") bump(provinceCounts, `${r.cod_prov}|${r.nomprov}`);
  }
  const provinces = shares(provinceCounts).map(([key, share]) => {
    const [code, name] = key.split("|");
    return [code, name, share] as [string, string, number];
  });
  const holdingRates: Record<string, number> = {};
  const coHolding: Record<string, Record<string, number>> = {};
  const additionRates: Record<string, number> = {};
  const removalRates: Record<string, number> = {};
  const n = Math.max(1, latest.length);
  for (const a of SANTANDER_PRODUCT_COLUMNS) {
    holdingRates[a] = round(latest.filter((r) => r.products[a] === 1).length / n);
    coHolding[a] = {};
    for (const b of SANTANDER_PRODUCT_COLUMNS) {
      coHolding[a][b] = round(latest.filter((r) => r.products[a] === 1 && r.products[b] === 1).length / n);
    }
    additionRates[a] = round((added.get(a) ?? 0) / Math.max(1, notHeldBefore.get(a) ?? 0), 5);
    removalRates[a] = round((removed.get(a) ?? 0) / Math.max(1, heldBefore.get(a) ?? 0), 5);
  }
  return {
    source: "files",
    sampleSizes: { panelClients: byClient.size, profileRows: profiles.length },
    segmentShares,
    segments,
    provinces,
    holdingRates,
    coHolding,
    additionRates,
    removalRates,
  };
}

/** The sample directory beside the repository: `../shared/data/santander/`. */
export const DEFAULT_SAMPLE_DIR: URL = new URL("../../shared/data/santander/", import.meta.url);

const cache = new Map<string, Calibration>();

/**
 * The synchronous twin of {@linkcode loadCalibration}, cached per directory:
 * falls back to {@linkcode EMBEDDED_CALIBRATION} when the files cannot be
 * read (absent, or no read permission).
 */
export function loadCalibrationSync(dir: URL | string = DEFAULT_SAMPLE_DIR): Calibration {
  const key = String(dir);
  const cached = cache.get(key);
  if (cached) return cached;
  let calibration = EMBEDDED_CALIBRATION;
  try {
    const panel = parseSantanderCsv(Deno.readTextFileSync(sampleFile(dir, "train_sample.csv")));
    const profiles = parseSantanderCsv(Deno.readTextFileSync(sampleFile(dir, "profiles_sample.csv")));
    if (panel.ok && profiles.ok && panel.rows.length > 0) {
      calibration = computeCalibration(panel.rows, profiles.rows);
    }
  } catch {
    // Missing files or no permission: the embedded statistics are the same numbers.
  }
  cache.set(key, calibration);
  return calibration;
}

function sampleFile(dir: URL | string, name: string): URL | string {
  return typeof dir === "string"
    ? `${dir.replace(/\/+$/, "")}/${name}`
    : new URL(name, dir.href.endsWith("/") ? dir : dir.href + "/");
}

/**
 * Reads `train_sample.csv` and `profiles_sample.csv` from `dir` and computes
 * the calibration; falls back to {@linkcode EMBEDDED_CALIBRATION} when either
 * file is missing, unreadable or unparseable.
 */
export async function loadCalibration(dir: URL | string = DEFAULT_SAMPLE_DIR): Promise<Calibration> {
  try {
    const [train, profiles] = await Promise.all([
      Deno.readTextFile(sampleFile(dir, "train_sample.csv")),
      Deno.readTextFile(sampleFile(dir, "profiles_sample.csv")),
    ]);
    const panel = parseSantanderCsv(train);
    const profileRows = parseSantanderCsv(profiles);
    if (!panel.ok || !profileRows.ok || panel.rows.length === 0) return EMBEDDED_CALIBRATION;
    return computeCalibration(panel.rows, profileRows.rows);
  } catch {
    return EMBEDDED_CALIBRATION;
  }
}
