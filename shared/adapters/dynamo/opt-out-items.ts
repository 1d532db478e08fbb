import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { everyProviderNumber } from "../../core/model/consent";
import type { Message } from "../../core/model/message";
import { optOutsApplyTo } from "../../core/rules/consent";
import { isItemOf, items } from "./items";
import { queryPrefix } from "./query-pages";
import { keys, phonePartition, tableDesign } from "./table-design";
import { notExists, type Named, type TransactItem } from "./transaction";
import { Expression } from "./update-expression";

/**
 * The opt-out items of a customer number, declared once: how one is put in force, lifted, read,
 * and checked by a send's transaction.
 */

/**
 * Puts an opt-out in force for (customer number, send-from number or `*`) inside a transaction,
 * keeping an opt-out already in force as it is (its first date and cause): an upsert, never a
 * condition that would cancel the transaction it rides in.
 */
export function putOptOutInForce(
  tableName: string,
  customerNumber: string,
  providerNumber: string,
  at: string,
  cause: string,
): TransactItem {
  const optOut = new Expression();
  for (const [attribute, value] of Object.entries(items.optOut(customerNumber, providerNumber, at, cause))) {
    if (attribute === tableDesign.partitionKey || attribute === tableDesign.sortKey) continue;
    optOut.sets.push(`${optOut.name(attribute)} = if_not_exists(${optOut.name(attribute)}, ${optOut.value(attribute, value)})`);
  }
  return {
    Update: {
      TableName: tableName,
      Key: keys.optOut(customerNumber, providerNumber),
      UpdateExpression: optOut.update,
      ExpressionAttributeNames: optOut.names,
      ExpressionAttributeValues: optOut.values,
    },
  };
}

/** Lifts the opt-out of (customer number, send-from number or `*`), if one is in force. */
export function liftOptOut(tableName: string, customerNumber: string, providerNumber: string): TransactItem {
  return { Delete: { TableName: tableName, Key: keys.optOut(customerNumber, providerNumber) } };
}

/**
 * The checks a transaction that lets an SMS go makes: no opt-out of its send-from number, nor of
 * every number (`*`). Each fails the transaction if an opt-out landed after the decision's read,
 * and the opt-out it found says which it was: the send-from number's own, or every number's.
 */
export function optOutChecks(tableName: string, customerNumber: string, providerNumber: string): Named<"opt_out">[] {
  return [providerNumber, everyProviderNumber].map((number) => [
    "opt_out",
    { ConditionCheck: { TableName: tableName, Key: keys.optOut(customerNumber, number), ...notExists } },
  ]);
}

/**
 * The opt-out checks of a transaction that lets this outbound message go: none for the answers to
 * STOP and HELP, which go whatever the opt-outs say (`optOutsApplyTo`).
 */
export function optOutChecksOf(tableName: string, message: Pick<Message, "to" | "from" | "answersKeyword">): Named<"opt_out">[] {
  return optOutsApplyTo(message) ? optOutChecks(tableName, message.to, message.from) : [];
}

/** The send-from numbers (or `*`) a customer number has an opt-out in force for: a handful at most, read consistently. */
export async function optOutsInForce(client: DynamoDBDocumentClient, tableName: string, customerNumber: string): Promise<string[]> {
  const stored = await queryPrefix(client, tableName, phonePartition(customerNumber), keys.optOutPrefix, { ConsistentRead: true });
  return stored.filter((item) => isItemOf(item, "optOut")).map((item) => String(item.providerNumber));
}
