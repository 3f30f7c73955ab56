/**
 * Runs {@linkcode ./retrain_worker.ts} and writes its result as artifacts.
 *
 * @module
 */

import type { GeneratedData } from "../datagen/types.ts";
import type { RetrainMessage } from "./retrain_worker.ts";

/** Trains in a worker and writes `models.json` + `uplift.onnx` into `dir`. */
export function retrainInWorker(
  data: GeneratedData,
  dir: string,
  progress: (fraction: number, note: string) => void,
  signal?: AbortSignal,
): Promise<{ rows: number; seconds: number }> {
  const worker = new Worker(new URL("./retrain_worker.ts", import.meta.url), { type: "module" });
  return new Promise<{ rows: number; seconds: number }>((resolve, reject) => {
    const stop = () => {
      worker.terminate();
      reject(new Error("Retrain was cancelled"));
    };
    signal?.addEventListener("abort", stop, { once: true });
    worker.onmessage = async (event: MessageEvent<RetrainMessage>) => {
      const message = event.data;
      if (message.type === "progress") return progress(message.fraction, message.note);
      signal?.removeEventListener("abort", stop);
      worker.terminate();
      if (message.type === "error") return reject(new Error(message.reason));
      try {
        await Deno.mkdir(dir, { recursive: true });
        const info = {
          seed: data.seed,
          users: data.clients.length,
          asOf: data.asOf,
          trainingSeconds: message.seconds,
        };
        // Write the ONNX first and the JSON last: a reader that finds models.json finds both.
        await Deno.writeFile(`${dir}/uplift.onnx`, message.onnx);
        await Deno.writeTextFile(`${dir}/models.json.tmp`, JSON.stringify({ info, models: message.models }));
        await Deno.rename(`${dir}/models.json.tmp`, `${dir}/models.json`);
        resolve({ rows: message.rows, seconds: message.seconds });
      } catch (error) {
        reject(error);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      signal?.removeEventListener("abort", stop);
      worker.terminate();
      reject(new Error(`Retrain worker failed: ${event.message}`));
    };
    worker.postMessage({ data });
  });
}
