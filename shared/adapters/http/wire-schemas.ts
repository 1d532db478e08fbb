import * as z from "zod/mini";
import { errorCodes } from "../../core/errors";
import type { ChannelUserProfile as CoreChannelUserProfile } from "../../core/model/channel-user-profile";
import { parseSendWindow } from "../../core/rules/send-window";
import type { Consumer as CoreConsumer } from "../../core/model/consumer";
import type { Interaction as CoreInteraction, InteractionSummary as CoreInteractionSummary } from "../../core/model/interaction";
import type { Message as CoreMessage, StoredMessage as CoreStoredMessage } from "../../core/model/message";
import { invalidReasons, numberSources, type NumberVerdict } from "../../core/model/phone-number";
import type { Provider as CoreProvider, SendFromOption as CoreSendFromOption } from "../../core/model/provider";
import { readsAs } from "../schema-contract";
import { eventTypes, type ServiceEvent as CoreServiceEvent } from "../../core/model/service-event";
import type { ConsentEntry as CoreConsentEntry } from "../../core/model/consent";
import { erasureSteps, type ErasureCounts as CoreErasureCounts, type ErasureReport as CoreErasureReport } from "../../core/model/erasure";

/**
 * Request and response schemas, declared once: they give the TypeScript types, the validation the
 * handlers run, and the OpenAPI document (`scripts/openapi.ts`). zod/mini keeps Lambda bundles small
 * (about 15 KB against 450 KB for zod's classic API).
 */

export const E164 = z.string().check(z.regex(/^\+[1-9]\d{1,14}$/, "must be an E.164 number such as +14155550171"));
export const CountryCode = z.string().check(z.regex(/^[A-Za-z]{2}$/, "must be an ISO 3166-1 alpha-2 country code such as US or GB"));
export const EntityId = z
  .string()
  .check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/, "must be 1-64 letters, digits, '_', '.', ':' or '-'"));
const PhoneInput = z.string().check(z.minLength(1, "must not be empty"), z.maxLength(64, "must be at most 64 characters"));
const Timestamp = z.string();
/** A number a record keeps: E.164, or `erased` once a privacy erasure removed the customer's. */
const PartyNumber = z.union([E164, z.literal("erased")]);

export const Group = z.enum(["agents", "admins"]);
export type Group = z.infer<typeof Group>;

/**
 * What `errorBody` answers: a code from the service's list and a message, and beside them any
 * details the error carries (`reason`, `field`, `currentConsumer`, `messageStatus`, ...), hence loose.
 */
export const ErrorResponse = z.object({
  error: z.looseObject({ code: z.enum(errorCodes), message: z.string() }),
});

// ---- phone number validation -------------------------------------------------------------

export const NumberSource = z.enum(numberSources);
export const InvalidReason = z.enum(invalidReasons);

export const ValidatePhoneNumberRequest = z.strictObject({
  phoneNumber: PhoneInput,
  consumerId: z.optional(EntityId),
  country: z.optional(CountryCode),
});
export const ValidPhoneNumber = z.object({
  valid: z.literal(true),
  e164: E164,
  country: z.string(),
  source: NumberSource,
  type: z.optional(z.string()),
  extension: z.optional(z.string()),
});
export const InvalidPhoneNumber = z.object({
  valid: z.literal(false),
  reason: InvalidReason,
  message: z.string(),
});
export const ValidatePhoneNumberResponse = readsAs<NumberVerdict>()(z.union([ValidPhoneNumber, InvalidPhoneNumber]));

// ---- consumers -----------------------------------------------------------------------------

export const CreateConsumerRequest = z.strictObject({
  id: z.optional(EntityId),
  name: z.string().check(z.minLength(1, "must not be empty"), z.maxLength(200, "must be at most 200 characters")),
  location: z.optional(CountryCode),
  /** IANA time zone name, checked by the use case (an unknown zone is a 400 that says so). */
  timeZone: z.optional(z.string().check(z.minLength(1, "must not be empty"), z.maxLength(64, "must be at most 64 characters"))),
  phoneNumbers: z.optional(z.array(PhoneInput).check(z.maxLength(10, "at most 10 numbers per consumer"))),
});
export const Consumer = readsAs<CoreConsumer>()(
  z.object({
    id: EntityId,
    name: z.string(),
    location: z.optional(z.string()),
    timeZone: z.optional(z.string()),
    phoneNumbers: z.array(E164),
    createdAt: Timestamp,
  }),
);
export const ConsumerPath = z.strictObject({ id: EntityId });
export const FindConsumersQuery = z.strictObject({ phoneNumber: PhoneInput });
export const ConsumerList = z.object({ items: z.array(Consumer) });

// ---- providers -----------------------------------------------------------------------------

/** Message parts (segments) per second the number is allowed, e.g. 1 for a 10DLC number, 100 for a short code. */
// At least 0.001 (a part every 1,000 s): below that DynamoDB cannot store the number (it underflows).
const Mps = z
  .number()
  .check(z.gte(0.001, "must be at least 0.001 message parts per second"), z.lte(1000, "must be at most 1000 message parts per second"));
/** The number's own send window, the recipient's local time. */
const SendWindowText = z
  .string()
  .check(z.refine((text) => parseSendWindow(text) !== undefined, "must be HH:MM-HH:MM with the start before the end, such as 08:00-21:00"));
/** How long a message may wait for its hand-over, in seconds. */
const ValidForSeconds = z
  .number()
  .check(
    z.int("must be a whole number of seconds"),
    z.gte(60, "must be at least 60 seconds"),
    z.lte(259_200, "must be at most 259200 seconds (3 days)"),
  );

export const CreateProviderRequest = z.strictObject({
  number: PhoneInput,
  name: z.string().check(z.minLength(1, "must not be empty"), z.maxLength(100, "must be at most 100 characters")),
  channel: z.optional(z.literal("sms")),
  active: z.optional(z.boolean()),
  mps: z.optional(Mps),
  validForSeconds: z.optional(ValidForSeconds),
  sendWindow: z.optional(SendWindowText),
});
export const UpdateProviderRequest = z
  .strictObject({
    name: z.optional(z.string().check(z.minLength(1, "must not be empty"), z.maxLength(100, "must be at most 100 characters"))),
    active: z.optional(z.boolean()),
    /** null removes the limit. */
    mps: z.optional(z.nullable(Mps)),
    /** null goes back to the default (3600). */
    validForSeconds: z.optional(z.nullable(ValidForSeconds)),
    /** null goes back to the service's SEND_WINDOW. */
    sendWindow: z.optional(z.nullable(SendWindowText)),
  })
  .check(
    z.refine(
      (patch) => Object.values(patch).some((value) => value !== undefined),
      "give name, active, mps, validForSeconds or sendWindow (a provider's number cannot change: create a new provider)",
    ),
  );
export const Provider = readsAs<CoreProvider>()(
  z.object({
    id: EntityId,
    number: E164,
    name: z.string(),
    channel: z.literal("sms"),
    active: z.boolean(),
    mps: z.optional(z.number()),
    validForSeconds: z.optional(z.number()),
    sendWindow: z.optional(z.string()),
    createdAt: Timestamp,
    updatedAt: Timestamp,
  }),
);
export const ProviderPath = z.strictObject({ id: EntityId });
export const ProviderList = z.object({ items: z.array(Provider) });

// ---- compose options -----------------------------------------------------------------------

export const ComposeOptionsQuery = z.strictObject({
  consumerId: EntityId,
  interactionId: z.optional(EntityId),
});
export const SendFromOption = readsAs<CoreSendFromOption>()(z.object({ number: E164, providerId: EntityId, name: z.string() }));
export const InteractionSummary = readsAs<CoreInteractionSummary>()(
  z.object({
    id: EntityId,
    type: z.enum(["sms", "phone"]),
    state: z.enum(["new", "queued", "work_in_progress", "closed_complete", "closed_abandoned"]),
    handler: z.enum(["agent", "virtual_agent", "queue"]),
    assignedTo: z.nullable(z.string()),
    consumerId: z.nullable(EntityId),
    from: z.optional(PartyNumber),
    to: z.optional(PartyNumber),
  }),
);
/** The send window as it applies to a send: open or not in the recipient's zone, and the customer's reply grace. */
export const SendWindowReport = z.object({
  open: z.boolean(),
  timeZone: z.string(),
  /** When the window opens next, ISO 8601 with the recipient's offset (closed windows only). */
  nextAllowedAt: z.optional(z.string()),
  /** The customer wrote recently: a send is allowed until then although the window is closed. */
  replyGraceUntil: z.optional(Timestamp),
});
export const ComposeOptionsResponse = z.object({
  available: z.boolean(),
  reason: z.optional(z.literal("NO_MESSAGING_PROVIDER")),
  consumerId: EntityId,
  sendFrom: z.array(SendFromOption),
  defaultSendFrom: z.nullable(E164),
  sendTo: z.array(E164),
  defaultSendTo: z.nullable(E164),
  /** The default pair (send-from, send-to) is opted out: a send would be refused. */
  optedOut: z.boolean(),
  /** The send window for the default pair (absent without one): closed means a send now answers 409 OUTSIDE_SEND_WINDOW. */
  sendWindow: z.optional(SendWindowReport),
  activeInteraction: z.optional(InteractionSummary),
});

// ---- interactions, messages, profiles --------------------------------------------------------

export const Participant = z.object({ agentId: z.string(), joinedAt: Timestamp });
export const Interaction = readsAs<CoreInteraction>()(
  z.object({
    ...InteractionSummary.shape,
    active: z.boolean(),
    createdAt: Timestamp,
    updatedAt: Timestamp,
    lastActivityAt: z.optional(Timestamp),
    closedAt: z.optional(Timestamp),
    closedReason: z.optional(z.string()),
  }),
);
export const InteractionWithParticipants = z.object({ ...Interaction.shape, participants: z.array(Participant) });
export const Message = readsAs<CoreMessage>()(
  z.object({
    id: z.string(),
    interactionId: EntityId,
    direction: z.enum(["inbound", "outbound"]),
    /** null once erased (then `redacted: true`). */
    body: z.nullable(z.string()),
    /** E.164, or `erased` where a privacy erasure removed the customer's number. */
    from: PartyNumber,
    to: PartyNumber,
    agentId: z.optional(z.string()),
    status: z.enum(["scheduled", "queued", "sending", "sent", "delivered", "failed", "received"]),
    createdAt: Timestamp,
    providerMessageId: z.optional(z.string()),
    errorCode: z.optional(z.string()),
    /** A send made outside the recipient's window with scheduleIfOutsideWindow: when it goes (ISO 8601 UTC, the instant of nextAllowedAt). */
    scheduledFor: z.optional(Timestamp),
    /** The body and the customer's number were erased. */
    redacted: z.optional(z.boolean()),
  }),
);
/** An outbound message with its delivery bookkeeping (attempts, receipts). */
export const DeliveredMessage = readsAs<CoreStoredMessage>()(
  z.object({
    ...Message.shape,
    /** Hand-overs to the transport; absent means 1. */
    attempts: z.optional(z.number()),
    retriedAt: z.optional(Timestamp),
    retriedBy: z.optional(z.string()),
    deliveredAt: z.optional(Timestamp),
    failedAt: z.optional(Timestamp),
    /** The last delivery receipt applied to the message. */
    lastReceipt: z.optional(
      z.object({
        eventType: z.string(),
        eventTimestamp: z.number(),
        at: Timestamp,
        messageStatus: z.optional(z.string()),
        messageStatusDescription: z.optional(z.string()),
        isFinal: z.optional(z.boolean()),
        receivedAt: Timestamp,
      }),
    ),
    /** Provider ids of attempts before a retry: their late receipts no longer apply. */
    earlierProviderMessageIds: z.optional(z.array(z.string())),
    /** When its scheduledFor came and the sweep queued it. */
    promotedAt: z.optional(Timestamp),
    /** When the transport took it. */
    sentAt: z.optional(Timestamp),
    /** The sender's claim while `sending`. */
    claim: z.optional(z.object({ id: z.string(), at: Timestamp, leaseUntil: Timestamp })),
    /** Throttled by the transport: waits in the queue until then. */
    notBefore: z.optional(Timestamp),
    /** Times the transport answered "throttled" on this attempt. */
    throttled: z.optional(z.number()),
    /** Last time the pipeline dispatched this queued message again. */
    redispatchedAt: z.optional(Timestamp),
    /** How often the sweep dispatched this attempt again (each time it waits twice as long). */
    sweeps: z.optional(z.number()),
  }),
);
/** A page of an interaction's messages as stored, oldest first: outbound ones with their delivery bookkeeping. */
export const MessageList = z.object({ items: z.array(DeliveredMessage), cursor: z.optional(z.string()) });
export const MessagesQuery = z.strictObject({
  after: z.optional(z.string().check(z.minLength(1, "must not be empty"), z.maxLength(2048, "is not a cursor this API gave"))),
  limit: z.optional(z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, "must be a whole number from 1 to 100"))),
});
export const InteractionPath = z.strictObject({ id: EntityId });
export const CreateInteractionRequest = z.strictObject({
  type: z.literal("phone"),
  consumerId: EntityId,
  phoneNumber: PhoneInput,
});
export const ListInteractionsQuery = z.strictObject({
  consumerId: z.optional(EntityId),
  assignedTo: z.optional(z.literal("me")),
  active: z.optional(z.enum(["true", "false"])),
  limit: z.optional(z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, "must be a whole number from 1 to 100"))),
  cursor: z.optional(z.string().check(z.maxLength(2048, "is not a cursor this API gave"))),
});
export const InteractionList = z.object({ items: z.array(Interaction), cursor: z.optional(z.string()) });

export const ChannelUserProfile = readsAs<CoreChannelUserProfile>()(
  z.object({
    id: z.string(),
    phoneNumber: E164,
    channel: z.literal("sms"),
    consumerId: EntityId,
    active: z.boolean(),
    createdAt: Timestamp,
    deactivatedAt: z.optional(Timestamp),
  }),
);
export const ProfileList = z.object({ items: z.array(ChannelUserProfile) });
export const ProfilesQuery = z.strictObject({ phoneNumber: PhoneInput });
export const ValidateProfileRequest = z.strictObject({ consumerId: EntityId, phoneNumber: PhoneInput });
export const ValidateProfileResponse = z.object({
  status: z.enum(["available", "associated_with_consumer", "associated_with_other_consumer"]),
  phoneNumber: E164,
  profile: z.optional(ChannelUserProfile),
  currentConsumer: z.optional(z.object({ id: EntityId, name: z.string() })),
  message: z.optional(z.string()),
});

// ---- initiating a conversation ---------------------------------------------------------------

export const InitiateMessageRequest = z.strictObject({
  consumerId: EntityId,
  message: z.string(),
  to: z.optional(PhoneInput),
  from: z.optional(PhoneInput),
  originInteractionId: z.optional(EntityId),
  confirmReassociation: z.optional(z.boolean()),
  dryRun: z.optional(z.boolean()),
  /** Outside the recipient's send window: 202 with the message scheduled for when it opens, instead of 409 OUTSIDE_SEND_WINDOW. */
  scheduleIfOutsideWindow: z.optional(z.boolean()),
});
export const Outcome = z.enum(["created", "injected", "replaced_virtual_agent", "replaced_other_consumer"]);
export const SmsEncodingReport = z.object({ encoding: z.enum(["GSM-7", "UCS-2"]), segments: z.number(), characters: z.number() });
export const InitiateMessageResponse = z.object({
  outcome: Outcome,
  interaction: InteractionWithParticipants,
  closedInteractionId: z.optional(EntityId),
  message: z.object({ ...DeliveredMessage.shape, ...SmsEncodingReport.shape }),
});
export const InitiateMessageDryRun = z.object({
  dryRun: z.literal(true),
  outcome: Outcome,
  from: E164,
  to: E164,
  /** The interaction the message would join, or the one it would close. */
  interaction: z.optional(InteractionSummary),
  closedInteractionId: z.optional(EntityId),
  profile: z.object({ change: z.enum(["keep", "create", "move"]), currentConsumerId: z.optional(EntityId) }),
  message: SmsEncodingReport,
  sendWindow: SendWindowReport,
  /** The window is closed and the request says scheduleIfOutsideWindow: the send would answer 202 with the message scheduled. */
  wouldSchedule: z.optional(z.literal(true)),
  /** When it would go (ISO 8601 UTC): the instant of sendWindow.nextAllowedAt. */
  scheduledFor: z.optional(Timestamp),
});

// ---- retrying a failed message ---------------------------------------------------------------

export const MessagePath = z.strictObject({ id: EntityId, messageId: EntityId });
export const RetryMessageResponse = z.object({ message: z.object({ ...DeliveredMessage.shape, ...SmsEncodingReport.shape }) });

// ---- events ----------------------------------------------------------------------------------

const Cursor = z.string().check(z.minLength(1, "must not be empty"), z.maxLength(2048, "is not a cursor this API gave"));
const PageLimit = z.string().check(z.regex(/^(100|[1-9][0-9]?)$/, "must be a whole number from 1 to 100"));
export const ServiceEvent = readsAs<CoreServiceEvent>()(
  z.object({
    /** Unique: deduplicate by it (delivery to integrations is at least once). */
    id: z.string(),
    type: z.enum(eventTypes),
    occurredAt: Timestamp,
    interactionId: z.optional(EntityId),
    /** Within one interaction, strictly increasing in commit order (not contiguous). */
    sequence: z.optional(z.number()),
    actor: z.object({ type: z.enum(["agent", "customer", "system"]), id: z.optional(z.string()) }),
    data: z.record(z.string(), z.unknown()),
  }),
);
export const EventFeedQuery = z.strictObject({
  /** The cursor of the previous answer; without it, the answer is the cursor of now. */
  after: z.optional(Cursor),
  limit: z.optional(PageLimit),
  waitSeconds: z.optional(z.string().check(z.regex(/^(20|1?[0-9])$/, "must be a whole number of seconds from 0 to 20"))),
});
export const EventFeed = z.object({ items: z.array(ServiceEvent), cursor: z.string() });
export const InteractionEventsQuery = z.strictObject({ after: z.optional(Cursor), limit: z.optional(PageLimit) });
export const EventList = z.object({ items: z.array(ServiceEvent), cursor: z.optional(z.string()) });

// ---- consent ledger ----------------------------------------------------------------------------

const ProviderNumberOrAll = z.union([E164, z.literal("*")]);
export const ConsentEntry = readsAs<CoreConsentEntry>()(
  z.object({
    id: z.string(),
    phoneNumber: E164,
    /** A send-from number, or `*` for all of them. */
    providerNumber: ProviderNumberOrAll,
    state: z.enum(["opted_in", "opted_out"]),
    source: z.enum(["keyword", "agent", "carrier", "admin"]),
    actorId: z.optional(z.string()),
    evidence: z.optional(z.string()),
    messageId: z.optional(z.string()),
    at: Timestamp,
  }),
);
export const ConsentsQuery = z.strictObject({ phoneNumber: PhoneInput });
export const ConsentReport = z.object({
  phoneNumber: E164,
  consents: z.array(
    z.object({
      providerNumber: ProviderNumberOrAll,
      state: z.enum(["opted_in", "opted_out", "unknown"]),
      since: z.optional(Timestamp),
    }),
  ),
  history: z.array(ConsentEntry),
});
export const RecordConsentRequest = z.strictObject({
  phoneNumber: PhoneInput,
  providerNumber: ProviderNumberOrAll,
  state: z.enum(["opted_in", "opted_out"]),
  /** What it rests on, e.g. "said so on the call of 2 Dec, ticket 4711". */
  evidence: z.optional(z.string().check(z.minLength(1, "must not be empty"), z.maxLength(500, "must be at most 500 characters"))),
});
export const RecordedConsent = z.object({ ...ConsentReport.shape, entry: ConsentEntry });

// ---- privacy: export and erasure ---------------------------------------------------------------

export const PrivacyExportQuery = z.strictObject({
  phoneNumber: PhoneInput,
  /** Records per page (profiles, consumers, entries, interactions and messages together), 1-100, default 100. */
  limit: z.optional(PageLimit),
  cursor: z.optional(Cursor),
});
export const PrivacyExport = z.object({
  phoneNumber: E164,
  profiles: z.array(ChannelUserProfile),
  consumers: z.array(Consumer),
  /** The consent ledger's entries, oldest first. */
  consents: z.array(ConsentEntry),
  interactions: z.array(Interaction),
  /** The messages of `interactions` (each names its `interactionId`), oldest first within each. */
  messages: z.array(DeliveredMessage),
  /** Present while more follows: pass it back as `cursor` and append each list. */
  cursor: z.optional(z.string()),
});
export const ErasureRequest = z.strictObject({ phoneNumber: PhoneInput });
export const ErasurePath = z.strictObject({ id: EntityId });
export const ErasureCounts = readsAs<CoreErasureCounts>()(
  z.object({
    profiles: z.number(),
    consumers: z.number(),
    interactions: z.number(),
    closedInteractions: z.number(),
    messages: z.number(),
    events: z.number(),
    consents: z.number(),
    optOutsKept: z.number(),
    itemsTouched: z.number(),
  }),
);
export const ErasureReport = readsAs<CoreErasureReport>()(
  z.object({
    id: z.string(),
    status: z.enum(["running", "completed"]),
    requestedAt: Timestamp,
    /** The administrator who asked. */
    requestedBy: z.string(),
    completedAt: z.optional(Timestamp),
    /** While running: the step it is at. */
    step: z.optional(z.enum(erasureSteps)),
    counts: ErasureCounts,
  }),
);
