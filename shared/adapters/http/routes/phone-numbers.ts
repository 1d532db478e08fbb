import { anyone, type RouteDefinition } from "../route-definition";
import * as s from "../schemas/phone-numbers";

// The phone numbers routes of the route table (routes.ts), one module per domain: a function's bundle imports its
// own route's module and so builds only that domain's schemas.

export const validatePhoneNumber = {
  id: "validate-phone-number",
  method: "POST",
  path: "/api/now/initiate_message/validate_phone_number",
  summary: "Validate a phone number and convert it to E.164",
  groups: anyone,
  body: s.ValidatePhoneNumberRequest,
  responses: {
    200: { description: "The verdict: valid with the E.164 form, or invalid with a reason", schema: s.ValidatePhoneNumberResponse },
  },
  status: 200,
  errors: ["CONSUMER_NOT_FOUND"],
  tableAccess: "read",
} as const satisfies RouteDefinition;
