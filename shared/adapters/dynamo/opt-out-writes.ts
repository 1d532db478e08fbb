import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { items } from "./items";
import { keys, tableDesign } from "./table-design";
import { Expression } from "./update-expression";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

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
