import type { DynamoDBBatchResponse, DynamoDBStreamEvent } from "aws-lambda";
import type { StoredMessage } from "../../shared/core/model/message";
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
 * message is handed over; other records are ignored. Records of one conversation key (from, to)
 * are handed over in order, one at a time; different keys at once, since nothing orders them
 * against each other (the pacing slots of a shared send-from number are conditional writes). A
 * record that throws is reported as a batch item failure with every record after it, so Lambda
 * retries from there; records after it that did finish are then seen again, and end as
 * `not_queued` or `claimed_elsewhere`.
 */
export async function handStreamBatch(
  deps: StreamBatchDeps,
  event: DynamoDBStreamEvent,
  deadline: Date,
  settings: HandOverSettings,
  report: (messageId: string, outcome: HandOverOutcome | "error", error?: unknown) => void = () => undefined,
): Promise<DynamoDBBatchResponse> {
  const records = event.Records ?? [];
  const byKey = new Map<string, { index: number; message: StoredMessage }[]>();
  for (const [index, record] of records.entries()) {
    const message = queuedOutboundMessage(record);
    if (!message) continue;
    const key = `${message.from}|${message.to}`;
    const queue = byKey.get(key) ?? [];
    queue.push({ index, message });
    byKey.set(key, queue);
  }
  if (byKey.size === 0) return { batchItemFailures: [] };
  const providers = await deps.providers.list();
  const failedAt = await Promise.all(
    [...byKey.values()].map(async (queue) => {
      for (const { index, message } of queue) {
        try {
          const provider = providers.find((candidate) => candidate.number === message.from);
          report(message.id, await handOverQueuedSms(deps, message, provider, deadline, settings));
        } catch (error) {
          report(message.id, "error", error);
          return index;
        }
      }
      return undefined;
    }),
  );
  const firstFailure = Math.min(...failedAt.map((index) => index ?? Infinity));
  if (firstFailure === Infinity) return { batchItemFailures: [] };
  return {
    batchItemFailures: records
      .slice(firstFailure)
      .flatMap((failed) => (failed.dynamodb?.SequenceNumber ? [{ itemIdentifier: failed.dynamodb.SequenceNumber }] : [])),
  };
}
