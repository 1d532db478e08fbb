import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { queryPrefix } from "./query-pages";
import type { Provider } from "../../core/model/provider";
import { fromItem, items } from "./items";
import { keys } from "./table-design";
import { exists, notExists, transact } from "./transaction";
import { Expression } from "./update-expression";
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
    const cancelled = await transact(this.client, [
      // A provider id taken is a bug to see (ids are generated), not an answer: it stays unnamed.
      [undefined, { Put: { TableName: this.tableName, Item: items.provider(provider), ...notExists } }],
      ["number_free", { Put: { TableName: this.tableName, Item: items.providerNumber(provider), ...notExists } }],
    ]);
    if (!cancelled) {
      listCache.delete(this.tableName);
      return { outcome: "created" };
    }
    // The number's item names the provider holding it.
    if (cancelled.failed("number_free"))
      return { outcome: "number_taken", holderId: cancelled.found("number_free")?.providerId as string | undefined };
    throw cancelled.error;
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
    const e = new Expression();
    e.set("updatedAt", updatedAt);
    for (const [field, value] of Object.entries(change)) {
      if (value === null) e.remove(field);
      else if (value !== undefined) e.set(field, value);
    }
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.provider(providerId),
          UpdateExpression: e.update,
          ...exists,
          ExpressionAttributeNames: e.names,
          ExpressionAttributeValues: e.values,
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
