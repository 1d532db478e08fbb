import * as z from "zod/mini";
import type { ErrorCode } from "../../core/errors";
import * as s from "./wire-schemas";
import type { Group } from "./wire-schemas";

/**
 * The route table, declared once. It drives the CDK stack (one function per route, at
 * `functions/<id>/handler.ts`), the local server, request validation and the OpenAPI document.
 */
export interface RouteDefinition {
  /** Function folder under `functions/`, construct id and OpenAPI operationId. */
  readonly id: string;
  readonly method: "GET" | "POST" | "PATCH";
  /** API Gateway path, parameters in braces. */
  readonly path: string;
  readonly summary: string;
  /** The caller needs at least one of these groups (claim `cognito:groups`). */
  readonly groups: readonly Group[];
  readonly body?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  readonly params?: z.ZodMiniType;
  /** Optional request headers the route reads (beside Authorization and Content-Type): documented as header parameters. */
  readonly headers?: readonly { readonly name: string; readonly description: string; readonly schema: z.ZodMiniType }[];
  /** Success responses by status. Error responses are common to all routes. */
  readonly responses: Readonly<Record<number, { description: string; schema: z.ZodMiniType }>>;
  /** The success status: one of `responses`, or chosen from the use case's answer. */
  readonly status: number | ((answer: never) => number);
  /** Error codes this route can answer besides the common ones (the OpenAPI document lists them). */
  readonly errors: readonly ErrorCode[];
  /** What the function may do to the table: the stack grants exactly this. */
  readonly tableAccess: "read" | "readWrite";
  /** The function loads the compose defaults extension (the stack bundles a deployer's module into it). */
  readonly usesComposeExtension?: boolean;
  /** The function hashes numbers with the privacy key (the stack lets it read the key's secret, and only it). */
  readonly usesPrivacyKey?: boolean;
}

const anyone: readonly Group[] = ["agents", "admins"];
const admins: readonly Group[] = ["admins"];
const agents: readonly Group[] = ["agents"];

export const routes = {
  validatePhoneNumber: {
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
  },
  composeOptions: {
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
  },
  createConsumer: {
    id: "create-consumer",
    method: "POST",
    path: "/api/now/consumers",
    summary: "Create a consumer (customer) with its phone numbers",
    groups: admins,
    body: s.CreateConsumerRequest,
    responses: { 201: { description: "The consumer, numbers in E.164", schema: s.Consumer } },
    status: 201,
    errors: ["CONSUMER_ALREADY_EXISTS", "INVALID_PHONE_NUMBER"],
    tableAccess: "readWrite",
  },
  getConsumer: {
    id: "get-consumer",
    method: "GET",
    path: "/api/now/consumers/{id}",
    summary: "Read one consumer",
    groups: anyone,
    params: s.ConsumerPath,
    responses: { 200: { description: "The consumer", schema: s.Consumer } },
    status: 200,
    errors: ["CONSUMER_NOT_FOUND"],
    tableAccess: "read",
  },
  findConsumers: {
    id: "find-consumers",
    method: "GET",
    path: "/api/now/consumers",
    summary: "Find the consumers who list a phone number",
    groups: anyone,
    query: s.FindConsumersQuery,
    responses: { 200: { description: "Consumers listing the number (any format is normalised first)", schema: s.ConsumerList } },
    status: 200,
    errors: ["INVALID_PHONE_NUMBER"],
    tableAccess: "read",
  },
  createProvider: {
    id: "create-provider",
    method: "POST",
    path: "/api/now/providers",
    summary: "Create a messaging provider (a send-from number)",
    groups: admins,
    body: s.CreateProviderRequest,
    responses: { 201: { description: "The provider", schema: s.Provider } },
    status: 201,
    errors: ["PROVIDER_NUMBER_TAKEN", "INVALID_PHONE_NUMBER"],
    tableAccess: "readWrite",
  },
  listProviders: {
    id: "list-providers",
    method: "GET",
    path: "/api/now/providers",
    summary: "List messaging providers, active and inactive",
    groups: anyone,
    responses: { 200: { description: "Every provider", schema: s.ProviderList } },
    status: 200,
    errors: [],
    tableAccess: "read",
  },
  updateProvider: {
    id: "update-provider",
    method: "PATCH",
    path: "/api/now/providers/{id}",
    summary: "Rename, deactivate or reactivate a provider",
    groups: admins,
    params: s.ProviderPath,
    body: s.UpdateProviderRequest,
    responses: { 200: { description: "The provider after the change", schema: s.Provider } },
    status: 200,
    errors: ["PROVIDER_NOT_FOUND"],
    tableAccess: "readWrite",
  },
  initiateMessage: {
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
  },
  validateProfile: {
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
  },
  listProfiles: {
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
  },
  createInteraction: {
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
  },
  listInteractions: {
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
  },
  getInteraction: {
    id: "get-interaction",
    method: "GET",
    path: "/api/now/interactions/{id}",
    summary: "One interaction with its live group (participants)",
    groups: agents,
    params: s.InteractionPath,
    responses: { 200: { description: "The interaction", schema: s.InteractionWithParticipants } },
    status: 200,
    errors: ["INTERACTION_NOT_FOUND"],
    tableAccess: "read",
  },
  listMessages: {
    id: "list-messages",
    method: "GET",
    path: "/api/now/interactions/{id}/messages",
    summary: "An interaction's messages, oldest first, a page at a time",
    groups: agents,
    params: s.InteractionPath,
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
  },
  listInteractionEvents: {
    id: "list-interaction-events",
    method: "GET",
    path: "/api/now/interactions/{id}/events",
    summary: "An interaction's events in commit order, for a transcript",
    groups: anyone,
    params: s.InteractionPath,
    query: s.InteractionEventsQuery,
    responses: { 200: { description: "One page, oldest first; pass cursor back as after for the next", schema: s.EventList } },
    status: 200,
    errors: ["INTERACTION_NOT_FOUND", "INVALID_CURSOR"],
    tableAccess: "read",
  },
  followEvents: {
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
  },
  closeInteraction: {
    id: "close-interaction",
    method: "POST",
    path: "/api/now/interactions/{id}/close",
    summary: "Close an interaction; an SMS one frees its conversation key",
    groups: agents,
    params: s.InteractionPath,
    responses: { 200: { description: "The closed interaction", schema: s.InteractionWithParticipants } },
    status: 200,
    errors: ["INTERACTION_NOT_FOUND", "INTERACTION_NOT_ACTIVE"],
    tableAccess: "readWrite",
  },
  retryMessage: {
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
  },
  getConsents: {
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
  },
  recordConsent: {
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
  },
  privacyExport: {
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
  },
  requestErasure: {
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
  },
  getErasure: {
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
  },
} as const satisfies Record<string, RouteDefinition>;

export type RouteKey = keyof typeof routes;
export const routeList: readonly RouteDefinition[] = Object.values(routes);
