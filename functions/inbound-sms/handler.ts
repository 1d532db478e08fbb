import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { SNSEvent } from "aws-lambda";
import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { InboundSmsPayload } from "../../shared/adapters/sms/inbound-sms-payload";
import { receiveInboundSms, type InboundResult } from "../../shared/use-cases/receive-inbound-sms";
import { validatePart } from "../../shared/adapters/http/request-validation";
import { logger } from "../../shared/platform/logger";
import { eachSnsMessage } from "../../shared/adapters/sms/sns-records";
import { redactPersonalData } from "../../shared/core/rules/mask-phone-number";

const config = readConfig();
const deps = { ...createAdapters(config), helpText: config.helpText };

/**
 * Customers' replies, from the two-way SMS SNS topic. A record that fails throws, so SNS/Lambda
 * retry it and then park it in the dead-letter queue; a redelivered one is stored once.
 */
export const handler = middy<SNSEvent, InboundResult[]>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event) =>
    eachSnsMessage(event, async ({ json, snsMessageId }) => {
      const result = await receiveInboundSms(deps, validatePart(InboundSmsPayload, json, "body"));
      logger.info("inbound sms", { snsMessageId, ...(redactPersonalData(result) as object) });
      return result;
    }),
  );
