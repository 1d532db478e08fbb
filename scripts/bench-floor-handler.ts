/**
 * The floor of `npm run bench`'s cold-start section: the smallest useful DynamoDB function. It
 * bundles only the document client (@aws-sdk/lib-dynamodb over @aws-sdk/client-dynamodb) and does
 * one GetItem, configured from the environment the way createDocumentClient configures ours
 * (endpoint override and placeholder credentials for DynamoDB Local). Built in the same run, with
 * the same esbuild settings as every function, so "KB above the floor" and "cold start ÷ floor"
 * measure what our own code adds.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient, GetCommand } from "@aws-sdk/lib-dynamodb";

const endpoint = process.env.DYNAMODB_ENDPOINT || undefined;
const client = DynamoDBDocumentClient.from(
  new DynamoDBClient({
    ...(endpoint
      ? { endpoint, region: process.env.AWS_REGION ?? "local", credentials: { accessKeyId: "local", secretAccessKey: "local" } }
      : {}),
    maxAttempts: 5,
  }),
);

export const handler = async (): Promise<{ statusCode: number; body: string }> => {
  const { Item } = await client.send(new GetCommand({ TableName: process.env.TABLE_NAME, Key: { pk: "FLOOR", sk: "FLOOR" } }));
  return { statusCode: Item ? 200 : 404, body: JSON.stringify(Item ?? null) };
};
