import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ServiceEvent } from "../../core/model/service-event";
import type { EventPage, EventStore } from "../../core/ports/event-store";
import { fromItem } from "./items";
import { keys, tableDesign } from "./table-design";

const feedIndex = tableDesign.indexes.eventFeed;

/** A cursor names the list it came from, so one list's cursor is refused by another. */
type Cursor = { list: "feed"; after: string } | { list: "interaction"; interactionId: string; after: string };

/** The events on the single table: the feed index (gsi5) and each interaction's partition. */
export class DynamoEventStore implements EventStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async feed(options: { after: string; settledBefore: string; limit: number }): Promise<EventPage | "invalid_cursor"> {
    const cursor = decode(options.after);
    if (cursor?.list !== "feed") return "invalid_cursor";
    const after = cursor.after;
    // Only events that settled: one committed a moment after an earlier-stamped one is still seen.
    const before = options.settledBefore;
    if (after >= before) return { items: [], cursor: encode({ list: "feed", after }) };
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
    return { items: items.map((item) => item.event), cursor: encode({ list: "feed", after: position }) };
  }

  feedCursorAt(at: string): string {
    return encode({ list: "feed", after: at });
  }

  async ofInteraction(interactionId: string, options: { after?: string; limit: number }) {
    let after: string = keys.eventPrefix;
    if (options.after !== undefined) {
      const cursor = decode(options.after);
      if (cursor?.list !== "interaction" || cursor.interactionId !== interactionId) return "invalid_cursor" as const;
      after = cursor.after;
    }
    const { Items, LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND #sk BETWEEN :after AND :end",
        ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#sk": tableDesign.sortKey },
        ExpressionAttributeValues: {
          ":pk": keys.interaction(interactionId).pk,
          ":after": `${after}\u0000`,
          ":end": `${keys.eventPrefix}\uffff`,
        },
        Limit: options.limit,
        ConsistentRead: true,
      }),
    );
    const items = (Items ?? []).map((item) => fromItem<ServiceEvent>(item));
    const last = Items?.at(-1)?.[tableDesign.sortKey];
    return {
      items,
      ...(LastEvaluatedKey && last ? { cursor: encode({ list: "interaction", interactionId, after: String(last) }) } : {}),
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

function encode(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString("base64url");
}

function decode(text: string): Cursor | undefined {
  try {
    const value = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Partial<Cursor> & Record<string, unknown>;
    if (value.list === "feed" && typeof value.after === "string") return { list: "feed", after: value.after };
    if (value.list === "interaction" && typeof value.after === "string" && typeof value.interactionId === "string") {
      return { list: "interaction", interactionId: value.interactionId, after: value.after };
    }
    return undefined;
  } catch {
    return undefined;
  }
}
