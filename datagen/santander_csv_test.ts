import assert from "node:assert/strict";
import { CsvReader, parseCsv } from "./_csv.ts";
import { parseSantanderCsv, SANTANDER_COLUMNS, SANTANDER_PROFILE_COLUMNS } from "./santander_csv.ts";

const SAMPLE = new URL("../../shared/data/santander/", import.meta.url);
const readSample = (name: string) => Deno.readTextFile(new URL(name, SAMPLE));

Deno.test("parseSantanderCsv reads the real train sample with its quirks", async () => {
  const result = parseSantanderCsv(await readSample("train_sample.csv"));
  assert.ok(result.ok);
  assert.equal(result.rows.length, 5019);
  assert.equal(result.skipped.length, 0);
  assert.ok(result.hasProducts);
  const coruna = result.rows.find((r) => r.nomprov === "CORUÑA, A");
  assert.ok(coruna, "a quoted province with a comma is one field");
  assert.equal(coruna.cod_prov, "15");
  const first = result.rows[0];
  assert.equal(first.age, "24");
  assert.equal(first.antiguedad, "35");
  assert.equal(first.renta, "");
  assert.equal(first.products.ind_cco_fin_ult1, 1);
  assert.equal(first.products.ind_nom_pens_ult1, 0);
  assert.ok(result.rows.every((r) => !/^\s|\s$/.test(r.renta) && r.renta !== "NA"));
});

Deno.test("parseSantanderCsv reads the profiles-only sample with every product 0", async () => {
  const result = parseSantanderCsv(await readSample("profiles_sample.csv"));
  assert.ok(result.ok);
  assert.ok(result.rows.length >= 4990 && result.rows.length <= 5000);
  assert.equal(result.hasProducts, false);
  assert.ok(result.rows.every((r) => Object.values(r.products).every((v) => v === 0)));
  assert.equal(result.rows[1].renta, "", "NA renta becomes empty");
});

Deno.test("parseSantanderCsv rejects or skips hostile input with a reason", () => {
  const header = SANTANDER_COLUMNS.join(",");
  assert.deepEqual(parseSantanderCsv(""), { ok: false, reason: "Empty file" });
  const headerOnly = parseSantanderCsv(header + "\r\n");
  assert.ok(headerOnly.ok && headerOnly.rows.length === 0);
  const junk = parseSantanderCsv("\u0000\u0001\uFFFD\u0007binary\u0000junk\n\u0002");
  assert.ok(!junk.ok && junk.reason.includes("fecha_dato"));
  const missing = parseSantanderCsv("fecha_dato,ncodpers,age\n");
  assert.ok(!missing.ok && missing.reason.includes("renta") && missing.reason.includes("segmento"));
  const row =
    SANTANDER_PROFILE_COLUMNS.map((c) => c === "fecha_dato" ? "2016-01-28" : c === "ncodpers" ? "1" : "")
      .join(",") + "," + Array(24).fill("0").join(",");
  const mixed = parseSantanderCsv(
    [header, row, "2016-01-28,2,too,few", row.replace("2016-01-28", "yesterday"), '2016-01-28,"3'].join("\n"),
  );
  assert.ok(mixed.ok);
  assert.equal(mixed.rows.length, 1);
  assert.deepEqual(mixed.skipped.map((s) => s.line), [3, 4, 5]);
  assert.match(mixed.skipped[0].reason, /Expected 48 fields, found 4/);
  assert.match(mixed.skipped[2].reason, /unterminated/);
});

Deno.test("CsvReader gives the same records however the text is chunked", () => {
  const text = 'a,"b,c","d ""q"""\r\n1,"multi\nline",3\n"x",,\n';
  const whole = parseCsv(text);
  assert.ok(whole.ok);
  assert.deepEqual(whole.records.map((r) => r.fields), [["a", "b,c", 'd "q"'], ["1", "multi\nline", "3"], [
    "x",
    "",
    "",
  ]]);
  assert.deepEqual(whole.records.map((r) => r.line), [1, 2, 4]);
  for (let size = 1; size < 8; size++) {
    const reader = new CsvReader();
    const records = [];
    for (let i = 0; i < text.length; i += size) records.push(...reader.push(text.slice(i, i + size)));
    const end = reader.finish();
    assert.ok(end.ok);
    records.push(...end.records);
    assert.deepEqual(records, whole.records, `chunk size ${size}`);
  }
});
