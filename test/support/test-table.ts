import { randomUUID } from "node:crypto";
import { CreateTableCommand, DeleteTableCommand } from "@aws-sdk/client-dynamodb";
import { ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { inject } from "vitest";
import { createDocumentClient } from "../../shared/adapters/dynamo/document-client";
import { createTableInput } from "../../shared/adapters/dynamo/table-definition";

export interface TestTable {
  tableName: string;
  endpoint: string;
  documentClient: DynamoDBDocumentClient;
  /** Every item in the table, for asserting stored records. */
  scanAll(): Promise<Record<string, unknown>[]>;
  drop(): Promise<void>;
}

/** A fresh table in the run's DynamoDB Local, created from the same declaration as the stack's. */
export async function createTestTable(prefix: string): Promise<TestTable> {
  const endpoint = inject("dynamoDbEndpoint");
  const tableName = `${prefix}-${randomUUID().slice(0, 8)}`;
  const documentClient = createDocumentClient({ endpoint });
  await documentClient.send(new CreateTableCommand(createTableInput(tableName)));
  return {
    tableName,
    endpoint,
    documentClient,
    async scanAll() {
      const items: Record<string, unknown>[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const page = await documentClient.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
        items.push(...(page.Items ?? []));
        startKey = page.LastEvaluatedKey;
      } while (startKey);
      return items;
    },
    async drop() {
      await documentClient.send(new DeleteTableCommand({ TableName: tableName }));
      documentClient.destroy();
    },
  };
}
