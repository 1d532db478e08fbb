import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { GetCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { queryPrefix } from "./query-pages";
import type { Provider } from "../../core/model/provider";
import { fromItem, items } from "./items";
import { keys, tableDesign } from "./table-design";
import type { CreateProviderResult, ProviderChange, ProviderStore } from "../../core/ports/provider-store";
import { byCodeUnits } from "../../core/rules/code-unit-order";

/**
 * The provider list as this process last read it, per table. Providers are configuration (a few
 * items that change rarely), and every send's transaction re-checks the provider it sends from, so
 * a list a few seconds old costs nothing but saves a Query on every send and Compose SMS. A write
 * through any store of this process drops it; another container's write is seen within the TTL.
 */
const listCache = new Map<string, { readAt: number; providers: Provider[] }>();

export class DynamoProviderStore implements ProviderStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** How long a list read is reused (0: read every time). */
    private readonly listTtlMs = 0,
  ) {}

  async create(provider: Provider): Promise<CreateProviderResult> {
    const notExists = `attribute_not_exists(${tableDesign.partitionKey})`;
    try {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: [
            { Put: { TableName: this.tableName, Item: items.provider(provider), ConditionExpression: notExists } },
            {
              Put: {
                TableName: this.tableName,
                Item: items.providerNumber(provider),
                ConditionExpression: notExists,
                ReturnValuesOnConditionCheckFailure: "ALL_OLD",
              },
            },
          ],
        }),
      );
      listCache.delete(this.tableName);
      return { outcome: "created" };
    } catch (error) {
      const holder = error instanceof TransactionCanceledException ? error.CancellationReasons?.[1] : undefined;
      if (holder?.Code === "ConditionalCheckFailed") {
        // The old item comes back in raw attribute form: it names the provider holding the number.
        const old = holder.Item ? unmarshall(holder.Item as Parameters<typeof unmarshall>[0]) : undefined;
        return { outcome: "number_taken", holderId: old?.providerId as string | undefined };
      }
      throw error;
    }
  }

  async get(providerId: string): Promise<Provider | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: keys.provider(providerId) }));
    return Item ? fromItem<Provider>(Item) : undefined;
  }

  async list(): Promise<Provider[]> {
    const cached = listCache.get(this.tableName);
    if (cached && Date.now() - cached.readAt < this.listTtlMs) return structuredClone(cached.providers);
    const readAt = Date.now();
    const items = await queryPrefix(this.client, this.tableName, keys.providersPartition, keys.providerPrefix);
    const providers = items
      .map((item) => fromItem<Provider>(item))
      .sort((a, b) => byCodeUnits(a.createdAt, b.createdAt) || byCodeUnits(a.id, b.id));
    if (this.listTtlMs > 0) listCache.set(this.tableName, { readAt, providers: structuredClone(providers) });
    return providers;
  }

  async update(providerId: string, change: ProviderChange, updatedAt: string): Promise<Provider | undefined> {
    const names: Record<string, string> = { "#pk": tableDesign.partitionKey, "#updatedAt": "updatedAt" };
    const values: Record<string, unknown> = { ":updatedAt": updatedAt };
    const sets = ["#updatedAt = :updatedAt"];
    const removes: string[] = [];
    for (const [field, value] of Object.entries(change)) {
      if (value === undefined) continue;
      names[`#${field}`] = field;
      if (value === null) {
        removes.push(`#${field}`);
        continue;
      }
      values[`:${field}`] = value;
      sets.push(`#${field} = :${field}`);
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.provider(providerId),
          UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
          ConditionExpression: "attribute_exists(#pk)",
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
          ReturnValues: "ALL_NEW",
        }),
      );
      listCache.delete(this.tableName);
      return Attributes ? fromItem<Provider>(Attributes) : undefined;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return undefined;
      throw error;
    }
  }
}
