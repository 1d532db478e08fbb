import { ServiceError } from "../core/errors";
import type { Clock } from "../core/ports/clock-and-ids";
import { ourMessageId, receiptEffect } from "../core/rules/delivery-receipt";
import type { DeliveryReceipt } from "../core/model/delivery-receipt";
import type { MessageStore } from "../core/ports/message-store";
import type { LastReceipt, StoredMessage } from "../core/model/message";

/** How long a receipt whose message is unknown is kept aside (the table's TTL deletes it then). */
const receiptAsideRetentionSeconds = 30 * 24 * 60 * 60;

export interface ReceiveReceiptDeps {
  messages: Pick<MessageStore, "locate" | "applyReceipt" | "keepReceiptAside">;
  clock: Clock;
}

export type ReceiptResult =
  /** The message moved forward to `status`. */
  | { outcome: "applied"; eventType: string; messageId: string; status: string }
  /** No status change (TEXT_UNKNOWN, an event type we do not know); the receipt is recorded on the message. */
  | { outcome: "recorded"; eventType: string; messageId: string; status: string }
  /** Nothing written: a duplicate, a receipt that would move the message back, or one of an earlier attempt. */
  | { outcome: "ignored"; eventType: string; messageId: string; status: string; reason: "duplicate" | "not_forward" | "earlier_attempt" }
  /** The message could not be found: the event is stored whole, for 30 days, and logged. */
  | { outcome: "kept_aside"; eventType: string; reason: "no_context" | "unknown_message"; pk: string; sk: string };

/**
 * A delivery receipt: finds its message by our id (the event's `context.messageId`) and moves it
 * forward with one conditional write; the database refuses every other move (message-status.ts),
 * so receipts may arrive in any order, and twice. A receipt whose message cannot be found is kept
 * aside, never dropped.
 */
export async function receiveDeliveryReceipt(deps: ReceiveReceiptDeps, receipt: DeliveryReceipt, rawEvent: string): Promise<ReceiptResult> {
  const { eventType } = receipt;
  const messageId = ourMessageId(receipt);
  const ref = messageId ? await deps.messages.locate(messageId) : undefined;
  if (!messageId || !ref) return keepAside(deps, receipt, rawEvent, messageId ? "unknown_message" : "no_context");

  const now = deps.clock.now();
  const lastReceipt: LastReceipt = {
    eventType,
    eventTimestamp: receipt.eventTimestamp,
    at: isoOf(receipt.eventTimestamp) ?? now.toISOString(),
    ...(receipt.messageStatus !== undefined ? { messageStatus: receipt.messageStatus } : {}),
    ...(receipt.messageStatusDescription !== undefined ? { messageStatusDescription: receipt.messageStatusDescription } : {}),
    ...(receipt.isFinal !== undefined ? { isFinal: receipt.isFinal } : {}),
    receivedAt: now.toISOString(),
  };
  const effect = receiptEffect(eventType);
  const result = await deps.messages.applyReceipt(ref, {
    ...(effect.kind === "status" ? { status: effect.status, ...(effect.errorCode ? { errorCode: effect.errorCode } : {}) } : {}),
    ...(receipt.messageId ? { providerMessageId: receipt.messageId } : {}),
    receipt: lastReceipt,
  });
  if (result.applied) {
    return { outcome: effect.kind === "status" ? "applied" : "recorded", eventType, messageId, status: result.message.status };
  }
  // The item is gone (it never is: the message and its by-id item are written together), so keep the event.
  if (!result.message) return keepAside(deps, receipt, rawEvent, "unknown_message");
  return { outcome: "ignored", eventType, messageId, status: result.message.status, reason: whyIgnored(result.message, receipt) };
}

/** Read from the message as stored when the condition failed (for the log; nothing depends on it). */
function whyIgnored(stored: StoredMessage, receipt: DeliveryReceipt): "duplicate" | "not_forward" | "earlier_attempt" {
  if (receipt.messageId && stored.earlierProviderMessageIds?.includes(receipt.messageId)) return "earlier_attempt";
  if (stored.lastReceipt?.eventType === receipt.eventType && stored.lastReceipt.eventTimestamp === receipt.eventTimestamp)
    return "duplicate";
  return "not_forward";
}

async function keepAside(
  deps: ReceiveReceiptDeps,
  receipt: DeliveryReceipt,
  rawEvent: string,
  reason: "no_context" | "unknown_message",
): Promise<ReceiptResult> {
  const messageId = ourMessageId(receipt);
  const id = receipt.messageId ?? messageId;
  if (!id) {
    // Neither id: nothing to file it under. Thrown, so the event goes to the function's dead-letter queue.
    throw new ServiceError(
      "VALIDATION_FAILED",
      `delivery receipt ${receipt.eventType} carries neither the provider's messageId nor context.messageId`,
    );
  }
  const now = deps.clock.now();
  const key = await deps.messages.keepReceiptAside({
    id,
    eventType: receipt.eventType,
    eventTimestamp: receipt.eventTimestamp,
    reason,
    ...(receipt.messageId ? { providerMessageId: receipt.messageId } : {}),
    ...(messageId ? { messageId } : {}),
    rawEvent,
    receivedAt: now.toISOString(),
    expiresAt: Math.floor(now.getTime() / 1000) + receiptAsideRetentionSeconds,
  });
  return { outcome: "kept_aside", eventType: receipt.eventType, reason, ...key };
}

function isoOf(epochMillis: number): string | undefined {
  const date = new Date(epochMillis);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}
