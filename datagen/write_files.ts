/**
 * Writes generated data as files: `clients.csv` (every monthly row in the
 * Santander layout, re-readable by `parseSantanderCsv`), `campaign.csv`,
 * `catalog.json` and `events.jsonl` (one engine event per line, oldest first).
 *
 * @module
 */

import { csvLine } from "./_csv.ts";
import { SANTANDER_COLUMNS, santanderCsvLine } from "./santander_csv.ts";
import type { GeneratedData } from "./types.ts";

/** The header of `campaign.csv`. */
export const CAMPAIGN_COLUMNS = [
  "user_id",
  "offer",
  "at",
  "treated",
  "converted",
  "p_control",
  "p_treated",
  "uplift",
  "segment",
] as const;

/** Paths of the written files. */
export interface WrittenFiles {
  clients: string;
  campaign: string;
  catalog: string;
  events: string;
}

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const file = await Deno.open(path, { write: true, create: true, truncate: true });
  const encoder = new TextEncoder();
  try {
    let buffer: string[] = [];
    let length = 0;
    const flush = async () => {
      const bytes = encoder.encode(buffer.join(""));
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      buffer = [];
      length = 0;
    };
    for (const line of lines) {
      buffer.push(line, "\n");
      length += line.length + 1;
      if (length > 1 << 20) await flush();
    }
    await flush();
  } finally {
    file.close();
  }
}

function* clientLines(data: GeneratedData): Generator<string> {
  yield SANTANDER_COLUMNS.join(",");
  for (const client of data.clients) for (const row of client.monthly) yield santanderCsvLine(row);
}

function* campaignLines(data: GeneratedData): Generator<string> {
  yield CAMPAIGN_COLUMNS.join(",");
  for (const r of data.campaign) {
    yield csvLine([
      r.userId,
      r.offer,
      r.at,
      String(r.treated),
      String(r.converted),
      String(r.pControl),
      String(r.pTreated),
      String(r.uplift),
      r.segment,
    ]);
  }
}

function* eventLines(data: GeneratedData): Generator<string> {
  for (const event of data.events) yield JSON.stringify(event);
}

/** Writes the four files into `dir` (created if needed), streaming the large ones. */
export async function writeFiles(data: GeneratedData, dir: string): Promise<WrittenFiles> {
  await Deno.mkdir(dir, { recursive: true });
  const base = dir.replace(/\/+$/, "");
  const paths: WrittenFiles = {
    clients: `${base}/clients.csv`,
    campaign: `${base}/campaign.csv`,
    catalog: `${base}/catalog.json`,
    events: `${base}/events.jsonl`,
  };
  await writeLines(paths.clients, clientLines(data));
  await writeLines(paths.campaign, campaignLines(data));
  await Deno.writeTextFile(paths.catalog, JSON.stringify(data.catalog, null, 2) + "\n");
  await writeLines(paths.events, eventLines(data));
  return paths;
}
