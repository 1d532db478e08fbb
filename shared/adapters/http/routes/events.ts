import { anyone, type RouteDefinition } from "../route-definition";
import { InteractionPath } from "../schemas/common";
import * as s from "../schemas/events";

// The events routes of the route table (routes.ts), one module per domain: a function's bundle imports its
// own route's module and so builds only that domain's schemas.

export const listInteractionEvents = {
  id: "list-interaction-events",
  method: "GET",
  path: "/api/now/interactions/{id}/events",
  summary: "An interaction's events in commit order, for a transcript",
  groups: anyone,
  params: InteractionPath,
  query: s.InteractionEventsQuery,
  responses: { 200: { description: "One page, oldest first; pass cursor back as after for the next", schema: s.EventList } },
  status: 200,
  errors: ["INTERACTION_NOT_FOUND", "INVALID_CURSOR"],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const followEvents = {
  id: "follow-events",
  method: "GET",
  path: "/api/now/events",
  summary: "What happened after your cursor, oldest first; waits up to waitSeconds for something new",
  groups: anyone,
  query: s.EventFeedQuery,
  responses: {
    200: {
      description:
        "The events you may see after the cursor (agents: interactions you joined, and new virtual-agent and queued ones; admins: all), and the cursor to pass as after next time",
      schema: s.EventFeed,
    },
  },
  status: 200,
  errors: ["INVALID_CURSOR"],
  tableAccess: "read",
  // A long-poll holds up to 20 s; API Gateway gives an integration 29 s.
  timeoutSeconds: 25,
} as const satisfies RouteDefinition;
