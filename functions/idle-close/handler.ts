import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context } from "aws-lambda";
import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { closeIdleInteractions } from "../../shared/use-cases/close-idle-interactions";
import { logger } from "../../shared/platform/logger";

const config = readConfig();
const deps = { ...createAdapters(config), idleCloseAfterMs: config.idleCloseAfterMs };

/** Run on a schedule (EventBridge; locally a timer): closes SMS interactions idle past IDLE_CLOSE_AFTER. */
export const handler = middy<unknown, Awaited<ReturnType<typeof closeIdleInteractions>>>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event: unknown, context: Context) => {
    // Stop paging with time to spare; the next run picks up the rest.
    const deadline = Date.now() + Math.max(1000, (context.getRemainingTimeInMillis?.() ?? 60_000) - 5000);
    const result = await closeIdleInteractions(deps, { deadline });
    logger.info("idle close", result);
    return result;
  });
