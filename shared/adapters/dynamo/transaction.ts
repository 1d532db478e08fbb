import { TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { TransactWriteCommand, type DynamoDBDocumentClient, type TransactWriteCommandInput } from "@aws-sdk/lib-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { tableDesign } from "./table-design";

/**
 * The transaction toolkit of the DynamoDB adapters, declared once: the item type, the conditions
 * an item re-checks, and the one runner that says which of them a cancelled transaction found false.
 */

/** One item of a TransactWriteItems: a Put, Update, Delete or ConditionCheck. */
export type TransactItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** A condition on the stored item, spread into a Put, Update, Delete or ConditionCheck (or a single write). */
export interface Condition {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
}

/** Nothing is stored under the item's key. */
export const notExists: Condition = { ConditionExpression: `attribute_not_exists(${tableDesign.partitionKey})` };

/** Something is stored under the item's key. */
export const exists: Condition = { ConditionExpression: `attribute_exists(${tableDesign.partitionKey})` };

/** The stored item's attributes hold these values, every one (and so the item exists). */
export function storedAttributesAre(values: Record<string, unknown>): Condition {
  const attributes = Object.keys(values);
  return {
    ConditionExpression: attributes.map((attribute) => `#${attribute} = :${attribute}`).join(" AND "),
    ExpressionAttributeNames: Object.fromEntries(attributes.map((attribute) => [`#${attribute}`, attribute])),
    ExpressionAttributeValues: Object.fromEntries(attributes.map((attribute) => [`:${attribute}`, values[attribute]])),
  };
}

/** The stored item's `attribute` is `value`. */
export function storedAttributeIs(attribute: string, value: unknown): Condition {
  return storedAttributesAre({ [attribute]: value });
}

/** The stored item is the version read (optimistic locking on a `version` attribute). */
export function versionIs(version: number): Condition {
  return storedAttributeIs("version", version);
}

/**
 * A transaction item named by the assumption it re-checks, so that a cancellation can say which
 * one was wrong (undefined: it assumes nothing a caller decides on).
 */
export type Named<A extends string> = readonly [assumption: A | undefined, item: TransactItem];

/** An assumption a cancelled transaction found false, with the item stored there (undefined: nothing is). */
export interface FailedAssumption<A extends string> {
  assumption: A;
  found: Record<string, unknown> | undefined;
}

/** Why DynamoDB cancels a transaction that may well go through when tried again. */
const contention = new Set(["TransactionConflict", "ThrottlingError", "ProvisionedThroughputExceeded"]);

/** A cancelled transaction, read from its cancellation reasons (the only place they are decoded). */
export class Cancellation<A extends string> {
  /** The named assumptions whose condition failed, in the order of their items. */
  readonly failures: readonly FailedAssumption<A>[];
  /**
   * Another transaction held one of the items (TransactionConflict, which DynamoDB Local never
   * raises but AWS does), or DynamoDB throttled: worth another try.
   */
  readonly contended: boolean;

  constructor(
    named: readonly Named<A>[],
    /** The SDK's error, to rethrow when nothing the caller decides on explains it. */
    readonly error: TransactionCanceledException,
  ) {
    const reasons = error.CancellationReasons ?? [];
    this.failures = reasons.flatMap((reason, index) => {
      const assumption = named[index]?.[0];
      if (reason.Code !== "ConditionalCheckFailed" || assumption === undefined) return [];
      // The reasons are the low-level client's: the item comes in raw attribute form, on AWS as on DynamoDB Local.
      return [{ assumption, found: reason.Item ? unmarshall(reason.Item as Parameters<typeof unmarshall>[0]) : undefined }];
    });
    this.contended = reasons.some((reason) => contention.has(reason.Code ?? ""));
  }

  /** Whether `assumption` was found false (by any of the items it names). */
  failed(assumption: A): boolean {
    return this.failures.some((failure) => failure.assumption === assumption);
  }

  /** The item stored where `assumption` was found false (its first item); undefined when nothing is, or it held. */
  found(assumption: A): Record<string, unknown> | undefined {
    return this.failures.find((failure) => failure.assumption === assumption)?.found;
  }
}

/**
 * Runs the named items as one TransactWriteItems. Undefined when it committed; its `Cancellation`
 * when DynamoDB cancelled it. Every named item with a condition asks for the item it found
 * (ReturnValuesOnConditionCheckFailure ALL_OLD), so a caller decides again without reading.
 */
export async function transact<A extends string>(
  client: DynamoDBDocumentClient,
  named: readonly Named<A>[],
): Promise<Cancellation<A> | undefined> {
  try {
    await client.send(
      new TransactWriteCommand({
        TransactItems: named.map(([assumption, item]) => (assumption === undefined ? item : returningFound(item))),
      }),
    );
    return undefined;
  } catch (error) {
    if (error instanceof TransactionCanceledException) return new Cancellation(named, error);
    throw error;
  }
}

/** The item, asking for the stored item when its condition fails. */
function returningFound(item: TransactItem): TransactItem {
  for (const kind of ["Put", "Update", "Delete", "ConditionCheck"] as const) {
    const operation = item[kind];
    if (operation?.ConditionExpression) return { [kind]: { ...operation, ReturnValuesOnConditionCheckFailure: "ALL_OLD" } };
  }
  return item;
}
