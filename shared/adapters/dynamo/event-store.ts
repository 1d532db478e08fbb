import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ServiceEvent } from "../../core/model/service-event";
import type { EventPage, EventStore } from "../../core/ports/event-store";
import { fromItem } from "./items";
import { keys, tableDesign } from "./table-design";
import { decodeListCursor, encodeListCursor } from "./list-cursor";
import { queryPrefixPage } from "./query-pages";

const feedIndex = tableDesign.indexes.eventFeed;

/** The events on the single table: the feed index (gsi5) and each interaction's partition. */
export class DynamoEventStore implements EventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async feed(options: { after: string; settledBefore: string; limit: number }): Promise<EventPage | "invalid_cursor"> {
    const after = decodeListCursor(options.after, "feed", "");
    if (after === undefined) return "invalid_cursor";
    // Only events that settled: one committed a moment after an earlier-stamped one is still seen.
    const before = options.settledBefore;
    if (after >= before) return { items: [], cursor: encodeListCursor("feed", "", after) };
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: feedIndex.indexName,
        KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :after AND :before",
        ExpressionAttributeNames: { "#pk": feedIndex.partitionKey, "#sk": feedIndex.sortKey },
        ExpressionAttributeValues: { ":pk": keys.eventFeedPartition, ":after": `${after}\u0000`, ":before": before },
        Limit: options.limit,
      }),
    );
    const items = (Items ?? []).map((item) => ({ position: String(item[feedIndex.sortKey]), event: fromItem<ServiceEvent>(item) }));
    // Read to the end of the settled range: the cursor stands there; else after the last item read.
    const position = LastEvaluatedKey || items.length === options.limit ? (items.at(-1)?.position ?? after) : before;
    return { items: items.map((item) => item.event), cursor: encodeListCursor("feed", "", position) };
  }

  feedCursorAt(at: string): string {
    return encodeListCursor("feed", "", at);
  }

  async ofInteraction(interactionId: string, options: { after?: string; limit: number }) {
    const after = options.after === undefined ? undefined : decodeListCursor(options.after, "interaction-events", interactionId);
    if (options.after !== undefined && after === undefined) return "invalid_cursor" as const;
    const page = await queryPrefixPage(this.client, this.tableName, keys.interaction(interactionId).pk, keys.eventPrefix, {
      limit: options.limit,
      ...(after !== undefined ? { after } : {}),
    });
    return {
      items: page.items.map((item) => fromItem<ServiceEvent>(item)),
      ...(page.lastSortKey ? { cursor: encodeListCursor("interaction-events", interactionId, page.lastSortKey) } : {}),
    };
  }

  async joinedBy(agentId: string, interactionIds: string[]): Promise<Set<string>> {
    const joined = new Set<string>();
    const unique = [...new Set(interactionIds)];
    for (let start = 0; start < unique.length; start += 100) {
      const byPartition = new Map(unique.slice(start, start + 100).map((id) => [keys.participant(id, agentId).pk, id] as const));
      let request: Record<string, { Keys: Record<string, unknown>[] }> | undefined = {
        [this.tableName]: { Keys: [...byPartition.values()].map((id) => ({ ...keys.participant(id, agentId) })) },
      };
      while (request && Object.keys(request).length > 0) {
        const answer: { Responses?: Record<string, Record<string, unknown>[]>; UnprocessedKeys?: Record<string, unknown> } =
          await this.client.send(new BatchGetCommand({ RequestItems: request }));
        for (const item of answer.Responses?.[this.tableName] ?? []) {
          const id = byPartition.get(String(item[tableDesign.partitionKey]));
          if (id) joined.add(id);
        }
        request = answer.UnprocessedKeys as typeof request;
      }
    }
    return joined;
  }
}
