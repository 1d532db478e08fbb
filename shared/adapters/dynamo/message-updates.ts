import { randomUUID } from "node:crypto";
import { ConditionalCheckFailedException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import {
  GetCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Message, MessageRef, StoredMessage } from "../../core/model/message";
import type { QueueWrite } from "../../core/ports/outbound-queue";
import type { PlannedEvent } from "../../core/model/service-event";
import { EventNumbering, sequenceClauses } from "./event-numbering";
import { fromItem, items } from "./items";
import { keys, tableDesign } from "./table-design";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];
import type { Expression } from "./update-expression";

/** The message item's key from its reference. */
export function messageKey(ref: MessageRef) {
  return keys.message(ref.interactionId, ref.createdAt, ref.messageId);
}

export function refOf(message: Message): MessageRef {
  return { interactionId: message.interactionId, messageId: message.id, createdAt: message.createdAt };
}

export async function getMessage(client: DynamoDBDocumentClient, tableName: string, ref: MessageRef): Promise<StoredMessage | undefined> {
  const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: messageKey(ref), ConsistentRead: true }));
  return Item ? fromItem<StoredMessage>(Item) : undefined;
}

/**
 * One conditional UpdateItem on a message item: the message after it, or, when the condition
 * refused it, the message as stored (DynamoDB returns it with the refusal; read again if not).
 */
export async function updateMessage(
  client: DynamoDBDocumentClient,
  tableName: string,
  ref: MessageRef,
  e: Expression,
  conditions: string[],
): Promise<QueueWrite> {
  try {
    const { Attributes } = await client.send(
      new UpdateCommand({
        TableName: tableName,
        Key: messageKey(ref),
        UpdateExpression: e.update,
        ConditionExpression: conditions.join(" AND "),
        ExpressionAttributeNames: e.names,
        ExpressionAttributeValues: Object.keys(e.values).length ? e.values : undefined,
        ReturnValues: "ALL_NEW",
        ReturnValuesOnConditionCheckFailure: "ALL_OLD",
      }),
    );
    return { done: true, message: fromItem<StoredMessage>(Attributes ?? {}) };
  } catch (error) {
    if (!(error instanceof ConditionalCheckFailedException)) throw error;
    const message = error.Item ? fromItem<StoredMessage>(unmarshall(error.Item)) : await getMessage(client, tableName, ref);
    return { done: false, message };
  }
}

/**
 * A conditional update of a message and its `message.status_changed` event (plus any `extra`
 * items and events), in one transaction with the interaction's event numbering: the event exists
 * exactly when the change committed. Answers like `updateMessage`.
 */
export async function updateMessageWithEvents(
  client: DynamoDBDocumentClient,
  tableName: string,
  ref: MessageRef,
  e: Expression,
  conditions: string[],
  change: { events: PlannedEvent[]; after: StoredMessage; retentionSeconds: number; extra?: TransactItem[] },
): Promise<QueueWrite> {
  let floor = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const numbering = new EventNumbering(change.events[0]?.occurredAt ?? new Date().toISOString(), floor);
    const events = numbering.number(change.events);
    const sequence = sequenceClauses(numbering, ref.interactionId);
    try {
      await client.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: tableName,
                Key: messageKey(ref),
                UpdateExpression: e.update,
                ConditionExpression: conditions.join(" AND "),
                ExpressionAttributeNames: e.names,
                ...(Object.keys(e.values).length ? { ExpressionAttributeValues: e.values } : {}),
                ReturnValuesOnConditionCheckFailure: "ALL_OLD",
              },
            },
            {
              Update: {
                TableName: tableName,
                Key: keys.interaction(ref.interactionId),
                UpdateExpression: `SET ${sequence.sets.join(", ")}`,
                ConditionExpression: [`attribute_exists(${tableDesign.partitionKey})`, ...sequence.conditions].join(" AND "),
                ExpressionAttributeNames: sequence.names,
                ExpressionAttributeValues: sequence.values,
                ReturnValuesOnConditionCheckFailure: "ALL_OLD",
              },
            },
            ...events.map((event) => ({ Put: { TableName: tableName, Item: items.event(event, change.retentionSeconds) } })),
            ...(change.extra ?? []),
          ],
        }),
      );
      return { done: true, message: change.after };
    } catch (error) {
      if (!(error instanceof TransactionCanceledException)) throw error;
      const [messageReason, interactionReason] = error.CancellationReasons ?? [];
      if (messageReason?.Code === "ConditionalCheckFailed") {
        const message = messageReason.Item
          ? fromItem<StoredMessage>(unmarshall(messageReason.Item as Parameters<typeof unmarshall>[0]))
          : await getMessage(client, tableName, ref);
        return { done: false, message };
      }
      const stored = interactionReason?.Item ? unmarshall(interactionReason.Item as Parameters<typeof unmarshall>[0]) : undefined;
      if (interactionReason?.Code === "ConditionalCheckFailed" && typeof stored?.lastEventSequence === "number") {
        // Another change of this interaction numbered its events past ours: number ours after it.
        floor = stored.lastEventSequence + 1;
        continue;
      }
      throw error;
    }
  }
  throw new Error(`the events of message ${ref.messageId} kept colliding with others of its interaction`);
}

/** An event id made by the store (for the changes it words itself). */
export function newEventId(): string {
  return `evt_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
}

/** A consent ledger entry id made by the store (the carrier's refusals it records itself). */
export function newConsentEntryId(): string {
  return `cns_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
}
