/**
 * The single table's key design, declared once. The CDK stack, the local table creation
 * (`table-definition.ts`) and every repository read it; nothing else spells a key.
 * `docs/data-model.md` lists each item type and access pattern.
 */
export const tableDesign = {
  partitionKey: "pk",
  sortKey: "sk",
  /** Epoch seconds; DynamoDB deletes expired items (idempotency records, kept-aside receipts). */
  timeToLiveAttribute: "expiresAt",
  indexes: {
    /** Interactions of a consumer, newest first. */
    byConsumer: { indexName: "gsi1", partitionKey: "gsi1pk", sortKey: "gsi1sk" },
    /** Active interactions assigned to an agent, newest first (sparse: removed when closed). */
    byAssignee: { indexName: "gsi2", partitionKey: "gsi2pk", sortKey: "gsi2sk" },
    /** Active interactions by last activity, for the idle-close sweep (sparse). */
    byActivity: { indexName: "gsi3", partitionKey: "gsi3pk", sortKey: "gsi3sk" },
    /**
     * Outbound messages waiting for or in the hand-over, per send-from number, by conversation key
     * then age; and, in partition `SCHEDULED`, scheduled messages by when they are due (sparse).
     */
    pendingBySender: { indexName: "gsi4", partitionKey: "gsi4pk", sortKey: "gsi4sk" },
    /** Every event, by when it happened: the desks' feed (`GET /api/now/events`). */
    eventFeed: { indexName: "gsi5", partitionKey: "gsi5pk", sortKey: "gsi5sk" },
  },
  /** The change stream drives the SMS pipeline: the sender reads the new image, the old one tells what changed. */
  streamViewType: "NEW_AND_OLD_IMAGES",
} as const;

export type IndexName = keyof typeof tableDesign.indexes;

export interface ItemKey {
  pk: string;
  sk: string;
}

/**
 * Item keys. A phone number's partition (`PHONE#<e164>`) holds everything a send decision needs
 * about that number: which consumers list it, its channel user profiles and the conversation locks
 * of its active SMS interactions, so one strongly consistent Query reads the whole state.
 */
export const keys = {
  consumer: (consumerId: string): ItemKey => ({ pk: `CONSUMER#${consumerId}`, sk: "CONSUMER" }),
  /** "Consumer X lists this number": one item per (number, consumer). */
  consumerPhone: (e164: string, consumerId: string): ItemKey => ({ pk: phonePartition(e164), sk: `CONSUMER#${consumerId}` }),
  consumerPhonePrefix: "CONSUMER#",

  /** Providers are configuration (tens of items): one partition, read whole. */
  provider: (providerId: string): ItemKey => ({ pk: "PROVIDERS", sk: `PROVIDER#${providerId}` }),
  providersPartition: "PROVIDERS",
  providerPrefix: "PROVIDER#",
  /** Uniqueness guard: exists while a provider holds this send-from number. */
  providerNumber: (e164: string): ItemKey => ({ pk: `PROVIDER_NUMBER#${e164}`, sk: "PROVIDER_NUMBER" }),

  /** Channel user profiles: the pointer to the number's one active profile, and every profile as history. */
  activeProfile: (e164: string): ItemKey => ({ pk: phonePartition(e164), sk: "ACTIVE_PROFILE" }),
  profile: (e164: string, createdAt: string, profileId: string): ItemKey => ({
    pk: phonePartition(e164),
    sk: `PROFILE#${createdAt}#${profileId}`,
  }),
  profilePrefix: "PROFILE#",

  interaction: (interactionId: string): ItemKey => ({ pk: `INTERACTION#${interactionId}`, sk: "INTERACTION" }),
  /** The live group profile: one item per agent who joined; sorts right after the interaction item. */
  participant: (interactionId: string, agentId: string): ItemKey => ({
    pk: `INTERACTION#${interactionId}`,
    sk: `INTERACTION#PARTICIPANT#${agentId}`,
  }),
  /** Messages in order of creation. */
  message: (interactionId: string, createdAt: string, messageId: string): ItemKey => ({
    pk: `INTERACTION#${interactionId}`,
    sk: `MESSAGE#${createdAt}#${messageId}`,
  }),
  interactionItemPrefix: "INTERACTION",
  messagePrefix: "MESSAGE#",
  /** Finds an outbound message by its id alone (delivery receipts, retry): written with the message. */
  messageById: (messageId: string): ItemKey => ({ pk: `MESSAGE_ID#${messageId}`, sk: "MESSAGE_ID" }),
  /** Opt-out of a customer number from one provider number: exists while opted out. */
  optOut: (customerE164: string, providerE164: string): ItemKey => ({ pk: phonePartition(customerE164), sk: `OPTOUT#${providerE164}` }),
  optOutPrefix: "OPTOUT#",
  /**
   * The consent ledger of a customer number: its own partition (entries by time, and the events of
   * entries made by people), so the send decision's read of the number's partition stays small.
   */
  consentPartition: (customerE164: string) => `CONSENT#${customerE164}`,
  consentEntry: (customerE164: string, at: string, entryId: string): ItemKey => ({
    pk: keys.consentPartition(customerE164),
    sk: `ENTRY#${at}#${entryId}`,
  }),
  consentEntryPrefix: "ENTRY#",
  /** A `consent.changed` event of an entry made by a person (no interaction holds it). */
  consentEvent: (customerE164: string, sequence: number, eventId: string): ItemKey => ({
    pk: keys.consentPartition(customerE164),
    sk: `EVENT#${String(sequence).padStart(17, "0")}#${eventId}`,
  }),
  /**
   * "This number took part in that interaction": written with every new interaction (SMS or phone),
   * for export and erasure. `TRAIL#` sorts after `PROFILE#`, so the send decision's read of the
   * partition (everything before the profile history) never reads these.
   */
  interactionLink: (e164: string, createdAt: string, interactionId: string): ItemKey => ({
    pk: phonePartition(e164),
    sk: `TRAIL#${createdAt}#${interactionId}`,
  }),
  interactionLinkPrefix: "TRAIL#",
  /** While an erasure of the number runs: names it (a second request answers it instead of starting another). */
  erasureGuard: (e164: string): ItemKey => ({ pk: phonePartition(e164), sk: "ERASURE" }),
  /** An erasure's record, by its id. */
  erasure: (erasureId: string): ItemKey => ({ pk: `ERASURE#${erasureId}`, sk: "ERASURE" }),
  /** The running erasures (a handful at most): one partition the scheduled worker reads whole. */
  erasuresPartition: "ERASURES",
  runningErasurePrefix: "RUNNING#",
  runningErasure: (requestedAt: string, erasureId: string): ItemKey => ({ pk: "ERASURES", sk: `RUNNING#${requestedAt}#${erasureId}` }),
  /** The `privacy.erased` event of an erasure (no interaction holds it): in the erasure's partition and the feed. */
  erasureEvent: (erasureId: string, sequence: number, eventId: string): ItemKey => ({
    pk: `ERASURE#${erasureId}`,
    sk: `EVENT#${String(sequence).padStart(17, "0")}#${eventId}`,
  }),
  /**
   * What an erasure keeps of a number's opt-outs: under the keyed hash of the number (HMAC), the
   * send-from numbers (or `*`) it had opted out of. Every send's transaction checks it.
   */
  suppression: (numberHash: string): ItemKey => ({ pk: `SUPPRESSED#${numberHash}`, sk: "SUPPRESSED" }),
  /** When the customer last wrote on a conversation key (the send window's reply grace); sorts before the profile history. */
  lastInbound: (customerE164: string, providerE164: string): ItemKey => ({
    pk: phonePartition(customerE164),
    sk: `LAST_INBOUND#${providerE164}`,
  }),
  /**
   * A delivery receipt whose message could not be found, kept aside (not lost): one partition per
   * SMS (the provider's message id, else ours), one item per event, deleted by TTL after 30 days.
   */
  receiptAside: (id: string, eventTimestamp: number, eventType: string): ItemKey => ({
    pk: `RECEIPT_ASIDE#${id}`,
    sk: `${eventTimestamp}#${eventType}`,
  }),
  receiptAsidePrefix: "RECEIPT_ASIDE#",
  /** Dedupe guard: one per inbound message id the transport delivered, created with the message. */
  inboundMessage: (inboundMessageId: string): ItemKey => ({ pk: `INBOUND#${inboundMessageId}`, sk: "INBOUND" }),
  /** An agent's Idempotency-Key, created in the same transaction as the outcome it records. */
  idempotencyKey: (agentId: string, key: string): ItemKey => ({ pk: `IDEMPOTENCY#${agentId}#${key}`, sk: "IDEMPOTENCY" }),
  /**
   * Conversation lock: exists exactly while an SMS interaction is active for (provider number,
   * customer number). Only a conditional put creates it; only the closing transaction deletes it.
   */
  conversationLock: (customerE164: string, providerE164: string): ItemKey => ({
    pk: phonePartition(customerE164),
    sk: `CONVERSATION#${providerE164}`,
  }),
  conversationLockPrefix: "CONVERSATION#",

  /** GSI values, and the index partitions the lists query. */
  consumerInteractionsPartition: (consumerId: string) => `CONSUMER#${consumerId}`,
  consumerInteractions: (consumerId: string, createdAt: string, interactionId: string) => ({
    gsi1pk: keys.consumerInteractionsPartition(consumerId),
    gsi1sk: `INTERACTION#${createdAt}#${interactionId}`,
  }),
  assigneeActivePartition: (agentId: string) => `AGENT#${agentId}#ACTIVE`,
  assigneeActiveInteractions: (agentId: string, createdAt: string, interactionId: string) => ({
    gsi2pk: keys.assigneeActivePartition(agentId),
    gsi2sk: `INTERACTION#${createdAt}#${interactionId}`,
  }),
  /** Active interactions by last activity (one partition: a desk has thousands active, not millions). */
  activeInteractionsPartition: "ACTIVE_INTERACTIONS",
  activeByActivity: (lastActivityAt: string, interactionId: string) => ({
    gsi3pk: keys.activeInteractionsPartition,
    gsi3sk: `${lastActivityAt}#${interactionId}`,
  }),
  /** Pending outbound messages of a send-from number (one partition per number: the sweep reads it whole). */
  pendingPartition: (providerE164: string) => `PENDING#${providerE164}`,
  /** The conversation key's prefix in that partition: its pending messages in the order they were accepted. */
  pendingKeyPrefix: (customerE164: string) => `${customerE164}#`,
  pendingOutbound: (providerE164: string, customerE164: string, createdAt: string, messageId: string) => ({
    gsi4pk: keys.pendingPartition(providerE164),
    gsi4sk: `${customerE164}#${createdAt}#${messageId}`,
  }),
  /**
   * Scheduled outbound messages (one partition: a desk schedules thousands a night, not millions),
   * by when they are due: the sweep reads the due ones (`gsi4sk <= "<now>#\uffff"`). Never in a
   * `PENDING#` partition, so a scheduled message blocks nothing on its conversation key.
   */
  scheduledPartition: "SCHEDULED",
  scheduledOutbound: (scheduledFor: string, messageId: string) => ({
    gsi4pk: keys.scheduledPartition,
    gsi4sk: `${scheduledFor}#${messageId}`,
  }),
  /** An interaction's events in commit order (its partition; `sequence` zero-padded so it sorts as a number). */
  event: (interactionId: string, sequence: number): ItemKey => ({
    pk: `INTERACTION#${interactionId}`,
    sk: `EVENT#${String(sequence).padStart(17, "0")}`,
  }),
  eventPrefix: "EVENT#",
  /** The feed: one partition, events by occurrence, then their order in the interaction (kept a retention period by TTL). */
  eventFeedPartition: "EVENTS",
  eventFeed: (occurredAt: string, sequence: number, eventId: string) => ({
    gsi5pk: keys.eventFeedPartition,
    gsi5sk: `${occurredAt}#${String(sequence).padStart(17, "0")}#${eventId}`,
  }),
  /** The pacing bucket of a send-from number: when its next segment may go. */
  pace: (providerE164: string): ItemKey => ({ pk: `PACE#${providerE164}`, sk: "PACE" }),
} as const;

export function phonePartition(e164: string): string {
  return `PHONE#${e164}`;
}
