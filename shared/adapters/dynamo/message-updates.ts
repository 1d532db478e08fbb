import { randomUUID } from "node:crypto";
import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Message, MessageRef, StoredMessage } from "../../core/model/message";
import type { QueueWrite } from "../../core/ports/outbound-queue";
import type { PlannedEvent } from "../../core/model/service-event";
import { sequenceClauses, transactNumbered } from "./event-numbering";
import { fromItem, items } from "./items";
import { keys } from "./table-design";
import { exists, type Cancellation, type Named, type TransactItem } from "./transaction";
import type { Expression } from "./update-expression";

/** What the checks riding with a message's change re-check: no opt-out in force, the number still the customer's. */
export type MessageCheck = "opt_out" | "profile";

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
 * exactly when the change committed. Answers like `updateMessage`; when one of the `checks` refused
 * the change (the message's own condition held), answers what `refused` makes of it.
 */
export async function updateMessageWithEvents<Refusal = never>(
  client: DynamoDBDocumentClient,
  tableName: string,
  ref: MessageRef,
  e: Expression,
  conditions: string[],
  change: {
    events: PlannedEvent[];
    after: StoredMessage;
    retentionSeconds: number;
    extra?: TransactItem[];
    checks?: readonly Named<MessageCheck>[];
    refused?: (by: Cancellation<MessageCheck>) => Refusal | undefined;
  },
): Promise<QueueWrite | Refusal> {
  const now = change.events[0]?.occurredAt ?? new Date().toISOString();
  const cancelled = await transactNumbered<"message" | "interaction" | MessageCheck>(
    client,
    now,
    (numbering) => {
      const events = numbering.number(change.events);
      const sequence = sequenceClauses(numbering, ref.interactionId);
      const messageUpdate: TransactItem = {
        Update: {
          TableName: tableName,
          Key: messageKey(ref),
          UpdateExpression: e.update,
          ConditionExpression: conditions.join(" AND "),
          ExpressionAttributeNames: e.names,
          ...(Object.keys(e.values).length ? { ExpressionAttributeValues: e.values } : {}),
        },
      };
      const interactionSequence: TransactItem = {
        Update: {
          TableName: tableName,
          Key: keys.interaction(ref.interactionId),
          UpdateExpression: `SET ${sequence.sets.join(", ")}`,
          ConditionExpression: [exists.ConditionExpression, ...sequence.conditions].join(" AND "),
          ExpressionAttributeNames: sequence.names,
          ExpressionAttributeValues: sequence.values,
        },
      };
      return [
        ["message", messageUpdate],
        ["interaction", interactionSequence],
        ...events.map((event): Named<never> => [
          undefined,
          { Put: { TableName: tableName, Item: items.event(event, change.retentionSeconds) } },
        ]),
        ...(change.extra ?? []).map((item): Named<never> => [undefined, item]),
        ...(change.checks ?? []),
      ];
    },
    // Another change of this interaction numbered its events past ours: number ours after it.
    (cancelled) => (cancelled.failed("message") ? undefined : numberOrUndefined(cancelled.found("interaction")?.lastEventSequence)),
  );
  if (cancelled === undefined) return { done: true, message: change.after };
  if (cancelled === "kept colliding")
    throw new Error(`the events of message ${ref.messageId} kept colliding with others of its interaction`);
  if (cancelled.failed("message")) {
    const found = cancelled.found("message");
    return { done: false, message: found ? fromItem<StoredMessage>(found) : await getMessage(client, tableName, ref) };
  }
  const refusal = change.refused?.(cancelled as Cancellation<MessageCheck>);
  if (refusal !== undefined) return refusal;
  throw cancelled.error;
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}

/** An event id made by the store (for the changes it words itself). */
export function newEventId(): string {
  return `evt_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
}

/** A consent ledger entry id made by the store (the carrier's refusals it records itself). */
export function newConsentEntryId(): string {
  return `cns_${randomUUID().replace(/-/g, "").slice(0, 20)}`;
}
