/**
 * The OpenAPI document for `/openapi.json`, declared next to the routes'
 * schemas so the contract has one source.
 *
 * @module
 */

import { EVENT_TYPES } from "../domain/event.ts";

/** A JSON Schema fragment. */
export type JsonSchema = Record<string, unknown>;

/** JSON Schema of one event (the validator in domain/event.ts enforces it). */
export const EVENT_SCHEMA: JsonSchema = {
  type: "object",
  additionalProperties: false,
  required: ["eventId", "userId", "type", "ts"],
  properties: {
    eventId: { type: "string", maxLength: 128, pattern: "^[A-Za-z0-9._:-]+$" },
    userId: { type: "string", maxLength: 128, pattern: "^[A-Za-z0-9._:@-]+$" },
    type: { type: "string", enum: [...EVENT_TYPES] },
    ts: { type: "string", format: "date-time" },
    context: {
      type: "object",
      additionalProperties: false,
      properties: {
        location: { type: "string", maxLength: 64 },
        device: { type: "string", maxLength: 64 },
        channel: { type: "string", maxLength: 64 },
      },
    },
    item: {
      type: "object",
      additionalProperties: false,
      properties: {
        id: { type: "string", maxLength: 128 },
        category: { type: "string", maxLength: 128 },
        brand: { type: "string", maxLength: 128 },
        price: { type: "number", minimum: 0, maximum: 1e9 },
      },
    },
    value: { type: "number", minimum: -1e9, maximum: 1e9 },
    query: { type: "string", maxLength: 1000 },
  },
};

/** One documented operation. */
export interface Operation {
  method: "get" | "post" | "put" | "delete";
  path: string;
  summary: string;
  tag: string;
  auth?: "admin" | "ingest" | "user";
  requestBody?: JsonSchema;
  responses: Record<string, { description: string; schema?: JsonSchema }>;
  parameters?: { name: string; in: "path" | "query"; schema: JsonSchema; required?: boolean }[];
}

const ERROR_SCHEMA: JsonSchema = {
  type: "object",
  required: ["error"],
  properties: { error: { type: "string" }, reason: { type: "string" } },
};

/** Builds the OpenAPI 3.1 document from the declared operations. */
export function openApiDocument(operations: readonly Operation[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const operation of operations) {
    const openApiPath = operation.path.replace(/:([A-Za-z]+)/g, "{$1}");
    paths[openApiPath] ??= {};
    paths[openApiPath][operation.method] = {
      summary: operation.summary,
      tags: [operation.tag],
      ...(operation.auth ? { security: [{ [operation.auth]: [] }] } : {}),
      ...(operation.parameters ? { parameters: operation.parameters } : {}),
      ...(operation.requestBody
        ? {
          requestBody: { required: true, content: { "application/json": { schema: operation.requestBody } } },
        }
        : {}),
      responses: Object.fromEntries(
        Object.entries(operation.responses).map(([status, response]) => [status, {
          description: response.description,
          content: {
            "application/json": { schema: response.schema ?? (Number(status) >= 400 ? ERROR_SCHEMA : {}) },
          },
        }]),
      ),
    };
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Personalization engine",
      version: "0.1.0",
      description: "Per-user actors fed by Kafka; uplift-driven offers explained in plain words.",
    },
    components: {
      securitySchemes: {
        admin: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN" },
        ingest: { type: "http", scheme: "bearer", description: "INGEST_TOKEN (defaults to ADMIN_TOKEN)" },
        user: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "A user's token (demo login or the identity provider's JWT); ADMIN_TOKEN acts for any user",
        },
      },
      schemas: { Event: EVENT_SCHEMA, Error: ERROR_SCHEMA },
    },
    paths,
  };
}
