/**
 * A progress bar for long training on stderr: a redrawn bar on a terminal,
 * plain percentage lines otherwise (CI logs).
 *
 * @module
 */

const encoder = new TextEncoder();

/** Returns a reporter taking a fraction in [0, 1] and a note. */
export function progressBar(label: string): (fraction: number, note: string) => void {
  const tty = Deno.stderr.isTerminal();
  let lastPercent = -1;
  return (fraction, note) => {
    const percent = Math.round(Math.max(0, Math.min(1, fraction)) * 100);
    if (tty) {
      const filled = Math.round(percent / 4);
      const line = `\r${label} [${"#".repeat(filled)}${".".repeat(25 - filled)}] ${
        String(percent).padStart(3)
      }% ${note.slice(0, 50).padEnd(50)}`;
      Deno.stderr.writeSync(encoder.encode(line));
    } else if (percent >= lastPercent + 10 || percent === 100) {
      lastPercent = percent;
      Deno.stderr.writeSync(encoder.encode(`${label} ${percent}% ${note}\n`));
    }
  };
}
