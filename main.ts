/**
 * Starts one engine node: `deno task start`. With no configuration it runs
 * the embedded default (in-process log, PGlite in ./data).
 *
 * @module
 */

import { ConfigError, loadConfig } from "./engine/config.ts";
import { startEngine } from "./engine/engine.ts";

async function main(): Promise<number> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      return 2;
    }
    throw error;
  }
  const engine = await startEngine(config);
  if (config.adminTokenGenerated) {
    engine.logger.log("warn", "ADMIN_TOKEN is not set; generated one for this run", {
      adminToken: config.adminToken,
    });
  }
  const server = Deno.serve({
    port: config.port,
    hostname: Deno.env.get("HOST") ?? "0.0.0.0",
    onListen: ({ hostname, port }) => engine.logger.log("info", "listening", { hostname, port }),
  }, engine.app.fetch);
  const done = Promise.withResolvers<number>();
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    engine.logger.log("info", "signal received", { signal });
    // Cancel jobs first: a request waiting on a job would otherwise hold the server open.
    await engine.jobs.stop();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      server.shutdown(),
      new Promise((resolve) => timer = setTimeout(resolve, 10_000)),
    ]).finally(() => clearTimeout(timer));
    await engine.stop();
    done.resolve(0);
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    Deno.addSignalListener(signal, () => void shutdown(signal));
  }
  return await done.promise;
}

if (import.meta.main) Deno.exit(await main());
