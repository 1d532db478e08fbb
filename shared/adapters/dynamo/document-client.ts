import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/**
 * The document client, configured from the environment. With an endpoint override (DynamoDB Local)
 * it needs no real credentials, so it supplies placeholders instead of failing on a fresh laptop.
 */
export function createDocumentClient(config: { endpoint?: string | undefined }): DynamoDBDocumentClient {
  const local = config.endpoint !== undefined;
  const client = new DynamoDBClient({
    ...(local
      ? {
          endpoint: config.endpoint,
          region: process.env.AWS_REGION ?? "local",
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }
      : {}),
    maxAttempts: 5,
  });
  return DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
}
