/**
 * OpenAPI declarations of the user-facing endpoints (recommendations, chat,
 * feedback, registration, consents, operations, notifications, demo login).
 * The request schemas are the ones the handlers validate with.
 *
 * @module
 */

import { CHAT_SCHEMA } from "./chat_routes.ts";
import type { Operation } from "./openapi.ts";
import { CONSENTS_SCHEMA, FEEDBACK_SCHEMA, OPERATION_SCHEMA, REGISTRATION_SCHEMA } from "./user_inputs.ts";

const USER_PARAMETER = {
  name: "id",
  in: "path" as const,
  required: true,
  schema: { type: "string", maxLength: 128 },
};
const USER_ERRORS = {
  "401": { description: "Missing, malformed, expired or wrongly signed token" },
  "403": { description: "The token belongs to another user" },
  "410": { description: "The user was erased" },
  "429": { description: "Rate limited (per user or per address); retry after Retry-After" },
  "503": { description: "The user's partition is moving between nodes; retry after Retry-After" },
};
const LANG = { name: "lang", in: "query" as const, schema: { type: "string", enum: ["ru", "en"] } };

/** Documented user-facing operations. */
export const USER_OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/v1/users",
    summary:
      "Demo login picker: users whose id or display name contains the query (AUTH_MODE=demo only, no PII)",
    tag: "users",
    parameters: [
      { name: "query", in: "query", schema: { type: "string", maxLength: 64 } },
      { name: "limit", in: "query", schema: { type: "integer", minimum: 1, maximum: 50 } },
    ],
    responses: {
      "200": { description: "{users:[{userId, displayName, segment, kind}]}" },
      "404": { description: "Not demo mode" },
    },
  },
  {
    method: "post",
    path: "/v1/auth/demo-login",
    summary: "Login by ID: a token for one user (AUTH_MODE=demo only)",
    tag: "users",
    requestBody: { type: "object", required: ["userId"], properties: { userId: { type: "string" } } },
    responses: {
      "200": { description: "{token, userId, expiresAt}" },
      "404": { description: "No such user, or not demo mode" },
    },
  },
  {
    method: "post",
    path: "/v1/users",
    summary: "Register a cold-start client with the dataset's profile fields; recommendations follow at once",
    tag: "users",
    requestBody: REGISTRATION_SCHEMA,
    responses: {
      "201": { description: "{userId, token (demo mode), lastEventId}" },
      "400": { description: "Invalid fields, with a reason per field" },
    },
  },
  {
    method: "get",
    path: "/v1/users/:id",
    summary:
      "The user's live state: consents, engagement (contacts, feedback, attribution), preference summary",
    tag: "users",
    auth: "user",
    parameters: [USER_PARAMETER],
    responses: { "200": { description: "User state" }, ...USER_ERRORS },
  },
  {
    method: "get",
    path: "/v1/users/:id/recommendations",
    summary:
      "Offers (primary and alternatives) with uplift, reasons and explanations, and suppressed products",
    tag: "recommendations",
    auth: "user",
    parameters: [
      USER_PARAMETER,
      { name: "k", in: "query", schema: { type: "integer", minimum: 1, maximum: 10 } },
      LANG,
      { name: "strategy", in: "query", schema: { type: "string", enum: ["uplift", "propensity", "rules"] } },
      { name: "record", in: "query", schema: { type: "string", enum: ["0", "1"] } },
      { name: "waitFor", in: "query", schema: { type: "string" } },
    ],
    responses: {
      "200": { description: "{offers[], suppressed[]}" },
      "400": { description: "Bad parameter" },
      ...USER_ERRORS,
    },
  },
  {
    method: "post",
    path: "/v1/chat",
    summary:
      "One chat turn; SSE (meta, delta, offers, done, error) with Accept: text/event-stream, else JSON",
    tag: "chat",
    auth: "user",
    requestBody: CHAT_SCHEMA,
    responses: {
      "200": { description: "SSE stream or JSON answer" },
      "400": { description: "Invalid message" },
      ...USER_ERRORS,
    },
  },
  {
    method: "post",
    path: "/v1/feedback",
    summary:
      "Like, dislike, not interested, complaint, rating, click or conversion on an offer, item or chat turn",
    tag: "feedback",
    auth: "user",
    requestBody: FEEDBACK_SCHEMA,
    responses: {
      "202": { description: "Recorded" },
      "400": { description: "Invalid feedback" },
      ...USER_ERRORS,
    },
  },
  {
    method: "get",
    path: "/v1/users/:id/operations",
    summary: "Operation history: card operations, salary, transfers, life events, product changes",
    tag: "users",
    auth: "user",
    parameters: [USER_PARAMETER, LANG],
    responses: { "200": { description: "{operations:[…]}" }, ...USER_ERRORS },
  },
  {
    method: "post",
    path: "/v1/users/:id/operations",
    summary: "Add an operation or life event by hand; answers with the recommendations it leads to",
    tag: "users",
    auth: "user",
    parameters: [USER_PARAMETER],
    requestBody: OPERATION_SCHEMA,
    responses: {
      "202": { description: "{eventId, applied, recommendations}" },
      "400": { description: "Invalid" },
      ...USER_ERRORS,
    },
  },
  {
    method: "get",
    path: "/v1/users/:id/notifications",
    summary:
      "Pushed offers: JSON inbox, or a live SSE stream (event `notification`) with Accept: text/event-stream",
    tag: "notifications",
    auth: "user",
    parameters: [USER_PARAMETER],
    responses: { "200": { description: "Inbox or stream" }, ...USER_ERRORS },
  },
  {
    method: "get",
    path: "/v1/users/:id/consents",
    summary: "Consents: personalization, marketing, llm",
    tag: "users",
    auth: "user",
    parameters: [USER_PARAMETER],
    responses: { "200": { description: "{consents}" }, ...USER_ERRORS },
  },
  {
    method: "put",
    path: "/v1/users/:id/consents",
    summary: "Grant or withdraw consents (any subset)",
    tag: "users",
    auth: "user",
    parameters: [USER_PARAMETER],
    requestBody: CONSENTS_SCHEMA,
    responses: {
      "200": { description: "{applied, consents}" },
      "400": { description: "Invalid" },
      ...USER_ERRORS,
    },
  },
];
