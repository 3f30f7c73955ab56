import assert from "node:assert/strict";
import { validate } from "./schema.ts";
import { REGISTRATION_SCHEMA } from "./user_inputs.ts";

Deno.test("validate reports a reason per failing field and rejects unknown fields", () => {
  const result = validate(REGISTRATION_SCHEMA, {
    age: 12.5,
    sexo: "X",
    segmento: "02 - PARTICULARES",
    renta: Number.NaN,
    products: ["ind_cco_fin_ult1", "ind_cco_fin_ult1"],
    isAdmin: true,
  });
  assert.equal(result.ok, false);
  if (result.ok) return;
  assert.deepEqual(Object.keys(result.fields).sort(), ["age", "isAdmin", "products", "renta", "sexo"]);
  assert.equal(result.fields.isAdmin, "is not a known field");
});

Deno.test("validate accepts a valid registration and rejects non-objects and hostile strings", () => {
  assert.equal(validate(REGISTRATION_SCHEMA, { age: 30, sexo: "H", segmento: "01 - TOP" }).ok, true);
  for (const body of [null, [], "text", 42, true]) {
    assert.equal(validate(REGISTRATION_SCHEMA, body).ok, false);
  }
  for (const name of ["a\u0000b", "\u202eevil", "x".repeat(65), ""]) {
    assert.equal(
      validate(REGISTRATION_SCHEMA, { age: 30, sexo: "H", segmento: "01 - TOP", displayName: name }).ok,
      false,
    );
  }
  const proto = JSON.parse('{"age":30,"sexo":"H","segmento":"01 - TOP","__proto__":{"admin":true}}');
  assert.equal(validate(REGISTRATION_SCHEMA, proto).ok, false);
});
