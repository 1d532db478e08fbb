import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { sweepOutboundQueue, type SweepReport } from "../../shared/use-cases/sweep-outbound-queue";
import { logger } from "../../shared/platform/logger";

const config = readConfig();
const deps = createAdapters(config);

/** Run on a schedule (EventBridge every minute; locally a timer): nothing pending is left behind, and scheduled messages go when due. */
export const handler = middy<unknown, SweepReport>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async () => {
    const report = await sweepOutboundQueue(deps, { staleAfterMs: config.redispatchAfterMs });
    if (Object.values(report).some((count) => count > 0)) logger.info("sms sweep", { ...report });
    return report;
  });
