export type MessageDirection = "inbound" | "outbound";
export type MessageStatus = "scheduled" | "queued" | "sending" | "sent" | "delivered" | "failed" | "received";

export interface Message {
  id: string;
  interactionId: string;
  direction: MessageDirection;
  /** null once erased (`redacted: true`). */
  body: string | null;
  from: string;
  to: string;
  agentId?: string;
  status: MessageStatus;
  createdAt: string;
  /** Outbound: the transport's id once sent. Inbound: the transport's inbound message id. */
  providerMessageId?: string;
  errorCode?: string;
  /**
   * An agent's send made while the recipient's send window was closed, with
   * `scheduleIfOutsideWindow`: when the window opens (ISO 8601, UTC). Kept after the message is
   * handed over, so its validity and an idempotent replay still know it was scheduled.
   */
  scheduledFor?: string;
  /** The body and the customer's number were erased (a privacy erasure). */
  redacted?: boolean;
  /**
   * The service's automatic answer to the customer's STOP, START or HELP. The answers to STOP and
   * HELP go whatever the service's opt-outs say (`optOutsApplyTo`): a STOP is confirmed, and HELP
   * is answered to everyone.
   */
  answersKeyword?: SmsKeyword;
}

/** Where an outbound message is stored, found by its id alone (`keys.messageById`). */
export interface MessageRef {
  interactionId: string;
  messageId: string;
  createdAt: string;
}

/** The last receipt applied to a message (or recorded on it without a status change). */
export interface LastReceipt {
  eventType: string;
  /** Unix epoch milliseconds, as the event gives it. */
  eventTimestamp: number;
  /** ISO form of `eventTimestamp`. */
  at: string;
  messageStatus?: string;
  messageStatusDescription?: string;
  isFinal?: boolean;
  receivedAt: string;
}

/** An outbound message with its delivery bookkeeping. */
export interface StoredMessage extends Message {
  /** Hand-overs to the transport: absent means 1 (never retried). */
  attempts?: number;
  retriedAt?: string;
  retriedBy?: string;
  deliveredAt?: string;
  failedAt?: string;
  lastReceipt?: LastReceipt;
  /** Provider ids of earlier attempts: their late receipts no longer apply. */
  earlierProviderMessageIds?: string[];
  /** When the sweep moved it `scheduled → queued` (its `scheduledFor` came). */
  promotedAt?: string;
  /** When the transport took it (status `sent`). */
  sentAt?: string;
  /** The sender's claim while `sending`: whoever holds it hands the SMS over; past `leaseUntil` the sweep ends it. */
  claim?: SendClaim;
  /** A throttled message waits in the queue until then. */
  notBefore?: string;
  /** How often the transport answered "throttled" for this attempt. */
  throttled?: number;
  /** Last time the sweep or a finished hand-over nudged this queued message back into the pipeline. */
  redispatchedAt?: string;
  /** How often the sweep dispatched this attempt again: each time, it waits twice as long before the next. */
  sweeps?: number;
}

export interface SendClaim {
  id: string;
  at: string;
  leaseUntil: string;
}

/** A status of a message the service sends (every one but `received`). */
export type OutboundStatus = Exclude<MessageStatus, "received">;

/** A status a delivery receipt may set (never `scheduled` or `queued`: those are the pipeline's own). */
export type ReceiptStatus = Exclude<OutboundStatus, "scheduled" | "queued">;

/**
 * The keywords carriers and regulators expect an SMS service to honour (CTIA, and the usual
 * synonyms), matched on the whole message in any case, surrounding spaces and a final full stop
 * or exclamation mark ignored. A keyword message is still stored in the conversation.
 */
export type SmsKeyword = "stop" | "start" | "help";
