import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { SNSEvent } from "aws-lambda";
import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { InboundSmsPayload } from "../../shared/conversations/inbound-sms-payload";
import { receiveInboundSms, type InboundResult } from "../../shared/conversations/receive-inbound-sms";
import { validatePart } from "../../shared/http/request-validation";
import { logger } from "../../shared/logging/logger";
import { snsMessageJson } from "../../shared/platform/sns-message";
import { redactPersonalData } from "../../shared/phone/mask-phone-number";
import { createTransport } from "../../shared/sms/create-transport";

const config = readConfig();
const deps = { ...createAdapters(config), transport: createTransport(), helpText: config.helpText };

/**
 * Customers' replies, from the two-way SMS SNS topic. A record that fails throws, so SNS/Lambda
 * retry it and then park it in the dead-letter queue; a redelivered one is stored once.
 */
export const handler = middy<SNSEvent, InboundResult[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const results: InboundResult[] = [];
    for (const record of event.Records) {
      const payload = validatePart(InboundSmsPayload, snsMessageJson(record.Sns.Message), "body");
      const result = await receiveInboundSms(deps, payload);
      logger.info("inbound sms", { snsMessageId: record.Sns.MessageId, ...(redactPersonalData(result) as object) });
      results.push(result);
    }
    return results;
  });
