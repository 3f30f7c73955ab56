/**
 * The web app: `web/index.html` at `/`, its modules and styles under `/app/`,
 * and the charting library (Chart.js from npm, read from `node_modules`) at
 * `/app/vendor/chart.js`. Nothing is loaded from another origin: the
 * Content-Security-Policy allows this origin only.
 *
 * @module
 */

import type { Context, Hono, MiddlewareHandler } from "hono";
import type { Operation } from "./openapi.ts";

const WEB_ROOT = new URL("../web/", import.meta.url);
/** Chart.js's self-contained UMD build, installed from npm with the other dependencies. */
const CHART_JS = new URL("../node_modules/chart.js/dist/chart.umd.min.js", import.meta.url);

/** The policy every page and asset is served with: this origin only, no framing. */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

const CONTENT_TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  json: "application/json; charset=utf-8",
};
/** Asset paths the app may ask for: lowercase words, slashes and one known extension, no dots elsewhere. */
const ASSET_PATH = /^[a-z0-9_-]+(\/[a-z0-9_-]+)*\.(js|css|svg|json)$/;

/** Documented operations of this module. */
export const WEB_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/",
    summary: "The web app (login by ID, offers, registration, history, chat, analytics, ops)",
    tag: "web",
    responses: { "200": { description: "HTML" } },
  },
];

/** Security headers for the app's responses. */
export function webSecurityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.res.headers.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    c.res.headers.set("Referrer-Policy", "no-referrer");
    c.res.headers.set("X-Frame-Options", "DENY");
    c.res.headers.set("Cross-Origin-Opener-Policy", "same-origin");
    c.res.headers.set("Cross-Origin-Resource-Policy", "same-origin");
    c.res.headers.set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()");
  };
}

/** Reads a file once and keeps its bytes; the app is small and changes only with a deploy. */
class AssetCache {
  #files = new Map<string, Promise<Uint8Array | null>>();

  read(url: URL): Promise<Uint8Array | null> {
    let entry = this.#files.get(url.href);
    if (!entry) {
      entry = Deno.readFile(url).catch(() => null);
      this.#files.set(url.href, entry);
    }
    return entry;
  }
}

function serve(c: Context, bytes: Uint8Array, extension: string, cacheControl: string): Response {
  return c.body(bytes as Uint8Array<ArrayBuffer>, 200, {
    "Content-Type": CONTENT_TYPES[extension],
    "Cache-Control": cacheControl,
  });
}

/**
 * Registers `/` and `/app/*`. With `cache: false` (development) every request
 * reads the file from disk.
 */
export function registerWebRoutes(app: Hono, options: { cache?: boolean } = {}): void {
  const cached = new AssetCache();
  const read = (url: URL) =>
    options.cache === false ? Deno.readFile(url).catch(() => null) : cached.read(url);
  const headers = webSecurityHeaders();
  app.use("/", headers);
  app.use("/app/*", headers);

  app.get("/", async (c) => {
    const page = await read(new URL("index.html", WEB_ROOT));
    if (!page) return c.json({ error: "the web app is missing from this build" }, 500);
    return serve(c, page, "html", "no-cache");
  });
  app.get("/app/vendor/chart.js", async (c) => {
    const library = await read(CHART_JS);
    if (!library) {
      return c.json({ error: "chart.js is not installed (run deno install)" }, 503);
    }
    return serve(c, library, "js", "public, max-age=86400");
  });
  app.get("/app/*", async (c) => {
    const path = c.req.path.slice("/app/".length);
    if (!ASSET_PATH.test(path)) return c.json({ error: "not found" }, 404);
    const bytes = await read(new URL(path, WEB_ROOT));
    if (!bytes) return c.json({ error: "not found" }, 404);
    return serve(c, bytes, path.slice(path.lastIndexOf(".") + 1), "no-cache");
  });
}
