import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context } from "aws-lambda";
import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { logger } from "../../shared/platform/logger";
import { redactPersonalData } from "../../shared/core/rules/mask-phone-number";
import { numberHasherFor } from "../../shared/platform/number-hasher";
import { ErasureFailed, runErasures, type ErasureRun } from "../../shared/use-cases/run-erasures";

const config = readConfig();
const numberHasher = numberHasherFor(config);
const deps = { ...createAdapters(config, numberHasher ? { numberHasher } : {}), numberHasher };

/**
 * Run on a schedule (EventBridge every minute; locally a timer): moves every running erasure on,
 * step by step, until done or 10 s before the invocation's end (the next run resumes it). A step
 * that fails is logged (no number in it) and fails the invocation after the others had their turn.
 */
export const handler = middy<unknown, ErasureRun>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (_event: unknown, context: Context) => {
    const deadline = Date.now() + Math.max(1000, (context.getRemainingTimeInMillis?.() ?? 60_000) - 10_000);
    try {
      const run = await runErasures(deps, { deadline });
      if (run.steps > 0 || run.paused.length > 0) logger.info("privacy erasures", { ...run });
      return run;
    } catch (error) {
      if (error instanceof ErasureFailed) {
        for (const failure of error.failures)
          logger.error("erasure step failed; the next run resumes it", {
            erasureId: failure.erasureId,
            error: redactPersonalData(failure.error),
          });
      }
      throw error;
    }
  });
