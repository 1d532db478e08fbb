import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Message } from "../../core/model/message";
import { fromItem, items } from "./items";
import { keys, tableDesign } from "./table-design";
import type { AsideReceipt, MessageStore, ReceiptApplied, ReceiptChange, RetryClaim } from "../../core/ports/message-store";
import type { MessageRef, StoredMessage } from "../../core/model/message";
import { retryMove, statusesThatMayBecome, verdictFrom } from "../../core/rules/message-status";

/** An update expression built clause by clause, with its names and values. */
class Expression {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, unknown> = {};
  readonly sets: string[] = [];
  readonly removes: string[] = [];

  name(attribute: string): string {
    this.names[`#${attribute}`] = attribute;
    return `#${attribute}`;
  }

  value(placeholder: string, value: unknown): string {
    this.values[`:${placeholder}`] = value;
    return `:${placeholder}`;
  }

  set(attribute: string, value: unknown): void {
    this.sets.push(`${this.name(attribute)} = ${this.value(attribute, value)}`);
  }

  get update(): string {
    return [this.sets.length ? `SET ${this.sets.join(", ")}` : "", this.removes.length ? `REMOVE ${this.removes.join(", ")}` : ""]
      .filter(Boolean)
      .join(" ");
  }
}

/**
 * Outbound messages after their creation, on the single table. Every change is one conditional
 * UpdateItem on the message item: the status order (message-status.ts) becomes the condition, so
 * the database, not a read before the write, keeps a message from moving back.
 */
export class DynamoMessageStore implements MessageStore {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  async locate(messageId: string): Promise<MessageRef | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.messageById(messageId), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    return { interactionId: String(Item.interactionId), messageId: String(Item.messageId), createdAt: String(Item.createdAt) };
  }

  async get(ref: MessageRef): Promise<StoredMessage | undefined> {
    const { Item } = await this.client.send(new GetCommand({ TableName: this.tableName, Key: messageKey(ref), ConsistentRead: true }));
    return Item ? fromItem<StoredMessage>(Item) : undefined;
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
    const result = await this.conditionalUpdate(ref, e, conditions);
    return result.done ? { applied: true, message: result.message } : { applied: false, message: result.message };
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
    e.removes.push(e.name("errorCode"), provider, e.name("failedAt"), e.name("deliveredAt"), e.name("lastReceipt"));
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
    const result = await this.conditionalUpdate(refOf(message), e, conditions);
    return result.done ? { claimed: true, message: result.message } : { claimed: false, message: result.message };
  }

  /** One conditional UpdateItem on a message: the message after it, or as stored when the condition refused it. */
  private async conditionalUpdate(
    ref: MessageRef,
    e: Expression,
    conditions: string[],
  ): Promise<{ done: true; message: StoredMessage } | { done: false; message: StoredMessage | undefined }> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(ref),
          UpdateExpression: e.update,
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: e.names,
          ExpressionAttributeValues: e.values,
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return { done: true, message: fromItem<StoredMessage>(Attributes ?? {}) };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return { done: false, message: await this.storedAfterRefusal(error, ref) };
      throw error;
    }
  }

  async recordSendVerdict(
    message: StoredMessage,
    verdict: Pick<Message, "status" | "providerMessageId" | "errorCode">,
  ): Promise<StoredMessage> {
    const e = new Expression();
    e.set("status", verdict.status);
    if (verdict.providerMessageId !== undefined) e.set("providerMessageId", verdict.providerMessageId);
    if (verdict.errorCode !== undefined) e.set("errorCode", verdict.errorCode);
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: messageKey(refOf(message)),
          UpdateExpression: e.update,
          ConditionExpression: `${e.name("status")} = ${e.value("queued", verdictFrom)}`,
          ExpressionAttributeNames: e.names,
          ExpressionAttributeValues: e.values,
          ReturnValues: "ALL_NEW",
          ReturnValuesOnConditionCheckFailure: "ALL_OLD",
        }),
      );
      return fromItem<StoredMessage>(Attributes ?? {});
    } catch (error) {
      // Already moved on (a receipt came first): what is stored stands.
      if (error instanceof ConditionalCheckFailedException) return (await this.storedAfterRefusal(error, refOf(message))) ?? message;
      throw error;
    }
  }

  async isOptedOut(customerNumber: string, providerNumber: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.tableName, Key: keys.optOut(customerNumber, providerNumber), ConsistentRead: true }),
    );
    return Item !== undefined;
  }

  /** The item as it was when the condition failed (DynamoDB returns it); read again if it did not. */
  private async storedAfterRefusal(error: ConditionalCheckFailedException, ref: MessageRef): Promise<StoredMessage | undefined> {
    if (error.Item) return fromItem<StoredMessage>(unmarshall(error.Item));
    return this.get(ref);
  }
}

function messageKey(ref: MessageRef) {
  return keys.message(ref.interactionId, ref.createdAt, ref.messageId);
}

function refOf(message: Message): MessageRef {
  return { interactionId: message.interactionId, messageId: message.id, createdAt: message.createdAt };
}
