import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import type { Provider } from "../../shared/core/model/provider";
import { queuedOutboundMessage } from "../../shared/adapters/dynamo/stream-records";
import {
  handOverQueuedSms,
  type HandOverDeps,
  type HandOverOutcome,
  type HandOverSettings,
} from "../../shared/use-cases/hand-over-queued-sms";

export interface StreamBatchDeps extends HandOverDeps {
  providers: { list(): Promise<Provider[]> };
}

/**
 * One stream batch, as the sender handles it: every record whose new image is a queued outbound
 * message is handed over, in order, one at a time; other records are ignored. A record that throws
 * is reported as a batch item failure with every record after it, so Lambda retries from there.
 */
export async function handStreamBatch(
  deps: StreamBatchDeps,
  event: DynamoDBStreamEvent,
  deadline: Date,
  settings: HandOverSettings,
  report: (messageId: string, outcome: HandOverOutcome | "error", error?: unknown) => void = () => undefined,
): Promise<DynamoDBBatchResponse> {
  const records = event.Records ?? [];
  if (!records.some((record) => queuedOutboundMessage(record))) return { batchItemFailures: [] };
  const providers = await deps.providers.list();
  for (const [index, record] of records.entries()) {
    const message = queuedOutboundMessage(record);
    if (!message) continue;
    try {
      const provider = providers.find((candidate) => candidate.number === message.from);
      report(message.id, await handOverQueuedSms(deps, message, provider, deadline, settings));
    } catch (error) {
      report(message.id, "error", error);
      return {
        batchItemFailures: records
          .slice(index)
          .flatMap((failed) => (failed.dynamodb?.SequenceNumber ? [{ itemIdentifier: failed.dynamodb.SequenceNumber }] : [])),
      };
    }
  }
  return { batchItemFailures: [] };
}
