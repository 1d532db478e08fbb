import * as z from "zod/mini";
import type { DeliveryReceipt } from "../../core/model/delivery-receipt";
import { readsAs } from "../schema-contract";

/**
 * An AWS End User Messaging SMS event (configuration set event destination → SNS → the receipts
 * function; `POST /local/delivery_receipt` locally). Only the fields the service reads are
 * declared; the event is kept whole, as it arrived, when its message cannot be found.
 * `messageId` is the provider's id; `context.messageId` is ours (the transport sets
 * `Context: { messageId }` on SendTextMessage).
 */
export const DeliveryReceiptPayload = readsAs<DeliveryReceipt>()(
  z.object({
    eventType: z.string().check(z.minLength(1), z.maxLength(100)),
    /** Unix epoch milliseconds. */
    eventTimestamp: z.number(),
    isFinal: z.optional(z.boolean()),
    messageId: z.optional(z.string().check(z.minLength(1), z.maxLength(200))),
    messageStatus: z.optional(z.string()),
    messageStatusDescription: z.optional(z.string()),
    context: z.optional(z.record(z.string(), z.unknown())),
  }),
);
