import * as z from "zod/mini";
import type { ChannelUserProfile as CoreChannelUserProfile } from "../../../core/model/channel-user-profile";
import type { Interaction as CoreInteraction, InteractionSummary as CoreInteractionSummary } from "../../../core/model/interaction";
import type { Message as CoreMessage, StoredMessage as CoreStoredMessage } from "../../../core/model/message";
import type { SendFromOption as CoreSendFromOption } from "../../../core/model/provider";
import { closeReasons } from "../../../core/model/service-event";
import { readsAs } from "../../schema-contract";
import { E164, EntityId, PhoneInput, Timestamp, PartyNumber } from "./common";

// Interactions, their messages and profiles: composing, initiating and retrying a send. (one file per domain: a function's bundle builds only the schemas its route's domain declares).

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
  /** The zone the answer is read in: the one that opens last where several count. */
  timeZone: z.string(),
  /** Where the zones came from: the consumer's timeZone, the number's own prefix (an area code), every zone of its country, or UTC (a number of no country). */
  timeZoneSource: z.enum(["consumer", "number_prefix", "country", "default"]),
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
    /** Why it closed, as its `interaction.closed` event says. */
    closedReason: z.optional(z.enum(closeReasons)),
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
    /** The service's automatic answer to the customer's STOP, START or HELP (those to STOP and HELP go whatever the opt-outs say). */
    answersKeyword: z.optional(z.enum(["stop", "start", "help"])),
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
export const SmsEncodingReport = z.object({
  encoding: z.enum(["GSM-7", "UCS-2"]),
  segments: z.number(),
  /** Characters as the encoding counts them, comparable with 160 (GSM-7: septets, € counts 2) or 70 (UCS-2: UTF-16 units, an emoji counts 2) in one segment. */
  characters: z.number(),
});
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
