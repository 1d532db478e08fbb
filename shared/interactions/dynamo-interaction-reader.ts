import { BatchGetCommand, GetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { fromItem } from "../storage/stored-item";
import { keys, phonePartition, tableDesign } from "../storage/table-design";
import type { Interaction } from "./interaction";
import type { InteractionReader } from "./interaction-store";

export class DynamoInteractionReader implements InteractionReader {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(interactionId: string): Promise<Interaction | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.interaction(interactionId) }));
    return Item ? fromItem<Interaction>(Item) : undefined;
  }

  /** Reads the number's conversation locks (one per provider number), then the interactions they hold. */
  async findActiveSmsByCustomerNumber(customerE164: string): Promise<Interaction[]> {
    const locks = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :prefix)",
        ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#sk": tableDesign.sortKey },
        ExpressionAttributeValues: { ":pk": phonePartition(customerE164), ":prefix": keys.conversationLockPrefix },
      }),
    );
    const ids = (locks.Items ?? []).map((lock) => String(lock.interactionId));
    if (ids.length === 0) return [];
    const { Responses } = await this.client.send(
      new BatchGetCommand({ RequestItems: { [this.tableName]: { Keys: ids.slice(0, 100).map((id) => keys.interaction(id)) } } }),
    );
    return (Responses?.[this.tableName] ?? [])
      .map((item) => fromItem<Interaction>(item))
      .filter((interaction) => interaction.active)
      .sort((a, b) => b.updatedAt.localeCompare(a.updatedAt));
  }
}
