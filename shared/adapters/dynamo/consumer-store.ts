import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { BatchGetCommand, GetCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { queryPrefix } from "./query-pages";
import type { Consumer } from "../../core/model/consumer";
import { fromItem, items } from "./items";
import { keys, phonePartition, tableDesign } from "./table-design";
import type { ConsumerStore } from "../../core/ports/consumer-store";
import { byCodeUnits } from "../../core/rules/code-unit-order";

export class DynamoConsumerStore implements ConsumerStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async create(consumer: Consumer): Promise<"created" | "already_exists"> {
    const notExists = `attribute_not_exists(${tableDesign.partitionKey})`;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Put: {
                TableName: this.tableName,
                Item: items.consumer(consumer),
                ConditionExpression: notExists,
              },
            },
            ...consumer.phoneNumbers.map((e164) => ({
              Put: {
                TableName: this.tableName,
                Item: items.consumerPhone(e164, consumer),
              },
            })),
          ],
        }),
      );
      return "created";
    } catch (error) {
      if (error instanceof TransactionCanceledException && error.CancellationReasons?.[0]?.Code === "ConditionalCheckFailed") {
        return "already_exists";
      }
      throw error;
    }
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
    const { Responses, UnprocessedKeys } = await this.client.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: ids.slice(0, 100).map((id) => keys.consumer(id)) } } }),
    );
    let items = Responses?.[this.tableName] ?? [];
    let pending = UnprocessedKeys?.[this.tableName]?.Keys;
    while (pending && pending.length > 0) {
      const retry = await this.client.send(new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: pending } } }));
      items = items.concat(retry.Responses?.[this.tableName] ?? []);
      pending = retry.UnprocessedKeys?.[this.tableName]?.Keys;
    }
    return items.map((item) => fromItem<Consumer>(item)).sort((a, b) => byCodeUnits(a.createdAt, b.createdAt));
  }
}
