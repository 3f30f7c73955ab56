/**
 * Structured JSON logs, one object per line on stderr.
 *
 * @module
 */

const LEVELS = { debug: 10, info: 20, warn: 30, error: 40 } as const;

/** A log level name. */
export type LogLevel = keyof typeof LEVELS;

/** Writes structured log lines. */
export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

/** A logger that writes JSON lines at or above `minimum`. */
export function createLogger(base: Record<string, unknown>, minimum: LogLevel = "info"): Logger {
  const encoder = new TextEncoder();
  return {
    log(level, message, fields) {
      if (LEVELS[level] < LEVELS[minimum]) return;
      const line = JSON.stringify({ ts: new Date().toISOString(), level, message, ...base, ...fields });
      Deno.stderr.writeSync(encoder.encode(line + "\n"));
    },
  };
}
