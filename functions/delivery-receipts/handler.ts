import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { SNSEvent } from "aws-lambda";
import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { validatePart } from "../../shared/adapters/http/request-validation";
import { logger } from "../../shared/platform/logger";
import { eachSnsMessage } from "../../shared/adapters/sms/sns-records";
import { DeliveryReceiptPayload } from "../../shared/adapters/sms/delivery-receipt-payload";
import { receiveDeliveryReceipt, type ReceiptResult } from "../../shared/use-cases/receive-delivery-receipt";
import { redactPersonalData } from "../../shared/core/rules/mask-phone-number";

const adapters = createAdapters(readConfig());

/**
 * Delivery receipts: AWS End User Messaging SMS events (the configuration set's event destination)
 * through SNS. Each moves its message forward or changes nothing; one whose message cannot be found
 * is kept aside in the table and logged (masked). A record that fails throws, so SNS/Lambda retry
 * it and then park it in the dead-letter queue; a redelivered one changes nothing.
 */
export const handler = middy<SNSEvent, ReceiptResult[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    eachSnsMessage(event, async ({ raw, json, snsMessageId }) => {
      const result = await receiveDeliveryReceipt(adapters, validatePart(DeliveryReceiptPayload, json, "body"), raw);
      if (result.outcome === "kept_aside") {
        logger.warn("delivery receipt kept aside: no message found", { snsMessageId, ...result, event: redactPersonalData(json) });
      } else {
        logger.info("delivery receipt", { snsMessageId, ...result });
      }
      return result;
    }),
  );
