/**
 * Runs {@linkcode ./retrain_main.ts} as a child process and reports its progress.
 *
 * @module
 */

import type { GeneratedData } from "../datagen/types.ts";

/** Trains in a child process and writes `models.json` + `uplift.onnx` into `dir`. */
export async function retrainInProcess(
  data: GeneratedData,
  dir: string,
  progress: (fraction: number, note: string) => void,
  signal?: AbortSignal,
): Promise<{ rows: number; seconds: number }> {
  await Deno.mkdir(dir, { recursive: true });
  const input = await Deno.makeTempFile({ prefix: "retrain-", suffix: ".json" });
  try {
    await Deno.writeTextFile(input, JSON.stringify(data));
    const child = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "--allow-read",
        "--allow-write",
        "--v8-flags=--max-old-space-size=8000",
        new URL("./retrain_main.ts", import.meta.url).pathname,
        input,
        dir,
      ],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
      signal,
    }).spawn();
    let result: { rows: number; seconds: number } | null = null;
    const errors: string[] = [];
    const readLines = async (stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) => {
      let buffered = "";
      for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
        buffered += chunk;
        const lines = buffered.split("\n");
        buffered = lines.pop() ?? "";
        for (const line of lines) onLine(line);
      }
      if (buffered) onLine(buffered);
    };
    await Promise.all([
      readLines(child.stdout, (line) => {
        const match = /^progress ([\d.]+) (.*)$/.exec(line);
        if (match) progress(Number(match[1]), match[2]);
        else if (line.startsWith("done ")) result = JSON.parse(line.slice(5));
      }),
      readLines(child.stderr, (line) => {
        if (line.trim()) errors.push(line);
      }),
    ]);
    const status = await child.status;
    if (!status.success || result === null) {
      throw new Error(
        `Retrain failed (${status.signal ?? `exit ${status.code}`}): ${errors.slice(-3).join(" ")}`,
      );
    }
    return result;
  } finally {
    await Deno.remove(input).catch(() => {});
  }
}
