import type { CreateTableCommandInput } from "@aws-sdk/client-dynamodb";
import { tableDesign } from "./table-design";

/**
 * The CreateTable input for DynamoDB Local (the local server and the tests), derived from the same
 * key design the CDK stack reads, so the local table and the deployed one cannot drift.
 */
export function createTableInput(tableName: string): CreateTableCommandInput {
  const indexes = Object.values(tableDesign.indexes);
  const attributes = new Set<string>([tableDesign.partitionKey, tableDesign.sortKey]);
  for (const index of indexes) {
    attributes.add(index.partitionKey);
    attributes.add(index.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: "PAY_PER_REQUEST",
    AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: "S" })),
    KeySchema: [
      { AttributeName: tableDesign.partitionKey, KeyType: "HASH" },
      { AttributeName: tableDesign.sortKey, KeyType: "RANGE" },
    ],
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index.indexName,
      KeySchema: [
        { AttributeName: index.partitionKey, KeyType: "HASH" },
        { AttributeName: index.sortKey, KeyType: "RANGE" },
      ],
      Projection: { ProjectionType: "ALL" },
    })),
    StreamSpecification: { StreamEnabled: true, StreamViewType: tableDesign.streamViewType },
  };
}
