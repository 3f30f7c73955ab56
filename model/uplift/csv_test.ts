import assert from "node:assert/strict";
import { csvField, parseCsv } from "./csv.ts";

Deno.test("parseCsv handles quotes, CRLF and blank lines", () => {
  const parsed = parseCsv('a,b\r\n1,"x, ""y"""\r\n\r\n2,\n');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.table.header, ["a", "b"]);
  assert.deepEqual(parsed.table.rows, [["1", 'x, "y"'], ["2", ""]]);
  assert.deepEqual(parsed.table.lines, [2, 4]);
});

Deno.test("parseCsv reports ragged rows and empty input", () => {
  assert.deepEqual(parseCsv("a,b\n1,2\n3\n"), {
    ok: false,
    reason: "Line 3 has 1 fields but the header has 2",
  });
  assert.deepEqual(parseCsv("\n\n"), { ok: false, reason: "The file is empty" });
  assert.equal(csvField('a"b'), '"a""b"');
});
