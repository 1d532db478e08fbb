import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { batchGetAll } from "./batch-get";
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
    const unique = [...new Set(interactionIds)];
    const byPartition = new Map(unique.map((id) => [keys.participant(id, agentId).pk, id] as const));
    const found = await batchGetAll(
      this.client,
      this.tableName,
      unique.map((id) => keys.participant(id, agentId)),
    );
    return new Set(found.flatMap((item) => byPartition.get(String(item[tableDesign.partitionKey])) ?? []));
  }
}
