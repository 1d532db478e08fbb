import * as z from "zod/mini";
import { agents, type RouteDefinition } from "../route-definition";
import { InteractionPath } from "../schemas/common";
import * as s from "../schemas/interactions";

// The interactions routes of the route table (routes.ts), one module per domain: a function's bundle imports its
// own route's module and so builds only that domain's schemas.

export const composeOptions = {
  id: "compose-options",
  method: "GET",
  path: "/api/now/initiate_message/compose_options",
  summary: "Send-from and send-to choices and defaults for the Compose SMS screen",
  groups: agents,
  query: s.ComposeOptionsQuery,
  responses: { 200: { description: "Choices, defaults and any ongoing SMS conversation", schema: s.ComposeOptionsResponse } },
  status: 200,
  errors: ["CONSUMER_NOT_FOUND", "INTERACTION_NOT_FOUND"],
  tableAccess: "read",
  usesComposeExtension: true,
} as const satisfies RouteDefinition;

export const initiateMessage = {
  id: "initiate-message",
  method: "POST",
  path: "/api/now/initiate_message",
  summary: "Send an agent's SMS: start a conversation, or join or replace the one running",
  groups: agents,
  body: s.InitiateMessageRequest,
  headers: [
    {
      name: "Idempotency-Key",
      description:
        "Makes the send safe to retry: the same key (per agent) with the same body answers the first send's answer and sends nothing again; " +
        "with another body, 422 IDEMPOTENCY_KEY_REUSED. A dry run neither records nor replays it. 1-200 visible ASCII characters, such as a UUID.",
      schema: z.string().check(z.regex(/^[\x21-\x7e]{1,200}$/, "must be 1-200 visible ASCII characters")),
    },
  ],
  responses: {
    201: { description: "A new interaction was created (outcome created or replaced_*)", schema: s.InitiateMessageResponse },
    200: {
      description: "The message joined the running interaction (injected), or the dry run's verdict",
      schema: z.union([s.InitiateMessageResponse, s.InitiateMessageDryRun]),
    },
    202: {
      description:
        "The recipient's send window was closed and the request said scheduleIfOutsideWindow: the decision was applied (any outcome) " +
        "and the message stored with status scheduled and scheduledFor (ISO 8601 UTC, when the window opens); " +
        "the pipeline hands it over then, unless the customer opted out meanwhile. An idempotent replay answers 202 again.",
      schema: s.InitiateMessageResponse,
    },
  },
  status: (answer: z.infer<typeof s.InitiateMessageResponse> | z.infer<typeof s.InitiateMessageDryRun>) =>
    "dryRun" in answer ? 200 : answer.message.scheduledFor !== undefined ? 202 : answer.outcome === "injected" ? 200 : 201,
  errors: [
    "CONSUMER_NOT_FOUND",
    "INTERACTION_NOT_FOUND",
    "NO_MESSAGING_PROVIDER",
    "PROFILE_REASSOCIATION_REQUIRED",
    "RECIPIENT_OPTED_OUT",
    "OUTSIDE_SEND_WINDOW",
    "CONVERSATION_BUSY",
    "INVALID_PHONE_NUMBER",
    "UNKNOWN_SEND_FROM",
    "IDEMPOTENCY_KEY_REUSED",
    "MESSAGE_EMPTY",
    "MESSAGE_TOO_LONG",
  ],
  tableAccess: "readWrite",
  usesComposeExtension: true,
  // Its transaction checks the opt-outs an erasure kept under the number's keyed hash.
  usesPrivacyKey: true,
} as const satisfies RouteDefinition;

export const validateProfile = {
  id: "validate-profile",
  method: "POST",
  path: "/api/now/initiate_message/validate_profile",
  summary: "Whose is this number on the SMS channel, seen from the consumer being served",
  groups: agents,
  body: s.ValidateProfileRequest,
  responses: {
    200: { description: "available, associated_with_consumer or associated_with_other_consumer", schema: s.ValidateProfileResponse },
  },
  status: 200,
  errors: ["CONSUMER_NOT_FOUND", "INVALID_PHONE_NUMBER"],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const listProfiles = {
  id: "list-profiles",
  method: "GET",
  path: "/api/now/channel_user_profiles",
  summary: "A number's channel user profiles, active and history, newest first",
  groups: agents,
  query: s.ProfilesQuery,
  responses: { 200: { description: "The profiles", schema: s.ProfileList } },
  status: 200,
  errors: ["INVALID_PHONE_NUMBER"],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const createInteraction = {
  id: "create-interaction",
  method: "POST",
  path: "/api/now/interactions",
  summary: "Record a phone interaction (what a telephony integration does when a call is answered)",
  groups: agents,
  body: s.CreateInteractionRequest,
  responses: { 201: { description: "The interaction, assigned to the caller", schema: s.Interaction } },
  status: 201,
  errors: ["CONSUMER_NOT_FOUND", "INVALID_PHONE_NUMBER"],
  tableAccess: "readWrite",
} as const satisfies RouteDefinition;

export const listInteractions = {
  id: "list-interactions",
  method: "GET",
  path: "/api/now/interactions",
  summary: "A consumer's interactions, or your active ones, newest first",
  groups: agents,
  query: s.ListInteractionsQuery,
  responses: { 200: { description: "One page; pass cursor back for the next", schema: s.InteractionList } },
  status: 200,
  errors: ["INVALID_CURSOR"],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const getInteraction = {
  id: "get-interaction",
  method: "GET",
  path: "/api/now/interactions/{id}",
  summary: "One interaction with its live group (participants)",
  groups: agents,
  params: InteractionPath,
  responses: { 200: { description: "The interaction", schema: s.InteractionWithParticipants } },
  status: 200,
  errors: ["INTERACTION_NOT_FOUND"],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const listMessages = {
  id: "list-messages",
  method: "GET",
  path: "/api/now/interactions/{id}/messages",
  summary: "An interaction's messages, oldest first, a page at a time",
  groups: agents,
  params: InteractionPath,
  query: s.MessagesQuery,
  responses: {
    200: {
      description: "A page of the messages, inbound and outbound (limit default 100); pass cursor as after for the next",
      schema: s.MessageList,
    },
  },
  status: 200,
  errors: ["INTERACTION_NOT_FOUND", "INVALID_CURSOR"],
  tableAccess: "read",
} as const satisfies RouteDefinition;

export const closeInteraction = {
  id: "close-interaction",
  method: "POST",
  path: "/api/now/interactions/{id}/close",
  summary: "Close an interaction; an SMS one frees its conversation key",
  groups: agents,
  params: InteractionPath,
  responses: { 200: { description: "The closed interaction", schema: s.InteractionWithParticipants } },
  status: 200,
  errors: ["INTERACTION_NOT_FOUND", "INTERACTION_NOT_ACTIVE"],
  tableAccess: "readWrite",
} as const satisfies RouteDefinition;

export const retryMessage = {
  id: "retry-message",
  method: "POST",
  path: "/api/now/interactions/{id}/messages/{messageId}/retry",
  summary: "Send a failed outbound message again (once, however many retries arrive at the same time)",
  groups: agents,
  params: s.MessagePath,
  responses: {
    200: {
      description: "The message back in the queue (`queued`, attempts + 1, a fresh validity): the pipeline hands it over",
      schema: s.RetryMessageResponse,
    },
  },
  status: 200,
  errors: ["MESSAGE_NOT_FOUND", "MESSAGE_NOT_RETRYABLE", "INTERACTION_NOT_ACTIVE", "RECIPIENT_OPTED_OUT"],
  tableAccess: "readWrite",
} as const satisfies RouteDefinition;
