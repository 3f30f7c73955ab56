/**
 * Static demographics of one synthetic bank client, drawn from the real
 * sample's per-segment distributions, plus the hidden traits (driver, has
 * children, spending habit) that later show up in the operation history.
 *
 * @module
 */

import type { Calibration, Segment, SegmentStats } from "./calibration.ts";
import { SEGMENTS } from "./calibration.ts";
import type { Random } from "./random.ts";
import { SANTANDER_PRODUCT_COLUMNS } from "./santander_csv.ts";
import type { MonthlyRow } from "./types.ts";

/** A client's fixed traits. */
export interface ClientBase {
  ncodpers: string;
  segment: Segment;
  /** Age at `asOf`. */
  age: number;
  /** Months before `asOf` of the last birthday. */
  birthdayMonthsAgo: number;
  female: boolean;
  /** True annual income on the renta scale (known to the truth even when `renta` is missing). */
  income: number;
  rentaMissing: boolean;
  /** Months with the bank at `asOf`. */
  tenureMonths: number;
  channel: string;
  active: boolean;
  foreigner: boolean;
  province: [string, string];
  /** Holdings at the start of the history. */
  initialProducts: Record<string, 0 | 1>;
  driver: boolean;
  hasKids: boolean;
  spendRatio: number;
  digital: boolean;
  /** Monthly salary in rubles. */
  salaryRub: number;
}

/** Inverse CDF through 21 quantiles with linear interpolation. */
export function fromQuantiles(rng: Random, q: readonly number[]): number {
  const pos = rng.next() * (q.length - 1);
  const i = Math.floor(pos);
  const next = q[Math.min(q.length - 1, i + 1)];
  return q[i] + (next - q[i]) * (pos - i);
}

/** One entry drawn by its share (the entry's last element). */
function pickShare<E extends readonly unknown[]>(rng: Random, entries: readonly E[]): E {
  return entries[rng.categorical(entries.map((e) => e[e.length - 1] as number))];
}

function products(pattern: string): Record<string, 0 | 1> {
  const out: Record<string, 0 | 1> = {};
  SANTANDER_PRODUCT_COLUMNS.forEach((column, i) => out[column] = pattern[i] === "1" ? 1 : 0);
  return out;
}

/** Draws one client's static traits. */
export function sampleClientBase(rng: Random, calibration: Calibration, ncodpers: string): ClientBase {
  const segment = SEGMENTS[rng.categorical(SEGMENTS.map((s) => calibration.segmentShares[s]))];
  const stats: SegmentStats = calibration.segments[segment];
  // The sample has children with junior accounts; the demo base is adults only.
  const age = Math.max(18, Math.min(95, Math.round(fromQuantiles(rng, stats.ageQuantiles))));
  const income = Math.min(5e6, rng.lognormal(stats.renta.mu, stats.renta.sigma));
  const active = rng.bernoulli(stats.activityRate);
  const channel = stats.channels.length > 0 ? pickShare(rng, stats.channels)[0] : "KHE";
  const [provinceCode, provinceName] = pickShare(rng, calibration.provinces);
  const pattern = stats.patterns.length > 0 ? pickShare(rng, stats.patterns)[0] : "0010" + "0".repeat(20);
  const student = segment === "03 - UNIVERSITARIO";
  const ageDriverFactor = age < 23 ? 0.4 : age > 75 ? 0.5 : 1;
  return {
    ncodpers,
    segment,
    age,
    birthdayMonthsAgo: rng.int(0, 11),
    female: rng.bernoulli(stats.sexoH),
    income,
    rentaMissing: rng.bernoulli(stats.renta.missingRate),
    tenureMonths: Math.max(1, Math.round(fromQuantiles(rng, stats.tenureQuantiles))),
    channel,
    active,
    foreigner: rng.bernoulli(stats.indextRate),
    province: [provinceCode, provinceName],
    initialProducts: products(pattern),
    driver: rng.bernoulli((student ? 0.15 : 0.42) * ageDriverFactor),
    hasKids: rng.bernoulli(age >= 28 && age <= 50 ? 0.45 : age > 50 && age <= 65 ? 0.2 : 0.03),
    spendRatio: Math.min(1.6, Math.max(0.15, rng.lognormal(Math.log(0.6), 0.35))),
    digital: active && (channel === "KHE" || age < 32),
    salaryRub: Math.round(income * 0.8 * (student ? 0.55 : 1) / 100) * 100,
  };
}

const pad2 = (n: number) => String(n).padStart(2, "0");

/** `YYYY-MM-DD` of a UTC date. */
export function isoDate(date: Date): string {
  return `${date.getUTCFullYear()}-${pad2(date.getUTCMonth() + 1)}-${pad2(date.getUTCDate())}`;
}

/** One monthly row `monthsAgo` months before `asOf`, with the given holdings. */
export function monthlyRow(
  base: ClientBase,
  fechaDato: string,
  monthsAgo: number,
  asOfMs: number,
  holdings: Record<string, 0 | 1>,
): MonthlyRow {
  const antiguedad = Math.max(0, base.tenureMonths - monthsAgo);
  const alta = new Date(asOfMs);
  alta.setUTCDate(1);
  alta.setUTCMonth(alta.getUTCMonth() - base.tenureMonths);
  alta.setUTCDate(1 + (Number(base.ncodpers) % 28));
  return {
    fecha_dato: fechaDato,
    ncodpers: base.ncodpers,
    ind_empleado: "N",
    pais_residencia: "ES",
    sexo: base.female ? "H" : "V",
    age: String(base.age - (monthsAgo > base.birthdayMonthsAgo ? 1 : 0)),
    fecha_alta: isoDate(alta),
    ind_nuevo: antiguedad < 6 ? "1" : "0",
    antiguedad: String(antiguedad),
    indrel: "1",
    ult_fec_cli_1t: "",
    indrel_1mes: "1",
    tiprel_1mes: base.active ? "A" : "I",
    indresi: "S",
    indext: base.foreigner ? "S" : "N",
    conyuemp: "",
    canal_entrada: base.channel,
    indfall: "N",
    tipodom: "1",
    cod_prov: base.province[0],
    nomprov: base.province[1],
    ind_actividad_cliente: base.active ? "1" : "0",
    renta: base.rentaMissing ? "" : base.income.toFixed(2),
    segmento: base.segment,
    products: { ...holdings },
  };
}
