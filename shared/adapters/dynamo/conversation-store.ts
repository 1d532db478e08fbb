import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ActiveProfileRef } from "../../core/model/channel-user-profile";
import type { Consumer } from "../../core/model/consumer";
import type { ConversationLock } from "../../core/model/conversation-lock";
import type { Interaction } from "../../core/model/interaction";
import type {
  ApplyResult,
  CloseOptions,
  ConversationStore,
  IdempotencyRecord,
  InboundPlan,
  InitiationPlan,
  NumberState,
} from "../../core/ports/conversation-store";
import type { NumberHasher } from "../../core/ports/number-hasher";
import { byCodeUnits } from "../../core/rules/code-unit-order";
import { batchGetAll } from "./batch-get";
import { applyConversationWrites } from "./conversation-transaction";
import { ConversationWrites } from "./conversation-writes";
import { fromItem, interactionFromItem, isItemOf } from "./items";
import { queryAll } from "./query-pages";
import { keys, phonePartition, tableDesign } from "./table-design";

/**
 * The conversations on the single table: what a number's partition says (its profile, locks,
 * consumers, opt-outs), and the transactions of a send, an inbound message and a close, built by
 * `ConversationWrites` and run by `applyConversationWrites`.
 */
export class DynamoConversationStore implements ConversationStore {
  private readonly writes: ConversationWrites;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** Waits before trying a conflicted closing transaction again. */
    private readonly backoff: (attempt: number) => Promise<void>,
    /** How long events are kept (TTL). */
    eventRetentionSeconds = 7 * 24 * 3600,
    private readonly privacy: {
      /** The keyed hash of a customer number: a send checks the suppression an erasure left under it. */
      numberHasher?: NumberHasher;
      /** MESSAGE_RETENTION: messages, and interactions once closed, are deleted by TTL that long after. */
      messageRetentionSeconds?: number;
    } = {},
  ) {
    this.writes = new ConversationWrites(tableName, {
      eventSeconds: eventRetentionSeconds,
      messageSeconds: privacy.messageRetentionSeconds,
    });
  }

  /** The key of the suppression a send must not meet. No key configured: no send (an erased number's opt-out must hold). */
  private async suppressionOf(customerNumber: string) {
    if (!this.privacy.numberHasher) {
      throw new Error("no privacy key (PRIVACY_KEY_SECRET_ARN or PRIVACY_KEY_FILE): a send cannot check the opt-outs an erasure kept");
    }
    return keys.suppression(await this.privacy.numberHasher.hash(customerNumber));
  }

  async readNumberState(customerNumber: string): Promise<NumberState> {
    // Everything in the number's partition before the profile history: active-profile pointer,
    // consumer links, conversation locks. One strongly consistent read.
    const stored = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: "#pk = :pk AND #sk < :history",
      ExpressionAttributeNames: { "#pk": tableDesign.partitionKey, "#sk": tableDesign.sortKey },
      ExpressionAttributeValues: { ":pk": phonePartition(customerNumber), ":history": keys.profilePrefix },
      ConsistentRead: true,
    });
    const state: NumberState = { activeProfile: undefined, locks: [], consumerIds: [], optOuts: [], lastInboundAt: {} };
    const links: { consumerId: string; createdAt: string }[] = [];
    for (const item of stored) {
      if (isItemOf(item, "activeProfile")) state.activeProfile = fromItem<ActiveProfileRef>(item);
      else if (isItemOf(item, "conversationLock")) state.locks.push(fromItem<ConversationLock>(item));
      else if (isItemOf(item, "optOut")) state.optOuts.push(String(item.providerNumber));
      else if (isItemOf(item, "lastInbound")) state.lastInboundAt[String(item.providerNumber)] = String(item.at);
      else if (isItemOf(item, "consumerPhone"))
        links.push({ consumerId: String(item.consumerId), createdAt: String(item.createdAt ?? "") });
    }
    // Oldest consumer first (the sort key orders them by id, not by age).
    state.consumerIds = links
      .sort((a, b) => byCodeUnits(a.createdAt, b.createdAt) || byCodeUnits(a.consumerId, b.consumerId))
      .map((link) => link.consumerId);
    return state;
  }

  async applyInitiation(plan: InitiationPlan): Promise<ApplyResult> {
    const suppression = await this.suppressionOf(plan.interaction.to!);
    return applyConversationWrites(this.client, plan.now, (numbering) => this.writes.initiation(plan, numbering, suppression));
  }

  async applyInbound(plan: InboundPlan, inboundMessageId: string): Promise<ApplyResult> {
    return applyConversationWrites(this.client, plan.interaction.updatedAt, (numbering) =>
      this.writes.inbound(plan, inboundMessageId, numbering),
    );
  }

  async closeInteraction(
    interaction: Interaction,
    state: "closed_complete" | "closed_abandoned",
    now: string,
    options: CloseOptions = {},
  ): Promise<"closed" | "not_active"> {
    for (let attempt = 0; ; attempt++) {
      const result = await applyConversationWrites(this.client, now, (numbering) =>
        this.writes.close(interaction, state, now, options, numbering),
      );
      if (result.ok) return "closed";
      if (result.failed !== "conflict") return "not_active";
      if (attempt >= 8) throw new Error("closing transaction kept conflicting");
      await this.backoff(attempt);
    }
  }

  async listIdle(idleSince: string, limit: number): Promise<Interaction[]> {
    const index = tableDesign.indexes.byActivity;
    const { Items } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: index.indexName,
        KeyConditionExpression: "#pk = :pk AND #sk < :since",
        ExpressionAttributeNames: { "#pk": index.partitionKey, "#sk": index.sortKey },
        // The sort key is "<lastActivityAt>#<id>": everything before the cutoff's timestamp.
        ExpressionAttributeValues: { ":pk": keys.activeInteractionsPartition, ":since": `${idleSince}#` },
        Limit: limit,
      }),
    );
    return (Items ?? []).map((item) => interactionFromItem(item));
  }

  async getConsumerAndIdempotencyRecord(
    consumerId: string,
    agentId: string,
    key: string,
  ): Promise<{ consumer: Consumer | undefined; record: IdempotencyRecord | undefined }> {
    const found = await batchGetAll(this.client, this.tableName, [keys.consumer(consumerId), keys.idempotencyKey(agentId, key)], {
      consistentRead: true,
      backoff: this.backoff,
    });
    const consumer = found.find((item) => isItemOf(item, "consumer"));
    const record = found.find((item) => isItemOf(item, "idempotencyKey"));
    return {
      consumer: consumer ? fromItem<Consumer>(consumer) : undefined,
      record: record ? fromItem<IdempotencyRecord>(record) : undefined,
    };
  }
}
