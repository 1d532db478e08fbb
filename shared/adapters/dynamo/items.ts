import type { ConsentEntry } from "../../core/model/consent";
import type { Erasure } from "../../core/model/erasure";
import type { ChannelUserProfile } from "../../core/model/channel-user-profile";
import type { Consumer } from "../../core/model/consumer";
import { lockOf } from "../../core/model/conversation-lock";
import type { Interaction } from "../../core/model/interaction";
import type { AsideReceipt } from "../../core/ports/message-store";
import type { Message } from "../../core/model/message";
import type { Provider } from "../../core/model/provider";
import type { ServiceEvent } from "../../core/model/service-event";
import type { IdempotencyRecord } from "../../core/ports/conversation-store";
import { isPending } from "../../core/rules/message-status";
import { keys, tableDesign, type ItemKey } from "./table-design";

/**
 * Every entity's item codec, declared once beside the key design: what each record looks like on
 * the single table (its keys, index attributes and `itemType`) and how a record is read back.
 * Stores build their writes from these and never spell an item by hand. `docs/data-model.md`
 * lists them.
 */
export type ItemType =
  | "consumer"
  | "consumerPhone"
  | "provider"
  | "providerNumber"
  | "activeProfile"
  | "profile"
  | "interaction"
  | "participant"
  | "message"
  | "messageById"
  | "conversationLock"
  | "optOut"
  | "consentEntry"
  | "lastInbound"
  | "inboundMessage"
  | "idempotencyKey"
  | "receiptAside"
  | "pace"
  | "event"
  | "interactionLink"
  | "erasure"
  | "runningErasure"
  | "erasureGuard"
  | "suppression";

export type Item = Record<string, unknown>;

const keyAttributes = new Set<string>([
  tableDesign.partitionKey,
  tableDesign.sortKey,
  tableDesign.timeToLiveAttribute,
  ...Object.values(tableDesign.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
  "itemType",
  // Bookkeeping of the event numbering, not part of the interaction.
  "lastEventSequence",
  // Which erasure redacted the record (its counts are exact when a crashed step runs again).
  "erasedBy",
]);

/** `expiresAt` (TTL) `seconds` after `at`, or nothing when no retention applies. */
export function expiresAfter(at: string, seconds: number | undefined): Record<string, number> {
  return seconds === undefined ? {} : { [tableDesign.timeToLiveAttribute]: Math.floor(Date.parse(at) / 1000) + seconds };
}

/** The domain record stored in an item: the item without its key and index attributes. */
export function fromItem<T>(item: Item): T {
  const record: Item = {};
  for (const [name, value] of Object.entries(item)) {
    if (!keyAttributes.has(name)) record[name] = value;
  }
  return record as T;
}

/**
 * An interaction as stored. Closes before the close reasons were the events' stored "closed" for
 * an agent's or an integration's close, and for a replace (an agent's send): read as
 * `closed_by_agent`, so every interaction answers in the events' vocabulary.
 */
export function interactionFromItem(item: Item): Interaction {
  const interaction = fromItem<Interaction>(item);
  return (interaction.closedReason as string | undefined) === "closed" ? { ...interaction, closedReason: "closed_by_agent" } : interaction;
}

export function isItemOf(item: Item, type: ItemType): boolean {
  return item.itemType === type;
}

export const items = {
  consumer: (consumer: Consumer): Item => ({ ...keys.consumer(consumer.id), itemType: "consumer", ...consumer }),
  /** "Consumer X lists this number": found in the number's partition. */
  consumerPhone: (e164: string, consumer: Consumer): Item => ({
    ...keys.consumerPhone(e164, consumer.id),
    itemType: "consumerPhone",
    consumerId: consumer.id,
    phoneNumber: e164,
    createdAt: consumer.createdAt,
  }),

  provider: (provider: Provider): Item => ({ ...keys.provider(provider.id), itemType: "provider", ...provider }),
  /** Uniqueness guard of a send-from number: names the provider holding it. */
  providerNumber: (provider: Provider): Item => ({
    ...keys.providerNumber(provider.number),
    itemType: "providerNumber",
    providerId: provider.id,
    number: provider.number,
  }),

  /** The number's pointer to its one active profile. */
  activeProfile: (profile: ChannelUserProfile): Item => ({
    ...keys.activeProfile(profile.phoneNumber),
    itemType: "activeProfile",
    profileId: profile.id,
    consumerId: profile.consumerId,
    createdAt: profile.createdAt,
  }),
  /** A profile in the number's history (active or not). */
  profile: (profile: ChannelUserProfile): Item => ({
    ...keys.profile(profile.phoneNumber, profile.createdAt, profile.id),
    itemType: "profile",
    ...profile,
  }),

  interaction: (interaction: Interaction): Item => ({
    ...keys.interaction(interaction.id),
    itemType: "interaction",
    ...interaction,
    ...(interaction.consumerId ? keys.consumerInteractions(interaction.consumerId, interaction.createdAt, interaction.id) : {}),
    ...(interaction.active && interaction.assignedTo
      ? keys.assigneeActiveInteractions(interaction.assignedTo, interaction.createdAt, interaction.id)
      : {}),
    // The idle close is for SMS conversations (a call is closed by the telephony integration).
    ...(interaction.active && interaction.type === "sms"
      ? keys.activeByActivity(interaction.lastActivityAt ?? interaction.updatedAt, interaction.id)
      : {}),
  }),
  /** `retentionSeconds` (MESSAGE_RETENTION): deleted by TTL that long after it was created. */
  message: (message: Message, retentionSeconds?: number): Item => ({
    ...keys.message(message.interactionId, message.createdAt, message.id),
    itemType: "message",
    ...message,
    ...(message.direction === "outbound" && isPending(message.status) ? pendingIndexAttributes(message) : {}),
    ...(message.direction === "outbound" && message.status === "scheduled" && message.scheduledFor
      ? keys.scheduledOutbound(message.scheduledFor, message.id)
      : {}),
    ...expiresAfter(message.createdAt, retentionSeconds),
  }),
  /** Where an outbound message is, by its id alone (kept as long as the message). */
  messageById: (message: Message, retentionSeconds?: number): Item => ({
    ...keys.messageById(message.id),
    itemType: "messageById",
    interactionId: message.interactionId,
    messageId: message.id,
    createdAt: message.createdAt,
    ...expiresAfter(message.createdAt, retentionSeconds),
  }),
  /** The customer's number took part in this interaction (`to`: the customer of an SMS, the caller of a phone interaction). */
  interactionLink: (interaction: Interaction): Item => ({
    ...keys.interactionLink(interaction.to!, interaction.createdAt, interaction.id),
    itemType: "interactionLink",
    interactionId: interaction.id,
    type: interaction.type,
    createdAt: interaction.createdAt,
  }),

  /** The lock of an active SMS interaction's conversation key, carrying its routing fields and a version. */
  conversationLock: (interaction: Interaction, version: number): Item => {
    const lock = lockOf(interaction, version);
    return { ...keys.conversationLock(lock.customerNumber, lock.providerNumber), itemType: "conversationLock", ...lock };
  },

  /** (customer number, provider number) opted out; `keyword` is what said so (the text, or the transport). */
  optOut: (customerNumber: string, providerNumber: string, optedOutAt: string, keyword: string): Item => ({
    ...keys.optOut(customerNumber, providerNumber),
    itemType: "optOut",
    customerNumber,
    providerNumber,
    optedOutAt,
    keyword,
  }),

  /** One entry of a number's consent ledger (never changed once written). */
  consentEntry: (entry: ConsentEntry): Item => ({
    ...keys.consentEntry(entry.phoneNumber, entry.at, entry.id),
    itemType: "consentEntry",
    ...entry,
  }),

  /** The customer's last message on (customer number, provider number): written with every inbound message. */
  lastInbound: (customerNumber: string, providerNumber: string, at: string): Item => ({
    ...keys.lastInbound(customerNumber, providerNumber),
    itemType: "lastInbound",
    customerNumber,
    providerNumber,
    at,
  }),

  inboundMessage: (inboundMessageId: string, message: Message, retentionSeconds?: number): Item => ({
    ...keys.inboundMessage(inboundMessageId),
    itemType: "inboundMessage",
    inboundMessageId,
    interactionId: message.interactionId,
    messageId: message.id,
    ...expiresAfter(message.createdAt, retentionSeconds),
  }),

  /** Kept a day: long enough for any client retry, short enough to reuse keys. */
  idempotencyKey: (record: IdempotencyRecord): Item => ({
    ...keys.idempotencyKey(record.agentId, record.key),
    itemType: "idempotencyKey",
    ...record,
    [tableDesign.timeToLiveAttribute]: Math.floor(Date.parse(record.createdAt) / 1000) + 24 * 60 * 60,
  }),

  /** An event in its interaction's partition and in the feed; deleted by TTL after the retention. */
  event: (event: ServiceEvent, retentionSeconds: number): Item => ({
    ...keys.event(event.interactionId ?? "", event.sequence ?? 0),
    itemType: "event",
    ...event,
    ...keys.eventFeed(event.occurredAt, event.sequence ?? 0, event.id),
    [tableDesign.timeToLiveAttribute]: Math.floor(Date.parse(event.occurredAt) / 1000) + retentionSeconds,
  }),
  /** An event with no interaction (a consent entry made by a person): in the number's consent partition and in the feed. */
  consentEvent: (event: ServiceEvent, customerNumber: string, retentionSeconds: number): Item =>
    eventAt(keys.consentEvent(customerNumber, event.sequence ?? 0, event.id), event, retentionSeconds),
  /** An erasure's record: its step and counts; the number in clear only while running. */
  erasure: (erasure: Erasure): Item => ({ ...keys.erasure(erasure.id), itemType: "erasure", ...erasure }),
  /** Lists the erasure among the running ones (deleted when it completes). */
  runningErasure: (erasure: Erasure): Item => ({
    ...keys.runningErasure(erasure.requestedAt, erasure.id),
    itemType: "runningErasure",
    erasureId: erasure.id,
  }),
  /** In the number's partition while its erasure runs. */
  erasureGuard: (e164: string, erasure: Erasure): Item => ({ ...keys.erasureGuard(e164), itemType: "erasureGuard", erasureId: erasure.id }),
  /** The `privacy.erased` event, in the erasure's partition and in the feed. */
  erasureEvent: (event: ServiceEvent, erasureId: string, retentionSeconds: number): Item =>
    eventAt(keys.erasureEvent(erasureId, event.sequence ?? 0, event.id), event, retentionSeconds),
  /** A send-from number's pacing bucket: its next free instant. */
  pace: (providerNumber: string, nextFreeAt: string): Item => ({
    ...keys.pace(providerNumber),
    itemType: "pace",
    providerNumber,
    nextFreeAt,
  }),

  receiptAside: (receipt: AsideReceipt): Item => {
    const { id, ...fields } = receipt;
    return { ...keys.receiptAside(id, receipt.eventTimestamp, receipt.eventType), itemType: "receiptAside", ...fields };
  },
} as const;

/** An event with no interaction, under `key`, in the feed, deleted by TTL after the retention. */
function eventAt(key: ItemKey, event: ServiceEvent, retentionSeconds: number): Item {
  return {
    ...key,
    itemType: "event",
    ...event,
    ...keys.eventFeed(event.occurredAt, event.sequence ?? 0, event.id),
    [tableDesign.timeToLiveAttribute]: Math.floor(Date.parse(event.occurredAt) / 1000) + retentionSeconds,
  };
}

/** The pending index's attributes of an outbound message: set while `queued` or `sending`, removed when it ends. */
export function pendingIndexAttributes(message: Pick<Message, "from" | "to" | "createdAt" | "id">): Record<string, string> {
  return keys.pendingOutbound(message.from, message.to, message.createdAt, message.id);
}

/**
 * gsi4 holds a message either in its send-from number's `PENDING#` partition (queued, sending) or
 * in `SCHEDULED` (scheduled): the same two attributes, so moving it from one to the other is a SET,
 * and ending it a REMOVE, of these. Their names, to REMOVE them when a message leaves the pipeline.
 */
export const pendingIndexNames = [tableDesign.indexes.pendingBySender.partitionKey, tableDesign.indexes.pendingBySender.sortKey] as const;
