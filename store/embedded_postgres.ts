/**
 * Embedded Postgres for the zero-config default: PGlite (Postgres compiled to
 * WASM) persisted in a directory and served over the Postgres wire protocol on
 * a random loopback port, so the engine reaches it through postgres.js with
 * exactly the same SQL it uses against a real server.
 *
 * ## One client connection at a time
 *
 * Found by reading `@electric-sql/pglite-socket@0.2.17` and by experiment:
 * `PGLiteSocketServer` has a `maxConnections` option (default 1). Above 1 it
 * "multiplexes" connections onto PGlite's single backend by queueing *protocol
 * messages*, not whole queries: only an explicit transaction keeps one
 * connection exclusive. postgres.js sends Parse/Bind/Execute/Sync as separate
 * messages, so two pooled connections interleave inside one extended-protocol
 * exchange and fail (seen: `portal "" does not exist` with a pool of 4). With
 * `maxConnections: 1` a second socket is answered with the text
 * `Too many connections` and closed, which postgres.js cannot parse.
 *
 * So the server here keeps the default of one connection, and the returned
 * URL carries `?max=1`, which `Store.connect` honours as its pool
 * size. Queries from many callers still run concurrently from the caller's
 * view: postgres.js pipelines them over that one connection, and a
 * transaction simply holds it until commit. Connect one `Store` per embedded
 * server, and do not point a second client (psql, another pool) at it while
 * the engine runs.
 *
 * @module
 */

import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

/** A running embedded Postgres server. */
export type EmbeddedPostgres = {
  /**
   * `postgres://` URL of the server, with `?max=1` (see module docs). Pass it
   * to `Store.connect` unchanged.
   */
  url: string;
  /**
   * Stops the socket server (closing any client sockets) and closes PGlite,
   * flushing it to `dataDir`. Close your `Store` first for a clean shutdown.
   */
  close(): Promise<void>;
};

/** Options for {@linkcode startEmbeddedPostgres}. */
export type EmbeddedPostgresOptions = {
  /** TCP port on 127.0.0.1; default 0 lets the OS choose a free one. */
  port?: number;
};

/**
 * Starts PGlite persisted in `dataDir` (created if missing) behind a
 * Postgres-protocol socket on 127.0.0.1.
 *
 * @param dataDir Directory holding the database files, e.g. `./data/pg`.
 * @param options Listening port.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  options: EmbeddedPostgresOptions = {},
): Promise<EmbeddedPostgres> {
  await Deno.mkdir(dataDir, { recursive: true });
  const db = await PGlite.create(dataDir);
  const server = new PGLiteSocketServer({
    db,
    host: "127.0.0.1",
    port: options.port ?? 0,
    maxConnections: 1,
  });
  try {
    await server.start();
  } catch (error) {
    await db.close();
    throw error;
  }
  const url = `postgres://postgres@${server.getServerConn()}/postgres?max=1`;
  let closed: Promise<void> | undefined;
  return {
    url,
    close() {
      closed ??= (async () => {
        await server.stop();
        await db.close();
      })();
      return closed;
    },
  };
}
