import { BatchGetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ItemKey } from "./table-design";

/** DynamoDB's limit of keys in one BatchGetItem. */
const keysPerBatch = 100;

/**
 * The items stored under `keys` (in no particular order; a key with nothing stored gives nothing),
 * 100 keys a request. BatchGet may leave keys unprocessed under load: they are asked for again,
 * after `backoff` (the SDK retries throttled requests, not the keys a request left).
 */
export async function batchGetAll(
  client: DynamoDBDocumentClient,
  tableName: string,
  keys: readonly ItemKey[],
  options: { consistentRead?: boolean; backoff?: (attempt: number) => Promise<void> } = {},
): Promise<Record<string, unknown>[]> {
  const backoff = options.backoff ?? unprocessedKeysBackoff;
  const found: Record<string, unknown>[] = [];
  for (let start = 0; start < keys.length; start += keysPerBatch) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(start, start + keysPerBatch).map((key) => ({ ...key }));
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 0) await backoff(attempt - 1);
      const answer: {
        Responses?: Record<string, Record<string, unknown>[]>;
        UnprocessedKeys?: Record<string, { Keys?: Record<string, unknown>[] }>;
      } = await client.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ...(options.consistentRead ? { ConsistentRead: true } : {}) } },
        }),
      );
      found.push(...(answer.Responses?.[tableName] ?? []));
      pending = answer.UnprocessedKeys?.[tableName]?.Keys;
    }
  }
  return found;
}

/** Exponential with jitter, as AWS advises for unprocessed keys: up to 25, 50, 100 ms… capped at 1 s. */
function unprocessedKeysBackoff(attempt: number): Promise<void> {
  const ceiling = Math.min(1000, 25 * 2 ** attempt);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}
