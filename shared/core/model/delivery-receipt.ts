/**
 * An AWS End User Messaging SMS event, as far as the service reads it (the SMS side validates
 * the wire form against this). `messageId` is the provider's id;
 * `context.messageId` is ours (the transport sets `Context: { messageId }` on SendTextMessage).
 */
export interface DeliveryReceipt {
  eventType: string;
  /** Unix epoch milliseconds. */
  eventTimestamp: number;
  isFinal?: boolean;
  messageId?: string;
  messageStatus?: string;
  messageStatusDescription?: string;
  context?: Record<string, unknown>;
}
