import type { RuntimeConfig } from "./config";
import { DynamoConsumerStore } from "./consumers/dynamo-consumer-store";
import { DynamoInteractionReader } from "./interactions/dynamo-interaction-reader";
import { randomIds, systemClock } from "./platform/clock-and-ids";
import { DynamoProviderStore } from "./providers/dynamo-provider-store";
import { createDocumentClient } from "./storage/dynamo-client";

/**
 * The AWS side of every port, built once per Lambda container (module scope of each handler) or
 * per test table. Use cases receive the parts they need; nothing else constructs an adapter.
 */
export function createAdapters(config: Pick<RuntimeConfig, "tableName" | "dynamoDbEndpoint" | "defaultCountry">) {
  const client = createDocumentClient(config);
  return {
    consumers: new DynamoConsumerStore(client, config.tableName),
    providers: new DynamoProviderStore(client, config.tableName),
    interactions: new DynamoInteractionReader(client, config.tableName),
    clock: systemClock,
    ids: randomIds,
    defaultCountry: config.defaultCountry,
  };
}

export type Adapters = ReturnType<typeof createAdapters>;
