import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import type { Erasure } from "../../core/model/erasure";
import type { Interaction } from "../../core/model/interaction";
import type { StoredMessage } from "../../core/model/message";
import type { PlannedEvent } from "../../core/model/service-event";
import type { InteractionLink, PrivacyStore, StepCounts, SuppressionOrigin } from "../../core/ports/privacy-store";
import { isPending } from "../../core/rules/message-status";
import { erasedNumber, redactPersonalValue } from "../../core/rules/redaction";
import { EventNumbering } from "./event-numbering";
import { fromItem, interactionFromItem, isItemOf, items, pendingIndexNames, type Item } from "./items";
import { queryAll, queryPrefix, queryPrefixPage } from "./query-pages";
import { keys, phonePartition, tableDesign, type ItemKey } from "./table-design";
import { exists, notExists, transact, versionIs } from "./transaction";
import { Expression } from "./update-expression";

/** The error code a message pending when its number was erased ends with: it is never sent. */
export const erasedErrorCode = "ERASED";

/**
 * The erasure of a number's personal data on the single table: the erasure's record (one running
 * per number, guarded in its `PHONE#` partition), and its steps, each safe to run again after a
 * crash: the interactions it took part in redacted, the consumers listing it changed, its consent
 * history and its number's records deleted, its opt-outs kept under the number's keyed hash.
 */
export class DynamoPrivacyErasure implements Omit<PrivacyStore, "exportPage"> {
  constructor(
    protected readonly client: DynamoDBDocumentClient,
    protected readonly tableName: string,
    /** How long events are kept (TTL): the `privacy.erased` event's. */
    private readonly eventRetentionSeconds: number,
  ) {}

  // ---- the erasure's record --------------------------------------------------------------------

  async startErasure(erasure: Erasure): Promise<{ started: true } | { started: false; running: Erasure }> {
    const cancelled = await transact(this.client, [
      [undefined, { Put: { TableName: this.tableName, Item: items.erasure(erasure), ...notExists } }],
      [undefined, { Put: { TableName: this.tableName, Item: items.runningErasure(erasure) } }],
      // One erasure of a number at a time: the guard names the one running.
      ["no_erasure_running", { Put: { TableName: this.tableName, Item: items.erasureGuard(erasure.phoneNumber!, erasure), ...notExists } }],
    ]);
    if (!cancelled) return { started: true };
    if (!cancelled.failed("no_erasure_running")) throw cancelled.error;
    const running = await this.getErasure(String(cancelled.found("no_erasure_running")?.erasureId));
    if (!running) throw cancelled.error;
    return { started: false, running };
  }

  async getErasure(erasureId: string): Promise<Erasure | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.erasure(erasureId), ConsistentRead: true }),
    );
    return Item && isItemOf(Item, "erasure") ? fromItem<Erasure>(Item) : undefined;
  }

  async listRunning(limit: number): Promise<string[]> {
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: "#pk = :pk AND begins_with(#sk, :running)",
        ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#sk": tableDesign.sortKey },
        ExpressionAttributeValues: { ":pk": keys.erasuresPartition, ":running": keys.runningErasurePrefix },
        ConsistentRead: true,
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => String(item.erasureId));
  }

  async saveErasure(from: Erasure, next: Erasure): Promise<boolean> {
    try {
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: items.erasure(next), ...versionIs(from.version) }));
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async completeErasure(from: Erasure, completed: Erasure, event: PlannedEvent): Promise<boolean> {
    const [numbered] = new EventNumbering(event.occurredAt, 0).number([event]);
    const cancelled = await transact(this.client, [
      ["version", { Put: { TableName: this.tableName, Item: items.erasure(completed), ...versionIs(from.version) } }],
      [undefined, { Delete: { TableName: this.tableName, Key: keys.runningErasure(from.requestedAt, from.id) } }],
      [
        undefined,
        {
          Delete: {
            TableName: this.tableName,
            Key: keys.erasureGuard(from.phoneNumber!),
            ConditionExpression: `${notExists.ConditionExpression} OR #erasureId = :id`,
            ExpressionAttributeNames: { "#erasureId": "erasureId" },
            ExpressionAttributeValues: { ":id": from.id },
          },
        },
      ],
      [undefined, { Put: { TableName: this.tableName, Item: items.erasureEvent(numbered!, from.id, this.eventRetentionSeconds) } }],
    ]);
    if (!cancelled) return true;
    if (cancelled.failed("version")) return false;
    throw cancelled.error;
  }

  // ---- the erasure's steps ---------------------------------------------------------------------

  /** The opt-outs among `stored` kept under the number's keyed hash (the send's transaction checks it). */
  private async keepOptOuts(stored: Item[], { numberHash, erasureId, at }: SuppressionOrigin): Promise<void> {
    const providers = stored.filter((item) => isItemOf(item, "optOut")).map((item) => String(item.providerNumber));
    if (providers.length === 0) return;
    // ADD to sets: the same step run again (or a second erasure of the number) changes nothing it already kept.
    await this.client.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: keys.suppression(numberHash),
        UpdateExpression: "ADD #providers :providers, #erasures :erasure SET #itemType = :itemType, #since = if_not_exists(#since, :at)",
        ExpressionAttributeNames: {
          "#providers": "providerNumbers",
          "#erasures": "erasureIds",
          "#itemType": "itemType",
          "#since": "since",
        },
        ExpressionAttributeValues: {
          ":providers": new Set(providers),
          ":erasure": new Set([erasureId]),
          ":itemType": "suppression",
          ":at": at,
        },
      }),
    );
  }

  async linkUnlinkedInteractions(e164: string): Promise<StepCounts> {
    const partition = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": tableDesign.partitionKey },
      ExpressionAttributeValues: { ":pk": phonePartition(e164) },
      ConsistentRead: true,
    });
    const linked = new Set(partition.filter((item) => isItemOf(item, "interactionLink")).map((item) => String(item.interactionId)));
    const consumerIds = new Set(
      partition.filter((item) => isItemOf(item, "consumerPhone") || isItemOf(item, "profile")).map((item) => String(item.consumerId)),
    );
    const found = new Map<string, Interaction>();
    const index = tableDesign.indexes.byConsumer;
    for (const consumerId of consumerIds) {
      const interactions = await queryAll(this.client, {
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: "#pk = :pk",
        FilterExpression: "#to = :to",
        ExpressionAttributeNames: { "#pk": index.partitionKey, "#to": "to" },
        ExpressionAttributeValues: { ":pk": keys.consumerInteractionsPartition(consumerId), ":to": e164 },
      });
      for (const item of interactions) if (isItemOf(item, "interaction")) found.set(String(item.id), interactionFromItem(item));
    }
    // An active conversation with no consumer (a reply from an unknown number) is found by its lock.
    for (const lock of partition.filter((item) => isItemOf(item, "conversationLock"))) {
      const id = String(lock.interactionId);
      if (found.has(id) || linked.has(id)) continue;
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.interaction(id), ConsistentRead: true }),
      );
      if (Item) found.set(id, interactionFromItem(Item));
    }
    let written = 0;
    for (const interaction of found.values()) {
      if (linked.has(interaction.id) || interaction.to !== e164) continue;
      await this.client.send(new PutCommand({ TableName: this.tableName, Item: items.interactionLink(interaction) }));
      written++;
    }
    return { itemsTouched: written };
  }

  async interactionLinks(e164: string, options: { after?: string; limit: number }): Promise<{ links: InteractionLink[]; more: boolean }> {
    const read = await queryPrefixPage(this.client, this.tableName, phonePartition(e164), keys.interactionLinkPrefix, options);
    return {
      links: read.items.map((item) => ({ position: String(item[tableDesign.sortKey]), interactionId: String(item.interactionId) })),
      more: read.lastSortKey !== undefined,
    };
  }

  async redactInteraction(interactionId: string, e164: string, erasureId: string, at: string): Promise<StepCounts> {
    const stored = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": tableDesign.partitionKey },
      ExpressionAttributeValues: { ":pk": keys.interaction(interactionId).pk },
      ConsistentRead: true,
    });
    const counts = { interactions: 0, closedInteractions: 0, messages: 0, events: 0, itemsTouched: 0 };
    // What this erasure already redacted (a step run again after a crash) counts as it did the first time.
    const mine = (item: Item) => item.erasedBy === erasureId;
    for (const item of stored) {
      const key = { pk: String(item.pk), sk: String(item.sk) };
      if (isItemOf(item, "interaction")) {
        if (!mine(item) && item.to !== e164 && item.from !== e164) continue;
        if (!mine(item)) await this.update(key, (e) => replaceNumber(e, item, e164, erasureId));
        counts.interactions++;
        counts.itemsTouched++;
        // Closed by the erasure: its lock was deleted and its `interaction.closed` written too.
        if (item.closedReason === "erased") {
          counts.closedInteractions++;
          counts.itemsTouched += item.type === "sms" ? 2 : 1;
        }
      } else if (isItemOf(item, "message")) {
        if (!mine(item) && typeof item.body !== "string" && item.to !== e164 && item.from !== e164) continue;
        if (!mine(item)) {
          await this.update(key, (e) => {
            replaceNumber(e, item, e164, erasureId);
            e.set("body", null);
            e.set("redacted", true);
            // Never sent now: a pending or scheduled message ends failed (the sender's claim requires
            // it queued, the sweep's promotion scheduled), out of both parts of the index.
            const status = item.status as StoredMessage["status"];
            if (item.direction === "outbound" && (isPending(status) || status === "scheduled")) {
              e.set("status", "failed");
              e.set("errorCode", erasedErrorCode);
              e.set("failedAt", at);
              e.remove(...pendingIndexNames, "claim");
            }
          });
        }
        counts.messages++;
        counts.itemsTouched++;
      } else if (isItemOf(item, "event")) {
        if (!mine(item)) {
          const data = redactPersonalValue(item.data, e164);
          if (data === item.data) continue;
          await this.update(key, (e) => {
            e.set("data", data);
            e.set("erasedBy", erasureId);
          });
        }
        counts.events++;
        counts.itemsTouched++;
      }
    }
    return counts;
  }

  async removeFromConsumers(e164: string): Promise<void> {
    const links = await queryPrefix(this.client, this.tableName, phonePartition(e164), keys.consumerPhonePrefix, { ConsistentRead: true });
    for (const link of links) {
      for (let attempt = 0; ; attempt++) {
        const { Item } = await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: keys.consumer(String(link.consumerId)), ConsistentRead: true }),
        );
        if (!Item) break;
        const numbers = (Item.phoneNumbers as string[] | undefined) ?? [];
        if (!numbers.includes(e164)) break;
        try {
          await this.client.send(
            new UpdateCommand({
              TableName: this.tableName,
              Key: keys.consumer(String(link.consumerId)),
              UpdateExpression: "SET #numbers = :after",
              // Over the list as read: a number added meanwhile is not lost.
              ConditionExpression: "#numbers = :before",
              ExpressionAttributeNames: { "#numbers": "phoneNumbers" },
              ExpressionAttributeValues: { ":after": numbers.filter((number) => number !== e164), ":before": numbers },
            }),
          );
          break;
        } catch (error) {
          if (!(error instanceof ConditionalCheckFailedException) || attempt >= 4) throw error;
        }
      }
    }
  }

  async measureConsentHistory(e164: string): Promise<StepCounts> {
    const stored = await this.partition(keys.consentPartition(e164));
    const consents = stored.filter((item) => isItemOf(item, "consentEntry")).length;
    const events = stored.filter((item) => isItemOf(item, "event")).length;
    return { consents, events, itemsTouched: stored.length };
  }

  async deleteConsentHistory(e164: string): Promise<void> {
    await this.deleteAll(await this.partition(keys.consentPartition(e164)));
  }

  async measureNumberRecords(e164: string, linksDone: string | undefined): Promise<{ news: true } | { news: false; counts: StepCounts }> {
    const { kept, news } = await this.numberRecords(e164, linksDone);
    if (news.length > 0) return { news: true };
    const optOutsKept = kept.filter((item) => isItemOf(item, "optOut")).length;
    // Counted here, where their links go (once each, however often the erasure went over them).
    const consumers = kept.filter((item) => isItemOf(item, "consumerPhone")).length;
    return {
      news: false,
      counts: {
        profiles: kept.filter((item) => isItemOf(item, "profile")).length,
        consumers,
        optOutsKept,
        // And the consumers changed, and the suppression written for the opt-outs.
        itemsTouched: kept.length + consumers + (optOutsKept > 0 ? 1 : 0),
      },
    };
  }

  async deleteNumberRecords(e164: string, linksDone: string | undefined, keep: SuppressionOrigin): Promise<{ news: boolean }> {
    const { kept, news } = await this.numberRecords(e164, linksDone);
    // From the same read as the deletes: no opt-out is deleted without being kept.
    await this.keepOptOuts(kept, keep);
    await this.deleteAll(kept);
    return { news: news.length > 0 };
  }

  /**
   * The number's records an erasure deletes (`kept`, all but the guard), and the news it must go
   * back over first, left in place: links after `linksDone` with their interactions' conversation
   * locks (deleting a lock would strand its interaction open), and the links of consumers that
   * list the number again.
   */
  private async numberRecords(e164: string, linksDone: string | undefined): Promise<{ kept: Item[]; news: Item[] }> {
    const stored = (await this.partition(phonePartition(e164))).filter((item) => !isItemOf(item, "erasureGuard"));
    const newLinks = stored.filter((item) => isNewLink(item, linksDone));
    const newInteractions = new Set(newLinks.map((item) => String(item.interactionId)));
    const news = new Set<Item>(newLinks);
    for (const item of stored) {
      if (isItemOf(item, "conversationLock") && newInteractions.has(String(item.interactionId))) news.add(item);
      if (isItemOf(item, "consumerPhone")) {
        const { Item } = await this.client.send(
          new GetCommand({ TableName: this.tableName, Key: keys.consumer(String(item.consumerId)), ConsistentRead: true }),
        );
        if (((Item?.phoneNumbers as string[] | undefined) ?? []).includes(e164)) news.add(item);
      }
    }
    return { kept: stored.filter((item) => !news.has(item)), news: [...news] };
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private partition(pk: string): Promise<Item[]> {
    return queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: "#pk = :pk",
      ExpressionAttributeNames: { "#pk": tableDesign.partitionKey },
      ExpressionAttributeValues: { ":pk": pk },
      ConsistentRead: true,
    });
  }

  /** An update of an existing item (never one that creates it). */
  private async update(key: ItemKey, build: (e: Expression) => void): Promise<void> {
    const e = new Expression();
    build(e);
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: key,
          UpdateExpression: e.update,
          ...exists,
          ExpressionAttributeNames: e.names,
          ExpressionAttributeValues: Object.keys(e.values).length > 0 ? e.values : undefined,
        }),
      );
    } catch (error) {
      // Gone meanwhile (TTL): nothing left to redact.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /**
   * Deletes the items, up to 100 in one transaction: a number's records go together (its
   * active-profile pointer never outlives its profile, nor the other way round). A conflict fails
   * the step, which the next run does again.
   */
  private async deleteAll(stored: Item[]): Promise<void> {
    for (let start = 0; start < stored.length; start += 100) {
      await this.client.send(
        new TransactWriteCommand({
          TransactItems: stored.slice(start, start + 100).map((item) => ({
            Delete: { TableName: this.tableName, Key: { pk: item[tableDesign.partitionKey], sk: item[tableDesign.sortKey] } },
          })),
        }),
      );
    }
  }
}

/** The customer's number in `from`/`to` becomes `erased`; the item is marked as this erasure's. */
function replaceNumber(e: Expression, item: Item, e164: string, erasureId: string): void {
  if (item.to === e164) e.set("to", erasedNumber);
  if (item.from === e164) e.set("from", erasedNumber);
  e.set("erasedBy", erasureId);
}

/** An interaction link past the ones the erasure went through: an interaction opened while it ran. */
function isNewLink(item: Item, linksDone: string | undefined): boolean {
  return isItemOf(item, "interactionLink") && (linksDone === undefined || String(item[tableDesign.sortKey]) > linksDone);
}
