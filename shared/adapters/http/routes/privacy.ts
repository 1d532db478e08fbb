import { admins, type RouteDefinition } from "../route-definition";
import * as s from "../schemas/privacy";

// The privacy routes of the route table (routes.ts), one module per domain: a function's bundle imports its
// own route's module and so builds only that domain's schemas.

export const privacyExport = {
  id: "privacy-export",
  method: "GET",
  path: "/api/now/privacy/export",
  summary: "Everything stored about a phone number: profiles, consumers listing it, consent history, interactions and their messages",
  groups: admins,
  query: s.PrivacyExportQuery,
  responses: {
    200: {
      description:
        "One page, each kind in its own list (profiles, consumers, consents, then each interaction and its messages); pass cursor back and append",
      schema: s.PrivacyExport,
    },
  },
  status: 200,
  errors: ["INVALID_PHONE_NUMBER", "INVALID_CURSOR"],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const requestErasure = {
  id: "request-erasure",
  method: "POST",
  path: "/api/now/privacy/erasures",
  summary:
    "Erase a phone number: its profiles and consumer listings, message bodies and the number in interactions and events (kept: its opt-outs, as a keyed hash)",
  groups: admins,
  body: s.ErasureRequest,
  responses: {
    202: {
      description: "Accepted: it runs in the background (GET its id for progress). A number whose erasure is running gets that one back",
      schema: s.ErasureReport,
    },
  },
  status: 202,
  errors: ["INVALID_PHONE_NUMBER"],
  tableAccess: "readWrite",
} as const satisfies RouteDefinition;

export const getErasure = {
  id: "get-erasure",
  method: "GET",
  path: "/api/now/privacy/erasures/{id}",
  summary: "Where an erasure stands: running (at which step) or completed, with what it erased",
  groups: admins,
  params: s.ErasurePath,
  responses: { 200: { description: "The erasure, without the number", schema: s.ErasureReport } },
  status: 200,
  errors: ["ERASURE_NOT_FOUND"],
  tableAccess: "read",
} as const satisfies RouteDefinition;
