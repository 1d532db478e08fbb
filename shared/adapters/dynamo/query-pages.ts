import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from "@aws-sdk/lib-dynamodb";
import { tableDesign } from "./table-design";

/** Every item a query matches, following DynamoDB's pages. */
export async function queryAll(
  client: DynamoDBDocumentClient,
  input: Omit<QueryCommandInput, "ExclusiveStartKey">,
): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return items;
}

/** Every item of a partition whose sort key starts with `prefix`. */
export function queryPrefix(
  client: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  prefix: string,
  options: Pick<QueryCommandInput, "ScanIndexForward" | "ConsistentRead"> = {},
): Promise<Record<string, unknown>[]> {
  return queryAll(client, {
    TableName: tableName,
    KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
    ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#sk": tableDesign.sortKey },
    ExpressionAttributeValues: { ":pk": pk, ":prefix": prefix },
    ...options,
  });
}

/**
 * One page of a partition's items whose sort key starts with `prefix`, oldest first, after the sort
 * key `after` (exclusive; the prefix itself for the first page). `lastSortKey` is set when more follow.
 */
export async function queryPrefixPage(
  client: DynamoDBDocumentClient,
  tableName: string,
  pk: string,
  prefix: string,
  options: { after?: string; limit: number },
): Promise<{ items: Record<string, unknown>[]; lastSortKey?: string }> {
  const end = `${prefix}\uffff`;
  // A cursor past the prefix's range has nothing after it (DynamoDB refuses a BETWEEN whose bounds
  // cross). Compared as UTF-8 bytes, as DynamoDB orders keys (not as JavaScript's UTF-16 units).
  const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));
  if (options.after !== undefined && utf8Order(`${options.after}\u0000`, end) > 0) return { items: [] };
  const after = options.after !== undefined && utf8Order(options.after, prefix) > 0 ? options.after : prefix;
  const { Items, LastEvaluatedKey } = await client.send(
    new QueryCommand({
      TableName: tableName,
      KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :after AND :end",
      ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#sk": tableDesign.sortKey },
      ExpressionAttributeValues: { ":pk": pk, ":after": `${after}\u0000`, ":end": end },
      Limit: options.limit,
      ConsistentRead: true,
    }),
  );
  const items = Items ?? [];
  const last = items.at(-1)?.[tableDesign.sortKey];
  return { items, ...(LastEvaluatedKey && last ? { lastSortKey: String(last) } : {}) };
}
