import type { ReceiptStatus } from "../model/message";
import type { DeliveryReceipt } from "../model/delivery-receipt";

/** What a receipt does to its message: move it (forward only), or only be recorded on it. */
export type ReceiptEffect = { kind: "status"; status: ReceiptStatus; errorCode?: string } | { kind: "record" };

const sent: ReceiptEffect = { kind: "status", status: "sent" };
const failed = (eventType: string): ReceiptEffect => ({ kind: "status", status: "failed", errorCode: eventType });

/**
 * Every SMS event type End User Messaging sends (the SDK's `EventType` values but `TEXT_ALL`,
 * which is a filter, not an event). Queued, pending, sent and successful all say the provider has
 * the SMS: a message we still hold as `queued` (its hand-over answer was lost) becomes `sent`,
 * never more. Successful is the carrier's acceptance, not delivery to the phone. The failures
 * are final and keep their event type as the message's `errorCode`. `TEXT_UNKNOWN` (no final
 * word from the carrier, possibly after 72 h) changes nothing and is recorded on the message.
 */
export const receiptEffects: Readonly<Record<string, ReceiptEffect>> = {
  TEXT_QUEUED: sent,
  TEXT_PENDING: sent,
  TEXT_SENT: sent,
  TEXT_SUCCESSFUL: sent,
  TEXT_DELIVERED: { kind: "status", status: "delivered" },
  TEXT_BLOCKED: failed("TEXT_BLOCKED"),
  TEXT_CARRIER_BLOCKED: failed("TEXT_CARRIER_BLOCKED"),
  TEXT_CARRIER_UNREACHABLE: failed("TEXT_CARRIER_UNREACHABLE"),
  TEXT_INVALID: failed("TEXT_INVALID"),
  TEXT_INVALID_MESSAGE: failed("TEXT_INVALID_MESSAGE"),
  TEXT_PROTECT_BLOCKED: failed("TEXT_PROTECT_BLOCKED"),
  TEXT_SPAM: failed("TEXT_SPAM"),
  TEXT_TTL_EXPIRED: failed("TEXT_TTL_EXPIRED"),
  TEXT_UNREACHABLE: failed("TEXT_UNREACHABLE"),
  TEXT_UNKNOWN: { kind: "record" },
};

/** The effect of an event type; one this service does not know (a new one, a voice event) is only recorded. */
export function receiptEffect(eventType: string): ReceiptEffect {
  return Object.hasOwn(receiptEffects, eventType) ? receiptEffects[eventType]! : { kind: "record" };
}

/** Our message id, from the event's `context` (absent when the SMS was not sent by this service's transport). */
export function ourMessageId(receipt: DeliveryReceipt): string | undefined {
  const id = receipt.context?.messageId;
  return typeof id === "string" && id !== "" ? id : undefined;
}
