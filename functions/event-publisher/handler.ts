import middy from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import { insertedEvent } from "../../shared/adapters/dynamo/stream-records";
import { createEventBus } from "../../shared/adapters/events/create-event-bus";
import { CloudWatchOutcomeMetrics } from "../../shared/adapters/metrics/cloudwatch-metrics";
import { sleep } from "../../shared/platform/backoff";
import { logger } from "../../shared/platform/logger";
import { PublishFailed, publishEvents } from "../../shared/use-cases/publish-events";

const metrics = new CloudWatchOutcomeMetrics();
const deps = { bus: createEventBus(), metrics, sleep };

/**
 * The table's change stream (the mapping passes new event items only): every event, in order, put
 * on the bus. An event the bus would not take fails its record and every one after it, so Lambda
 * retries from there (and, after its retries, parks the batch in the failure destination). Each
 * event put is counted as the outcome metrics say (rules/outcome-metrics.ts).
 */
export const handler = middy<DynamoDBStreamEvent, DynamoDBBatchResponse>()
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .handler(async (event) => {
    const records = (event.Records ?? []).flatMap((record) => {
      const published = insertedEvent(record);
      return published ? [{ record, event: published }] : [];
    });
    try {
      await publishEvents(
        deps,
        records.map((entry) => entry.event),
      );
      return { batchItemFailures: [] };
    } catch (error) {
      if (!(error instanceof PublishFailed)) throw error;
      logger.error("event not published; Lambda retries from its record", { eventId: error.event.id, code: error.code });
      const from = records.findIndex((entry) => entry.event.id === error.event.id);
      return {
        batchItemFailures: records
          .slice(Math.max(0, from))
          .flatMap(({ record }) => (record.dynamodb?.SequenceNumber ? [{ itemIdentifier: record.dynamodb.SequenceNumber }] : [])),
      };
    } finally {
      metrics.flush();
    }
  });
