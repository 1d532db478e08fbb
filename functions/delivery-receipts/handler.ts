import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { SNSEvent } from "aws-lambda";
import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { validatePart } from "../../shared/http/request-validation";
import { logger } from "../../shared/logging/logger";
import { snsMessageJson } from "../../shared/platform/sns-message";
import { DeliveryReceiptPayload } from "../../shared/messages/delivery-receipt";
import { receiveDeliveryReceipt, type ReceiptResult } from "../../shared/messages/receive-delivery-receipt";
import { redactPersonalData } from "../../shared/phone/mask-phone-number";

const adapters = createAdapters(readConfig());

/**
 * Delivery receipts: AWS End User Messaging SMS events (the configuration set's event destination)
 * through SNS. Each moves its message forward or changes nothing; one whose message cannot be found
 * is kept aside in the table and logged (masked). A record that fails throws, so SNS/Lambda retry
 * it and then park it in the dead-letter queue; a redelivered one changes nothing.
 */
export const handler = middy<SNSEvent, ReceiptResult[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const results: ReceiptResult[] = [];
    for (const record of event.Records) {
      const raw = record.Sns.Message;
      const parsed = snsMessageJson(raw);
      const receipt = validatePart(DeliveryReceiptPayload, parsed, "body");
      const result = await receiveDeliveryReceipt(adapters, receipt, raw);
      if (result.outcome === "kept_aside") {
        logger.warn("delivery receipt kept aside: no message found", { snsMessageId: record.Sns.MessageId, ...result, event: redactPersonalData(parsed) });
      } else {
        logger.info("delivery receipt", { snsMessageId: record.Sns.MessageId, ...result });
      }
      results.push(result);
    }
    return results;
  });
