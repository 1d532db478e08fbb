import * as z from "zod/mini";
import type { InboundSms } from "../../core/model/inbound-sms";
import { readsAs } from "../schema-contract";

/** The two-way SMS payload AWS publishes to the inbound SNS topic (and `POST /local/inbound_sms` takes). */
export const InboundSmsPayload = readsAs<InboundSms>()(
  z.object({
    originationNumber: z.string().check(z.minLength(1)),
    destinationNumber: z.string().check(z.minLength(1)),
    messageKeyword: z.optional(z.string()),
    messageBody: z.string(),
    inboundMessageId: z.string().check(z.minLength(1), z.maxLength(200)),
    previousPublishedMessageId: z.optional(z.string()),
  }),
);
