import assert from "node:assert/strict";
import { parseEvent } from "../domain/event.ts";
import { generate } from "./generate.ts";

const AS_OF = "2025-06-01T00:00:00.000Z";

Deno.test("generate is reproducible by seed, byte for byte", () => {
  const a = JSON.stringify(generate({ seed: 11, users: 150, shoppers: 60, asOf: AS_OF }));
  const b = JSON.stringify(generate({ seed: 11, users: 150, shoppers: 60, asOf: AS_OF }));
  const c = JSON.stringify(generate({ seed: 12, users: 150, shoppers: 60, asOf: AS_OF }));
  assert.equal(a, b);
  assert.notEqual(a, c);
});

Deno.test("every generated event passes the engine's validator and events are sorted", () => {
  const data = generate({ seed: 3, users: 400, shoppers: 200, asOf: AS_OF });
  const nowMs = Date.parse(data.asOf);
  const ids = new Set<string>();
  let previous = "";
  for (const event of data.events) {
    const result = parseEvent(event, { nowMs });
    assert.ok(result.ok, `${result.ok ? "" : result.reason}: ${JSON.stringify(event)}`);
    assert.ok(result.event.ts >= previous, "sorted by ts");
    previous = result.event.ts;
    ids.add(result.event.eventId);
  }
  assert.equal(ids.size, data.events.length, "event ids are unique");
  const types = new Set(data.events.map((e) => e.type));
  for (const type of ["operation", "profile", "order", "view", "rating", "search"]) {
    assert.ok(types.has(type), type);
  }
  assert.equal(data.clients[0].userId, "b-000001");
  assert.equal(data.shoppers[0].userId, "r-000001");
  assert.match(data.clients[0].displayName, /^[А-ЯЁ][а-яё]+ [А-ЯЁ][а-яё]+$/);
});

Deno.test("bank histories are consistent: salaries for payroll, life events change spending", () => {
  const data = generate({ seed: 5, users: 600, shoppers: 0, asOf: AS_OF });
  const byUser = new Map<string, Record<string, unknown>[]>();
  for (const e of data.events) {
    const list = byUser.get(e.userId as string) ?? [];
    list.push(e);
    byUser.set(e.userId as string, list);
  }
  const category = (e: Record<string, unknown>) => (e.item as { category?: string } | undefined)?.category;
  const payroll = data.clients.filter((c) => c.monthly.every((m) => m.products.ind_cno_fin_ult1 === 1));
  assert.ok(payroll.length > 10);
  for (const c of payroll) {
    const salaries = byUser.get(c.userId)!.filter((e) => category(e) === "salary");
    assert.ok(salaries.length >= 10 && salaries.every((e) => (e.value as number) > 0));
  }
  const buyers = data.clients.filter((c) => c.lifeEvents.some((l) => l.event === "car_purchase"));
  assert.ok(buyers.length > 20);
  for (const c of buyers) {
    const ts = c.lifeEvents.find((l) => l.event === "car_purchase")!.ts;
    const events = byUser.get(c.userId)!;
    assert.ok(
      events.some((e) => e.type === "profile" && (e.item as { id: string }).id === "life:car_purchase"),
    );
    assert.ok(
      events.some((e) =>
        category(e) === "auto_dealer" && (e.value as number) < -100_000 && e.ts as string >= ts
      ),
    );
  }
  const lactose = data.catalog.filter((i) => i.tags.includes("lactose_free"));
  assert.ok(data.catalog.length >= 300 && lactose.length > 10);
  assert.ok(new Set(data.catalog.map((i) => i.category)).size >= 18);
  assert.ok(data.catalog.some((i) => Object.values(i.availability).includes(0)));
});
