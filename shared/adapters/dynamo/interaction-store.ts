import { GetCommand, QueryCommand, TransactWriteCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { queryPrefix, queryPrefixPage } from "./query-pages";
import { decodeListCursor, encodeListCursor } from "./list-cursor";
import { fromItem, interactionFromItem, isItemOf, items } from "./items";
import { keys, tableDesign } from "./table-design";
import { notExists } from "./transaction";
import type { Interaction, Participant } from "../../core/model/interaction";
import type { Message } from "../../core/model/message";
import type { InteractionPage, InteractionStore } from "../../core/ports/interaction-store";
import { byCodeUnits } from "../../core/rules/code-unit-order";

export class DynamoInteractionStore implements InteractionStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async get(interactionId: string): Promise<Interaction | undefined> {
    // Consistent: callers read an interaction right after writing it (a send, a close).
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.interaction(interactionId), ConsistentRead: true }),
    );
    return Item ? interactionFromItem(Item) : undefined;
  }

  async getWithParticipants(interactionId: string) {
    // The interaction item and its participants share the prefix; messages sort apart.
    const items = await queryPrefix(this.client, this.tableName, keys.interaction(interactionId).pk, keys.interactionItemPrefix, {
      ConsistentRead: true,
    });
    const record = items.find((item) => isItemOf(item, "interaction"));
    if (!record) return undefined;
    const participants = items.filter((item) => isItemOf(item, "participant")).map((item) => fromItem<Participant>(item));
    return { ...interactionFromItem(record), participants: participants.sort((a, b) => byCodeUnits(a.joinedAt, b.joinedAt)) };
  }

  async listMessages(interactionId: string, options: { limit: number; after?: string }) {
    const after = options.after === undefined ? undefined : decodeListCursor(options.after, "messages", interactionId);
    if (options.after !== undefined && after === undefined) return "invalid_cursor" as const;
    const page = await queryPrefixPage(this.client, this.tableName, keys.interaction(interactionId).pk, keys.messagePrefix, {
      limit: options.limit,
      ...(after !== undefined ? { after } : {}),
    });
    return {
      items: page.items.map((item) => fromItem<Message>(item)),
      ...(page.lastSortKey ? { cursor: encodeListCursor("messages", interactionId, page.lastSortKey) } : {}),
    };
  }

  listByConsumer(consumerId: string, options: { limit: number; cursor?: string; active?: boolean }) {
    const index = tableDesign.indexes.byConsumer;
    return this.page(index, keys.consumerInteractionsPartition(consumerId), options);
  }

  listActiveByAssignee(agentId: string, options: { limit: number; cursor?: string }) {
    const index = tableDesign.indexes.byAssignee;
    return this.page(index, keys.assigneeActivePartition(agentId), options);
  }

  async createPhoneInteraction(interaction: Interaction): Promise<void> {
    // With its link from the caller's number (export and erasure find it there).
    await this.client.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: {
              TableName: this.tableName,
              Item: items.interaction(interaction),
              ...notExists,
            },
          },
          ...(interaction.to ? [{ Put: { TableName: this.tableName, Item: items.interactionLink(interaction) } }] : []),
        ],
      }),
    );
  }

  private async page(
    index: { indexName: string; partitionKey: string; sortKey: string },
    partitionValue: string,
    options: { limit: number; cursor?: string; active?: boolean },
  ): Promise<InteractionPage | "invalid_cursor"> {
    const { indexName, partitionKey: partitionAttribute } = index;
    const startKey = options.cursor === undefined ? undefined : decodeCursor(options.cursor);
    // A cursor is this query's own last key: the table's and the index's key attributes, same partition.
    const expected = [tableDesign.partitionKey, tableDesign.sortKey, index.partitionKey, index.sortKey].sort().join();
    if (
      startKey === null ||
      (startKey && (startKey[partitionAttribute] !== partitionValue || Object.keys(startKey).sort().join() !== expected))
    ) {
      return "invalid_cursor";
    }
    const items: Interaction[] = [];
    let next: Record<string, unknown> | undefined = startKey;
    // A filter (active) can leave a DynamoDB page short: keep reading until the page is full.
    do {
      const result = await this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          IndexName: indexName,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": partitionAttribute, ...(options.active !== undefined ? { "#active": "active" } : {}) },
          ExpressionAttributeValues: { ":pk": partitionValue, ...(options.active !== undefined ? { ":active": options.active } : {}) },
          ...(options.active !== undefined ? { FilterExpression: "#active = :active" } : {}),
          ScanIndexForward: false,
          Limit: options.limit - items.length,
          ExclusiveStartKey: next,
        }),
      );
      items.push(...(result.Items ?? []).map((item) => interactionFromItem(item)));
      next = result.LastEvaluatedKey;
    } while (next && items.length < options.limit);
    return { items, ...(next ? { cursor: encodeCursor(next) } : {}) };
  }

  private queryPartition(pk: string, prefix: string): Promise<Record<string, unknown>[]> {
    return queryPrefix(this.client, this.tableName, pk, prefix);
  }
}

function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString("base64url");
}

/** undefined for no cursor, null for one that is not ours. */
function decodeCursor(cursor: string): Record<string, unknown> | null {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8")) as unknown;
    if (typeof key !== "object" || key === null || Array.isArray(key)) return null;
    // Key values DynamoDB would refuse with a ValidationException (a 500 to the client): empty, or over the 1 KB sort-key limit.
    const isKeyValue = (value: unknown) => typeof value === "string" && value !== "" && Buffer.byteLength(value) <= 1024;
    return Object.values(key).every(isKeyValue) ? (key as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
