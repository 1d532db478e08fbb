import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { items, pendingIndexAttributes, pendingIndexNames } from "./items";
import { keys, tableDesign } from "./table-design";
import { optOutChecksOf } from "./opt-out-items";
import type { AsideReceipt, MessageStore, ReceiptApplied, ReceiptChange, RetryClaim } from "../../core/ports/message-store";
import type { MessageRef, StoredMessage } from "../../core/model/message";
import { retryMove, statusesThatMayBecome } from "../../core/rules/message-status";
import { Expression } from "./update-expression";
import { getMessage, newEventId, refOf, updateMessage, updateMessageWithEvents } from "./message-updates";
import { eventsOf } from "../../core/rules/event-catalogue";

/**
 * Outbound messages after their creation, on the single table. Every change is one conditional
 * UpdateItem on the message item: the status order (message-status.ts) becomes the condition, so
 * the database, not a read before the write, keeps a message from moving back.
 */
export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    /** How long events are kept (TTL). */
    private readonly eventRetentionSeconds = 7 * 24 * 3600,
  ) {}

  async locate(messageId: string): Promise<MessageRef | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.messageById(messageId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return { interactionId: String(Item.interactionId), messageId: String(Item.messageId), createdAt: String(Item.createdAt) };
  }

  get(ref: MessageRef): Promise<StoredMessage | undefined> {
    return getMessage(this.client, this.tableName, ref);
  }

  async applyReceipt(ref: MessageRef, change: ReceiptChange): Promise<ReceiptApplied> {
    const e = new Expression();
    const conditions: string[] = [];
    const receipt = e.name("lastReceipt");
    e.sets.push(`${receipt} = ${e.value("lastReceipt", change.receipt)}`);
    if (change.status) {
      const allowed = statusesThatMayBecome(change.status);
      if (allowed.length === 0) throw new Error(`no status may move to ${change.status}`);
      e.set("status", change.status);
      conditions.push(`${e.name("status")} IN (${allowed.map((status, index) => e.value(`from${index}`, status)).join(", ")})`);
      if (change.status === "delivered") e.set("deliveredAt", change.receipt.at);
      if (change.status === "failed") e.set("failedAt", change.receipt.at);
      if (change.errorCode) e.set("errorCode", change.errorCode);
      // Out of the pipeline: a receipt before the sender's verdict ends the claim too (the verdict then finds it gone).
      e.remove(...pendingIndexNames, "claim");
    } else {
      // Recorded only: on an existing message (an update would create it), and only a newer receipt.
      conditions.push(`attribute_exists(${e.name(tableDesign.partitionKey)})`);
      conditions.push(
        `(attribute_not_exists(${receipt}) OR ${receipt}.${e.name("eventTimestamp")} < ${e.value("eventTimestamp", change.receipt.eventTimestamp)})`,
      );
    }
    if (change.providerMessageId) {
      const provider = e.name("providerMessageId");
      const earlier = e.name("earlierProviderMessageIds");
      const id = e.value("providerMessageId", change.providerMessageId);
      // A timed-out hand-over may never have recorded the provider's id: the receipt brings it.
      e.sets.push(`${provider} = if_not_exists(${provider}, ${id})`);
      // A late receipt of an attempt before a retry is not about the message as it now is.
      conditions.push(`(attribute_not_exists(${earlier}) OR NOT contains(${earlier}, ${id}))`);
    }
    if (!change.status) {
      const recorded = await updateMessage(this.client, this.tableName, ref, e, conditions);
      return recorded.done ? { applied: true, message: recorded.message } : { applied: false, message: recorded.message };
    }
    // A status move: its event in the same transaction; the message read back for the answer.
    const moved = { id: ref.messageId, interactionId: ref.interactionId, status: change.status } as StoredMessage;
    if (change.errorCode) moved.errorCode = change.errorCode;
    if (change.providerMessageId) moved.providerMessageId = change.providerMessageId;
    const result = await updateMessageWithEvents(this.client, this.tableName, ref, e, conditions, {
      events: [eventsOf.messageStatusChanged(newEventId(), moved, change.receipt.at, { type: "system" })],
      after: moved,
      retentionSeconds: this.eventRetentionSeconds,
    });
    if (!result.done) return { applied: false, message: result.message };
    return { applied: true, message: (await getMessage(this.client, this.tableName, ref))! };
  }

  async keepReceiptAside(receipt: AsideReceipt): Promise<{ pk: string; sk: string }> {
    const item = items.receiptAside(receipt);
    // A plain put: the same event delivered again overwrites itself.
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: item }));
    return { pk: String(item[tableDesign.partitionKey]), sk: String(item[tableDesign.sortKey]) };
  }

  async claimRetry(message: StoredMessage, claim: { agentId: string; now: string }): Promise<RetryClaim> {
    const e = new Expression();
    const status = e.name("status");
    const attempts = e.name("attempts");
    const provider = e.name("providerMessageId");
    e.set("status", retryMove.to);
    e.sets.push(`${attempts} = if_not_exists(${attempts}, ${e.value("one", 1)}) + :one`);
    e.set("retriedAt", claim.now);
    e.set("retriedBy", claim.agentId);
    // Back in the pending index: the change stream hands it over, with a fresh validity from retriedAt.
    for (const [attribute, value] of Object.entries(pendingIndexAttributes(message))) e.set(attribute, value);
    e.removes.push(e.name("errorCode"), provider, e.name("failedAt"), e.name("deliveredAt"), e.name("lastReceipt"));
    e.remove("sentAt", "claim", "notBefore", "throttled", "redispatchedAt", "sweeps");
    // Still failed, and still the attempt that was read (its provider id is what becomes "earlier").
    const conditions = [`${status} = ${e.value("failed", retryMove.from)}`];
    if (message.providerMessageId) {
      const earlier = e.name("earlierProviderMessageIds");
      e.sets.push(
        `${earlier} = list_append(if_not_exists(${earlier}, ${e.value("none", [])}), ${e.value("earlier", [message.providerMessageId])})`,
      );
      conditions.push(`${provider} = ${e.value("provider", message.providerMessageId)}`);
    } else {
      conditions.push(`attribute_not_exists(${provider})`);
    }
    const {
      errorCode: _errorCode,
      providerMessageId: _providerMessageId,
      failedAt: _failedAt,
      deliveredAt: _deliveredAt,
      lastReceipt: _lastReceipt,
      sentAt: _sentAt,
      claim: _claim,
      notBefore: _notBefore,
      throttled: _throttled,
      redispatchedAt: _redispatchedAt,
      sweeps: _sweeps,
      ...kept
    } = message;
    const after: StoredMessage = {
      ...kept,
      status: retryMove.to,
      attempts: (message.attempts ?? 1) + 1,
      retriedAt: claim.now,
      retriedBy: claim.agentId,
      ...(message.providerMessageId
        ? { earlierProviderMessageIds: [...(message.earlierProviderMessageIds ?? []), message.providerMessageId] }
        : {}),
    };
    // Not opted out of its send-from number nor of every number, checked in the claim itself
    // (but a STOP's confirmation or a HELP answer, which go whatever the opt-outs say).
    const result = await updateMessageWithEvents(this.client, this.tableName, refOf(message), e, conditions, {
      events: [eventsOf.messageStatusChanged(newEventId(), after, claim.now, { type: "agent", id: claim.agentId })],
      after,
      retentionSeconds: this.eventRetentionSeconds,
      checks: optOutChecksOf(this.tableName, message),
      refused: (by) => (by.failed("opt_out") ? ("opted_out" as const) : undefined),
    });
    if (result === "opted_out") return { claimed: false, optedOut: true, message };
    return result.done ? { claimed: true, message: result.message } : { claimed: false, message: result.message };
  }
}
