import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { Message, MessageRef, StoredMessage } from "../../core/model/message";
import type { QueueWrite } from "../../core/ports/outbound-queue";
import { fromItem } from "./items";
import { keys } from "./table-design";
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
