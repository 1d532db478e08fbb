import type { MessageRef, LastReceipt, StoredMessage } from "../model/message";
import type { ReceiptStatus } from "../model/message";

/** A receipt for a found message: a forward move (`status`), or only recorded (no `status`). */
export interface ReceiptChange {
  /** Target status; the adapter allows it only from `statusesThatMayBecome(status)`. */
  status?: ReceiptStatus;
  errorCode?: string;
  /** The provider's id for this SMS: stored when the message has none; a receipt of an earlier attempt is ignored. */
  providerMessageId?: string;
  receipt: LastReceipt;
}

export type ReceiptApplied =
  | { applied: true; message: StoredMessage }
  /** The condition failed: a backward or sideways move, a duplicate, or an earlier attempt's receipt. `message` as stored (undefined: no such message). */
  | { applied: false; message: StoredMessage | undefined };

export interface AsideReceipt {
  /** The partition: the provider's message id, else ours. */
  id: string;
  eventType: string;
  eventTimestamp: number;
  reason: "no_context" | "unknown_message";
  providerMessageId?: string;
  messageId?: string;
  /** The SNS message as it arrived. */
  rawEvent: string;
  receivedAt: string;
  /** Epoch seconds (TTL). */
  expiresAt: number;
}

export type RetryClaim =
  | { claimed: true; message: StoredMessage }
  | { claimed: false; message: StoredMessage | undefined }
  /** The recipient opted out of its send-from number or of every number: nothing written. */
  | { claimed: false; optedOut: true; message: StoredMessage };

/** Outbound messages after their creation: delivery receipts and retries (the hand-over is the OutboundQueue's). */
export interface MessageStore {
  locate(messageId: string): Promise<MessageRef | undefined>;
  get(ref: MessageRef): Promise<StoredMessage | undefined>;
  /** One conditional write: the status moves only forward (message-status.ts). */
  applyReceipt(ref: MessageRef, change: ReceiptChange): Promise<ReceiptApplied>;
  keepReceiptAside(receipt: AsideReceipt): Promise<{ pk: string; sk: string }>;
  /** One conditional write `failed → queued` (only if still as read), back in the pending index: the change stream hands the winner of simultaneous retries over. */
  claimRetry(message: StoredMessage, claim: { agentId: string; now: string }): Promise<RetryClaim>;
}
