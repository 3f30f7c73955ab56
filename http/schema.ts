/**
 * A small JSON Schema validator for request bodies: the schemas the routes
 * declare for `/openapi.json` are the same objects that validate input, so the
 * documentation and the checks cannot drift apart. It covers the subset the
 * routes use: objects with `required` and `additionalProperties: false`,
 * strings (`enum`, `minLength`, `maxLength`, `pattern`), numbers and integers
 * (`minimum`, `maximum`), booleans and arrays (`items`, `maxItems`,
 * `uniqueItems`).
 *
 * @module
 */

import type { JsonSchema } from "./openapi.ts";

/** The outcome of validation: the value, or a reason per failing field. */
export type SchemaResult<T> = { ok: true; value: T } | { ok: false; fields: Record<string, string> };

/** Characters no user-facing text may contain (C0/C1 controls except tab and newline, bidi overrides). */
// deno-lint-ignore no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

/** Validates `value` against an object schema. */
export function validate<T>(schema: JsonSchema, value: unknown): SchemaResult<T> {
  const fields: Record<string, string> = {};
  check(schema, value, "", fields);
  return Object.keys(fields).length === 0 ? { ok: true, value: value as T } : { ok: false, fields };
}

function check(schema: JsonSchema, value: unknown, path: string, fields: Record<string, string>): void {
  const at = path || "body";
  const type = schema.type as string | undefined;
  if (schema.enum && !(schema.enum as unknown[]).includes(value)) {
    fields[at] = `must be one of ${(schema.enum as unknown[]).join(", ")}`;
    return;
  }
  switch (type) {
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        fields[at] = "must be an object";
        return;
      }
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const record = value as Record<string, unknown>;
      for (const name of (schema.required ?? []) as string[]) {
        if (record[name] === undefined || record[name] === null) fields[join(path, name)] = "is required";
      }
      for (const [name, item] of Object.entries(record)) {
        if (!Object.hasOwn(properties, name)) {
          if (schema.additionalProperties === false) fields[join(path, name)] = "is not a known field";
          continue;
        }
        if (item !== undefined && item !== null) check(properties[name], item, join(path, name), fields);
      }
      return;
    }
    case "string": {
      if (typeof value !== "string") return void (fields[at] = "must be a string");
      if (typeof schema.minLength === "number" && value.length < schema.minLength) {
        return void (fields[at] = `must have at least ${schema.minLength} characters`);
      }
      if (typeof schema.maxLength === "number" && value.length > schema.maxLength) {
        return void (fields[at] = `must have at most ${schema.maxLength} characters`);
      }
      if (CONTROL_CHARACTERS.test(value)) return void (fields[at] = "must not contain control characters");
      if (typeof schema.pattern === "string" && !new RegExp(schema.pattern).test(value)) {
        fields[at] = "has an invalid format";
      }
      return;
    }
    case "number":
    case "integer": {
      if (typeof value !== "number" || !Number.isFinite(value)) return void (fields[at] = "must be a number");
      if (type === "integer" && !Number.isInteger(value)) return void (fields[at] = "must be an integer");
      if (typeof schema.minimum === "number" && value < schema.minimum) {
        return void (fields[at] = `must be at least ${schema.minimum}`);
      }
      if (typeof schema.maximum === "number" && value > schema.maximum) {
        fields[at] = `must be at most ${schema.maximum}`;
      }
      return;
    }
    case "boolean":
      if (typeof value !== "boolean") fields[at] = "must be true or false";
      return;
    case "array": {
      if (!Array.isArray(value)) return void (fields[at] = "must be an array");
      if (typeof schema.maxItems === "number" && value.length > schema.maxItems) {
        return void (fields[at] = `must have at most ${schema.maxItems} items`);
      }
      if (schema.uniqueItems && new Set(value).size !== value.length) {
        return void (fields[at] = "must not repeat items");
      }
      value.forEach((item, index) => check(schema.items as JsonSchema, item, `${at}[${index}]`, fields));
      return;
    }
  }
}

function join(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}
