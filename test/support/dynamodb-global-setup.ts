import type { TestProject } from "vitest/node";
import { startDynamoDbLocal } from "../../local/dynamodb-local";

declare module "vitest" {
  export interface ProvidedContext {
    dynamoDbEndpoint: string;
  }
}

/** Starts one in-memory DynamoDB Local for the test run and hands its endpoint to every file. */
export default async function setup(project: TestProject) {
  const dynamo = await startDynamoDbLocal();
  project.provide("dynamoDbEndpoint", dynamo.endpoint);
  return async () => {
    await dynamo.stop();
  };
}
