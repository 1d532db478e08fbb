import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { createTransport } from "../../shared/adapters/sms/create-transport";
import { CloudWatchOutcomeMetrics } from "../../shared/adapters/metrics/cloudwatch-metrics";
import { defaultHandOverSettings } from "../../shared/use-cases/hand-over-queued-sms";
import { sleep } from "../../shared/platform/backoff";
import { logger } from "../../shared/platform/logger";
import { handStreamBatch } from "./stream-batch";

const config = readConfig();
const deps = { ...createAdapters(config), transport: createTransport(), sleep };
const settings = { ...defaultHandOverSettings, leaseMs: config.claimLeaseMs };
// Sent and failed are counted from their events (the event publisher); a throttle writes no event.
const metrics = new CloudWatchOutcomeMetrics();

/** A hand-over never waits (for a pacing slot, a throttle backoff) past this, nor past the invocation's end minus a margin. */
const maxWaitMs = 20_000;
const marginMs = 30_000;

/**
 * The table's change stream (the mapping's filter passes queued outbound messages only): each one
 * is claimed, paced and handed over once (stream-batch.ts); a failing record is reported so Lambda
 * retries from it, and the claim makes a retried record harmless.
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler((event, context: Context) => {
    const remaining = context.getRemainingTimeInMillis?.() ?? 60_000;
    const deadline = new Date(Date.now() + Math.max(0, Math.min(maxWaitMs, remaining - marginMs)));
    return handStreamBatch(deps, event, deadline, settings, (messageId, outcome, error) => {
      if (outcome === "error") return logger.error("hand-over failed; Lambda retries from this record", { messageId, error });
      if (outcome === "throttled") metrics.count({ name: "SmsThrottled" });
      logger.info("hand-over", { messageId, outcome });
    }).finally(() => metrics.flush());
  });
