/**
 * A small Prometheus registry: counters, gauges and histograms with labels,
 * rendered in the text exposition format for `/metrics`.
 *
 * @module
 */

type Labels = Record<string, string | number>;

const NEEDS_ESCAPE = /[\\"\n]/;

function labelValue(value: string | number): string {
  const text = String(value);
  // Every HTTP request labels two series; most values need no escaping, so skip the replaces.
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function labelKey(labels: Labels | undefined): string {
  if (!labels) return "";
  const keys = Object.keys(labels);
  if (keys.length === 0) return "";
  if (keys.length > 1) keys.sort();
  let key = "";
  for (const name of keys) key += `${key === "" ? "" : ","}${name}="${labelValue(labels[name])}"`;
  return key;
}

interface Metric {
  readonly name: string;
  render(): string;
}

/** One labelled series of a counter, bound once so a hot path builds no label key per increment. */
export interface CounterSeries {
  /** Adds `by` (default 1). */
  inc(by?: number): void;
}

/** One labelled series of a histogram, bound once (see {@linkcode CounterSeries}). */
export interface HistogramSeries {
  /** Records one observation. */
  observe(value: number): void;
}

/** A monotonically increasing count. */
export class Counter implements Metric {
  #values = new Map<string, number>();
  constructor(readonly name: string, readonly help: string) {}
  /** Adds `by` (default 1). */
  inc(labels?: Labels, by = 1): void {
    const key = labelKey(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }
  /** The series for `labels`, counted exactly as `inc(labels)` counts it. */
  series(labels?: Labels): CounterSeries {
    const key = labelKey(labels);
    const values = this.#values;
    return { inc: (by = 1) => values.set(key, (values.get(key) ?? 0) + by) };
  }
  /** The current value for `labels`. */
  value(labels?: Labels): number {
    return this.#values.get(labelKey(labels)) ?? 0;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`];
    if (this.#values.size === 0) lines.push(`${this.name} 0`);
    for (const [key, value] of this.#values) lines.push(`${this.name}${key ? `{${key}}` : ""} ${value}`);
    return lines.join("\n");
  }
}

/** A value that goes up and down, set directly or read at scrape time. */
export class Gauge implements Metric {
  #values = new Map<string, number>();
  #collect?: (gauge: Gauge) => void;
  constructor(readonly name: string, readonly help: string, collect?: (gauge: Gauge) => void) {
    this.#collect = collect;
  }
  /** Sets the value for `labels`. */
  set(value: number, labels?: Labels): void {
    this.#values.set(labelKey(labels), value);
  }
  /** Forgets every labelled value (before a collector sets fresh ones). */
  reset(): void {
    this.#values.clear();
  }
  render(): string {
    this.#collect?.(this);
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} gauge`];
    for (const [key, value] of this.#values) lines.push(`${this.name}${key ? `{${key}}` : ""} ${value}`);
    return lines.join("\n");
  }
}

/** Default latency buckets in seconds. */
export const LATENCY_BUCKETS = [
  0.0005,
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
] as const;

/** A distribution of observations in fixed buckets. */
export class Histogram implements Metric {
  #series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly buckets: readonly number[] = LATENCY_BUCKETS,
  ) {}
  /** Records one observation. */
  observe(value: number, labels?: Labels): void {
    this.#record(this.#seriesOf(labelKey(labels)), value);
  }
  /** The series for `labels`, recorded exactly as `observe(value, labels)` records it. */
  series(labels?: Labels): HistogramSeries {
    const key = labelKey(labels);
    return { observe: (value) => this.#record(this.#seriesOf(key), value) };
  }
  #seriesOf(key: string): { counts: number[]; sum: number; count: number } {
    let series = this.#series.get(key);
    if (!series) {
      series = { counts: new Array(this.buckets.length).fill(0), sum: 0, count: 0 };
      this.#series.set(key, series);
    }
    return series;
  }
  #record(series: { counts: number[]; sum: number; count: number }, value: number): void {
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) series.counts[i]++;
    series.sum += value;
    series.count++;
  }
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    for (const [key, series] of this.#series) {
      const prefix = key ? `${key},` : "";
      this.buckets.forEach((bound, i) =>
        lines.push(`${this.name}_bucket{${prefix}le="${bound}"} ${series.counts[i]}`)
      );
      lines.push(`${this.name}_bucket{${prefix}le="+Inf"} ${series.count}`);
      lines.push(`${this.name}_sum${key ? `{${key}}` : ""} ${series.sum}`);
      lines.push(`${this.name}_count${key ? `{${key}}` : ""} ${series.count}`);
    }
    return lines.join("\n");
  }
}

/** A set of metrics rendered together. */
export class Registry {
  #metrics: Metric[] = [];
  /** Registers and returns `metric`. */
  add<T extends Metric>(metric: T): T {
    this.#metrics.push(metric);
    return metric;
  }
  /** The Prometheus text exposition of every metric. */
  render(): string {
    return this.#metrics.map((metric) => metric.render()).join("\n") + "\n";
  }
}
