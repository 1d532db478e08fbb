import { anyone, type RouteDefinition } from "../route-definition";
import * as s from "../schemas/consent";

// The consent routes of the route table (routes.ts), one module per domain: a function's bundle imports its
// own route's module and so builds only that domain's schemas.

export const getConsents = {
  id: "get-consents",
  method: "GET",
  path: "/api/now/consents",
  summary: "A number's consent to SMS per send-from number, and its full history (keywords, carrier, people)",
  groups: anyone,
  query: s.ConsentsQuery,
  responses: {
    200: {
      description: "The current state per send-from number (`*`: all of them) and every entry, oldest first",
      schema: s.ConsentReport,
    },
  },
  status: 200,
  errors: ["INVALID_PHONE_NUMBER"],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const recordConsent = {
  id: "record-consent",
  method: "POST",
  path: "/api/now/consents",
  summary: "Record an opt-out (agents, administrators) or an opt-in (administrators only) said outside SMS",
  groups: anyone,
  body: s.RecordConsentRequest,
  responses: {
    201: {
      description: "The entry, in force at once (a send decided meanwhile is refused), and the number's consent after it",
      schema: s.RecordedConsent,
    },
  },
  status: 201,
  errors: ["INVALID_PHONE_NUMBER", "UNKNOWN_SEND_FROM"],
  tableAccess: "readWrite",
  // An administrator's opt-in also lifts an opt-out an erasure kept under the number's keyed hash.
  usesPrivacyKey: true,
} as const satisfies RouteDefinition;
