import assert from "node:assert/strict";
import type { EventLogEntry } from "../store/store.ts";
import { LABELS } from "../web/js/labels.js";
import { describeOperation, isHistoryEntry } from "./operation_view.ts";

function entry(type: string, payload: unknown): EventLogEntry {
  const ts = new Date("2026-11-01T10:00:00Z");
  return { eventId: "e-1", userId: "u-1", type, ts, payload, partition: 0, offset: 0, loggedAt: ts };
}

Deno.test("the history names spend, retail and life-event codes as the web app does, in both languages", () => {
  const spend = entry("operation", { item: { id: "op", category: "utilities" }, value: 4_200 });
  assert.equal(describeOperation(spend, "ru").description, `${LABELS.category.utilities[0]}: 4\u00a0200 ₽`);
  assert.equal(describeOperation(spend, "en").description, `${LABELS.category.utilities[1]}: 4,200 ₽`);
  const salary = entry("operation", { item: { id: "op", category: "salary" }, value: 90_000 });
  assert.ok(describeOperation(salary, "ru").description.startsWith("Зарплата: "));
  // A grocery order names its catalog category, not the raw code.
  const order = entry("order", { item: { id: "sku-1", category: "plant_milk", price: 129 } });
  assert.equal(describeOperation(order, "ru").description, "Растительное молоко: 129 ₽");
  assert.equal(describeOperation(order, "en").description, "Plant milk: 129 ₽");
  const life = entry("profile", { item: { id: "life:car_purchase" } });
  assert.ok(isHistoryEntry(life));
  assert.equal(describeOperation(life, "ru").description, "Покупка автомобиля");
  // An unknown code reads as itself rather than as nothing.
  const odd = entry("operation", { item: { id: "op", category: "<script>" }, value: 1 });
  assert.equal(describeOperation(odd, "en").description, "<script>: 1 ₽");
});
