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
