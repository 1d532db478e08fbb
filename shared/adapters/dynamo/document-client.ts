import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { withoutSdkCallLogging } from "../../platform/aws-sdk-client";

/**
 * Listeners told of every document client created from now on (see `onDocumentClientCreated`).
 * Empty unless a measuring tool registers one; production code never does.
 */
const creationListeners = new Set<(client: DynamoDBDocumentClient) => void>();

/**
 * Measurement hook: `listener` is called with each document client `createDocumentClient` makes
 * after this call, before the client is used, so a tool that imports handlers in process
 * (`npm run bench`) can add SDK middleware to their clients (count calls, time them). Registering
 * does nothing else; returns the function that unregisters the listener.
 */
export function onDocumentClientCreated(listener: (client: DynamoDBDocumentClient) => void): () => void {
  creationListeners.add(listener);
  return () => void creationListeners.delete(listener);
}

/**
 * The document client, configured from the environment. With an endpoint override (DynamoDB Local)
 * it needs no real credentials, so it supplies placeholders instead of failing on a fresh laptop.
 */
export function createDocumentClient(config: { endpoint?: string | undefined }): DynamoDBDocumentClient {
  const local = config.endpoint !== undefined;
  const client = withoutSdkCallLogging(
    new DynamoDBClient({
      ...(local
        ? {
            endpoint: config.endpoint,
            region: process.env.AWS_REGION ?? "local",
            credentials: { accessKeyId: "local", secretAccessKey: "local" },
          }
        : {}),
      maxAttempts: 5,
    }),
  );
  const documentClient = DynamoDBDocumentClient.from(client, {
    marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: false },
  });
  for (const listener of creationListeners) listener(documentClient);
  return documentClient;
}
