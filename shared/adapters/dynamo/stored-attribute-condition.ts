import type { TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { keys } from "./table-design";

type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** A condition that the stored item's `attribute` is `value`, returning the stored item when it is not. */
export function storedAttributeIs(attribute: string, value: unknown) {
  return {
    ConditionExpression: "#attribute = :value",
    ExpressionAttributeNames: { "#attribute": attribute },
    ExpressionAttributeValues: { ":value": value },
    ReturnValuesOnConditionCheckFailure: "ALL_OLD" as const,
  };
}

/**
 * The check that a number's active profile is still this consumer's, whichever profile: a move
 * away and back still leaves it theirs.
 */
export function activeProfileHeldBy(tableName: string, phoneNumber: string, consumerId: string): TransactItem {
  return { ConditionCheck: { TableName: tableName, Key: keys.activeProfile(phoneNumber), ...storedAttributeIs("consumerId", consumerId) } };
}
