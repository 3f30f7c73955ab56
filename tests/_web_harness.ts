/**
 * Browser harness for the web app tests: Debian's Chromium driven by
 * playwright-core with the SPEC's flags, a watch on everything the page did
 * wrong (script errors, CSP violations, requests to any other origin), and
 * screenshots saved under `SCREENSHOT_DIR` (default `test-results/web`).
 *
 * @module
 */

import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";

/** The page's globals, inside `page.evaluate` (the tests are type-checked without the DOM lib). */
// deno-lint-ignore no-explicit-any
type Dom = any;

/** Chromium flags from SPEC.md. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];
const ROOT = new URL("..", import.meta.url).pathname;

/** One browser with one page on the engine's origin, and what went wrong in it. */
export class WebSession {
  /** Script errors, console errors and CSP violations. */
  readonly problems: string[] = [];
  /** Requests that left the engine's origin (a CDN would show up here). */
  readonly foreignRequests: string[] = [];

  private constructor(
    readonly browser: Browser,
    readonly context: BrowserContext,
    readonly page: Page,
    readonly origin: string,
    readonly screenshotDir: string,
  ) {}

  /** Launches Chromium and opens a page at `origin`. */
  static async open(origin: string): Promise<WebSession> {
    const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: CHROMIUM_ARGS });
    const context = await browser.newContext({
      viewport: { width: 1280, height: 900 },
      locale: "ru-RU",
      timezoneId: "Europe/Moscow",
    });
    context.setDefaultTimeout(15_000);
    const page = await context.newPage();
    const dir = Deno.env.get("SCREENSHOT_DIR") ?? `${ROOT}test-results/web`;
    await Deno.mkdir(dir, { recursive: true });
    const session = new WebSession(browser, context, page, origin, dir);
    page.on("pageerror", (error) => session.problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      const text = message.text();
      // A 4xx the app asked for on purpose (a validation reply) is logged by Chromium as a failed resource.
      if (message.type() === "error" && !/status of 4\d\d/.test(text)) {
        session.problems.push(`console: ${text}`);
      }
      if (/Content Security Policy/i.test(text)) session.problems.push(`csp: ${text}`);
    });
    page.on("request", (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith("data:") && !url.startsWith("about:")) {
        session.foreignRequests.push(url);
      }
    });
    return session;
  }

  /**
   * Saves a full-page screenshot as `<name>.jpg`; returns its path. Toasts
   * (already asserted where they matter) are cleared and the page scrolled to
   * the top first, so the sticky header stays at the top of the image.
   */
  async screenshot(name: string, options: { fullPage?: boolean } = {}): Promise<string> {
    const path = `${this.screenshotDir}/${name}.jpg`;
    await this.page.evaluate(() => {
      const dom = globalThis as Dom;
      for (const toast of dom.document.querySelectorAll(".toast")) toast.remove();
      dom.scrollTo(0, 0);
    });
    await this.page.screenshot({
      path,
      type: "jpeg",
      quality: 70,
      fullPage: options.fullPage ?? true,
      animations: "disabled",
    });
    return path;
  }

  /** The session's bearer token as the app stored it. */
  token(): Promise<string> {
    return this.page.evaluate<string>(
      `JSON.parse(sessionStorage.getItem("engine.session") ?? "{}").token ?? ""`,
    );
  }

  /** Closes the browser. */
  async close(): Promise<void> {
    await this.context.close().catch(() => {});
    await this.browser.close();
  }
}

/** True when a canvas has drawn pixels (a chart that really rendered). */
export function canvasHasInk(page: Page, selector: string): Promise<boolean> {
  return page.evaluate((css) => {
    const canvas = (globalThis as Dom).document.querySelector(css);
    const context = canvas?.getContext("2d");
    if (!context || canvas.width === 0 || canvas.height === 0) return false;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let inked = 0;
    for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
    return inked > 500;
  }, selector);
}

/** Waits until `selector` has at least `count` matches. */
export async function waitForCount(page: Page, selector: string, count: number): Promise<number> {
  await page.waitForFunction(
    ([css, n]) => (globalThis as Dom).document.querySelectorAll(css).length >= n,
    [selector, count] as const,
  );
  return await page.locator(selector).count();
}
