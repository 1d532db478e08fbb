import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import { SNSClient } from "@aws-sdk/client-sns";
import { describe, expect, it } from "vitest";
import { createDocumentClient } from "../../shared/adapters/dynamo/document-client";
import { withoutSdkCallLogging } from "../../shared/platform/aws-sdk-client";

const hasLoggerMiddleware = (client: { middlewareStack: { identify(): string[] } }) =>
  client.middlewareStack.identify().some((entry) => entry.startsWith("loggerMiddleware"));

describe("the SDK clients the functions build", () => {
  it("carry the SDK's logger middleware unless it is taken off (it filters every call's input and output for a no-op logger)", () => {
    expect(hasLoggerMiddleware(new DynamoDBClient({ region: "us-east-1" }))).toBe(true);
    expect(hasLoggerMiddleware(withoutSdkCallLogging(new SNSClient({ region: "us-east-1" })))).toBe(false);
    expect(hasLoggerMiddleware(withoutSdkCallLogging(new EventBridgeClient({ region: "us-east-1" })))).toBe(false);
  });

  it("the document client's calls run without it", () => {
    const documentClient = createDocumentClient({ endpoint: "http://127.0.0.1:1" });
    try {
      expect(hasLoggerMiddleware(documentClient)).toBe(false);
    } finally {
      documentClient.destroy();
    }
  });
});
