/**
 * Periodic jobs with inspectable state: the seed's schedule (long-term
 * profile every 15–30 minutes, vectors every 1–2 hours, a daily
 * reindex/retrain) runs here, and `/admin/jobs` shows each job's last run,
 * next run, progress and outcome. A run can also be started by hand.
 *
 * @module
 */

/** Reports progress of a running job, from 0 to 1, with an optional note. */
export type Progress = (fraction: number, note?: string) => void;

/** A job definition. */
export interface Job {
  name: string;
  description: string;
  /** Time between runs. */
  everyMs: number;
  /** Random extra delay up to this, so nodes do not run in lockstep. */
  jitterMs?: number;
  /** Delay before the first run. */
  firstRunAfterMs?: number;
  run(progress: Progress, signal: AbortSignal): Promise<Record<string, unknown>>;
}

/** What `/admin/jobs` shows for a job. */
export interface JobStatus {
  name: string;
  description: string;
  everyMs: number;
  state: "idle" | "running";
  runs: number;
  failures: number;
  progress: number | null;
  note: string | null;
  lastStartedAt: string | null;
  lastFinishedAt: string | null;
  lastDurationMs: number | null;
  lastOutcome: { ok: true; result: Record<string, unknown> } | { ok: false; reason: string } | null;
  nextRunAt: string | null;
}

interface Entry {
  job: Job;
  status: JobStatus;
  timer: ReturnType<typeof setTimeout> | undefined;
  running: Promise<void> | null;
}

/** Runs jobs on their schedules. */
export class Scheduler {
  #entries = new Map<string, Entry>();
  #abort = new AbortController();
  #started = false;
  #onLog?: (message: string, fields: Record<string, unknown>) => void;

  constructor(options: { onLog?: (message: string, fields: Record<string, unknown>) => void } = {}) {
    this.#onLog = options.onLog;
  }

  /** Adds a job; call before {@linkcode start}. */
  add(job: Job): void {
    if (this.#entries.has(job.name)) throw new Error(`Job ${job.name} is already scheduled`);
    this.#entries.set(job.name, {
      job,
      timer: undefined,
      running: null,
      status: {
        name: job.name,
        description: job.description,
        everyMs: job.everyMs,
        state: "idle",
        runs: 0,
        failures: 0,
        progress: null,
        note: null,
        lastStartedAt: null,
        lastFinishedAt: null,
        lastDurationMs: null,
        lastOutcome: null,
        nextRunAt: null,
      },
    });
  }

  /** Starts every job's timer. */
  start(): void {
    this.#started = true;
    for (const entry of this.#entries.values()) {
      this.#schedule(entry, entry.job.firstRunAfterMs ?? entry.job.everyMs);
    }
  }

  #schedule(entry: Entry, delayMs: number): void {
    if (!this.#started || this.#abort.signal.aborted) return;
    const delay = delayMs + Math.floor(Math.random() * (entry.job.jitterMs ?? 0));
    entry.status.nextRunAt = new Date(Date.now() + delay).toISOString();
    entry.timer = setTimeout(() => {
      void this.runNow(entry.job.name).then(() => this.#schedule(entry, entry.job.everyMs));
    }, delay);
  }

  /** Runs a job now (or waits for the run in progress). Unknown names return false. */
  async runNow(name: string): Promise<boolean> {
    const entry = this.#entries.get(name);
    if (!entry) return false;
    entry.running ??= this.#run(entry).finally(() => {
      entry.running = null;
    });
    await entry.running;
    return true;
  }

  async #run(entry: Entry): Promise<void> {
    const { status, job } = entry;
    const started = Date.now();
    status.state = "running";
    status.progress = 0;
    status.note = null;
    status.lastStartedAt = new Date(started).toISOString();
    try {
      const result = await job.run((fraction, note) => {
        status.progress = Math.max(0, Math.min(1, fraction));
        if (note !== undefined) status.note = note;
      }, this.#abort.signal);
      status.lastOutcome = { ok: true, result };
    } catch (error) {
      status.failures++;
      status.lastOutcome = { ok: false, reason: error instanceof Error ? error.message : String(error) };
      this.#onLog?.("job failed", { job: job.name, error: String(error) });
    } finally {
      status.runs++;
      status.state = "idle";
      status.progress = null;
      status.lastFinishedAt = new Date().toISOString();
      status.lastDurationMs = Date.now() - started;
    }
  }

  /** Every job's status. */
  list(): JobStatus[] {
    return [...this.#entries.values()].map((entry) => structuredClone(entry.status));
  }

  /** Stops timers, signals running jobs to stop, and waits for them. */
  async stop(): Promise<void> {
    this.#abort.abort();
    for (const entry of this.#entries.values()) clearTimeout(entry.timer);
    await Promise.allSettled([...this.#entries.values()].map((entry) => entry.running));
  }
}
