import assert from "node:assert/strict";
import { parseCsv } from "./csv.ts";
import { encodeTable, trainingTable } from "./table.ts";

function csv(rows: number): string {
  const lines = ["t,y,age,city,code"];
  for (let i = 0; i < rows; i++) {
    const age = i % 7 === 0 ? "NA" : String(20 + (i % 30));
    lines.push(`${i % 2},${i % 3 === 0 ? 1 : 0},${age},${["a", "b", ""][i % 3]},id${i}`);
  }
  return lines.join("\n");
}

const table = (text: string) => {
  const parsed = parseCsv(text);
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.table;
};

Deno.test("trainingTable detects numeric, one-hot and frequency columns", () => {
  const result = trainingTable(table(csv(60)), "t", "y");
  assert.ok(result.ok);
  const { encoders, data } = result.value;
  assert.deepEqual(encoders.featureNames, ["age", "city=a", "city=b", "code:frequency"]);
  assert.equal(data.nRows, 60);
  assert.ok(Number.isNaN(data.features[0]));
  assert.deepEqual([...data.features.subarray(4, 8)], [21, 0, 1, Math.fround(1 / 60)]);
  assert.ok(Number.isNaN(data.features[9]) && Number.isNaN(data.features[10]));
});

Deno.test("encodeTable maps unseen levels to missing and needs every feature column", () => {
  const fitted = trainingTable(table(csv(60)), "t", "y");
  assert.ok(fitted.ok);
  const encoded = encodeTable(fitted.value.encoders, table("age,city,code\n33,z,new\n"));
  assert.ok(encoded.ok);
  assert.equal(encoded.value[0], 33);
  assert.ok([1, 2, 3].every((i) => Number.isNaN(encoded.value[i])));
  assert.deepEqual(encodeTable(fitted.value.encoders, table("age,code\n1,x\n")), {
    ok: false,
    reason: "Column city is missing",
  });
});

Deno.test("trainingTable explains bad treatment, outcome and arm sizes", () => {
  assert.deepEqual(trainingTable(table(csv(60)), "treat", "y"), {
    ok: false,
    reason: "Treatment column treat is not in the header",
  });
  const bad = csv(60).replace("\n1,0,21", "\n2,0,21");
  assert.deepEqual(trainingTable(table(bad), "t", "y"), {
    ok: false,
    reason: 'Treatment column t has "2" on line 3 but must be 0 or 1',
  });
  const small = trainingTable(table(csv(30)), "t", "y");
  assert.equal(small.ok, false);
  assert.match((small as { reason: string }).reason, /at least 20 rows per arm/);
  assert.deepEqual(trainingTable(table("t,y\n1,0\n"), "t", "y"), {
    ok: false,
    reason: "Need at least 20 rows per arm, got 1 treated and 0 control",
  });
});
