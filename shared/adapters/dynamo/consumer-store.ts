import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { batchGetAll } from "./batch-get";
import { queryPrefix } from "./query-pages";
import type { Consumer } from "../../core/model/consumer";
import { fromItem, items } from "./items";
import { keys, phonePartition } from "./table-design";
import { notExists, transact } from "./transaction";
import type { ConsumerStore } from "../../core/ports/consumer-store";
import { byCodeUnits } from "../../core/rules/code-unit-order";

export class DynamoConsumerStore implements ConsumerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(consumer: Consumer): Promise<"created" | "already_exists"> {
    const cancelled = await transact(this.client, [
      ["new_consumer", { Put: { TableName: this.tableName, Item: items.consumer(consumer), ...notExists } }],
      ...consumer.phoneNumbers.map(
        (e164) => [undefined, { Put: { TableName: this.tableName, Item: items.consumerPhone(e164, consumer) } }] as const,
      ),
    ]);
    if (!cancelled) return "created";
    if (cancelled.failed("new_consumer")) return "already_exists";
    throw cancelled.error;
  }

  async get(consumerId: string): Promise<Consumer | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.consumer(consumerId) }));
    return Item ? fromItem<Consumer>(Item) : undefined;
  }

  async findByPhoneNumber(e164: string): Promise<Consumer[]> {
    const links = await queryPrefix(this.client, this.tableName, phonePartition(e164), keys.consumerPhonePrefix);
    const ids = links.map((item) => String(item.consumerId));
    if (ids.length === 0) return [];
    // A number listed by more than 100 consumers is not a real customer's phone; read the first 100.
    const items = await batchGetAll(this.client, this.tableName, ids.slice(0, 100).map(keys.consumer));
    return items.map((item) => fromItem<Consumer>(item)).sort((a, b) => byCodeUnits(a.createdAt, b.createdAt));
  }
}
