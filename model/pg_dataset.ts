/**
 * Rebuilds a training dataset from what the engine stored in Postgres: the
 * monthly Santander rows (`bank_monthly`), the randomized campaign log
 * (`campaign_log`) and the clients' durable event history (`event_log`,
 * written in the same transactions as the actor snapshots). The daily retrain
 * learns from this, so models follow the live data, not the generator.
 *
 * @module
 */

import type { Sql } from "../store/_sql.ts";
import type {
  BankClient,
  CampaignRow,
  GeneratedData,
  MonthlyRow,
  SantanderProfile,
} from "../datagen/types.ts";

/** Loads the bank side of the dataset; `asOf` defaults to the newest event. */
export async function loadDatasetFromPostgres(
  sql: Sql,
  options: { asOf?: string } = {},
): Promise<GeneratedData> {
  const monthly = await sql<
    { user_id: string; fecha_dato: Date; profile: SantanderProfile; products: Record<string, 0 | 1> }[]
  >`
    select user_id, fecha_dato, profile, products from bank_monthly order by user_id, fecha_dato`;
  const names = await sql<{ user_id: string; display_name: string | null }[]>`
    select user_id, display_name from users where user_id in (select distinct user_id from bank_monthly)`;
  const campaign = await sql<{
    user_id: string;
    offer: string;
    at: Date;
    treated: number;
    converted: number;
    p_control: number | null;
    p_treated: number | null;
    uplift: number | null;
    segment: string | null;
  }[]>`select * from campaign_log order by user_id, at`;
  const events = await sql<{ payload: Record<string, unknown> }[]>`
    select payload from event_log where user_id in (select distinct user_id from bank_monthly) order by ts`;
  const newest = await sql<{ max: Date | null }[]>`select max(ts) as max from event_log`;
  const displayNames = new Map(names.map((row) => [row.user_id, row.display_name ?? row.user_id]));
  const clients = new Map<string, BankClient>();
  for (const row of monthly) {
    let client = clients.get(row.user_id);
    if (!client) {
      client = {
        userId: row.user_id,
        displayName: displayNames.get(row.user_id) ?? row.user_id,
        profile: row.profile,
        monthly: [],
        lifeEvents: [],
      };
      clients.set(row.user_id, client);
    }
    const date = row.fecha_dato.toISOString().slice(0, 10);
    client.monthly.push({ ...row.profile, fecha_dato: date, products: row.products } as MonthlyRow);
    client.profile = { ...row.profile, fecha_dato: date };
  }
  return {
    seed: 0,
    asOf: options.asOf ?? (newest[0]?.max ?? new Date()).toISOString(),
    clients: [...clients.values()],
    campaign: campaign.map((row): CampaignRow => ({
      userId: row.user_id,
      offer: row.offer,
      at: row.at.toISOString(),
      treated: row.treated === 1 ? 1 : 0,
      converted: row.converted === 1 ? 1 : 0,
      pControl: row.p_control ?? Number.NaN,
      pTreated: row.p_treated ?? Number.NaN,
      uplift: row.uplift ?? Number.NaN,
      segment: (row.segment ?? "lost_cause") as CampaignRow["segment"],
    })),
    catalog: [],
    shoppers: [],
    events: events.map((row) => row.payload),
  };
}
