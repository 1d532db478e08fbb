import { ConditionalCheckFailedException } from "@aws-sdk/client-dynamodb";
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { PaceReservation, Pacer } from "../../core/ports/outbound-queue";
import { paceInterval } from "../../core/rules/pacing";
import { items } from "./items";
import { keys } from "./table-design";
import { notExists, storedAttributeIs } from "./transaction";

/**
 * Pacing per send-from number in the table: one item holds the instant its next segment may go.
 * A reservation takes the earliest slot and moves that instant on by segments / mps, with a
 * conditional write on the value read, so senders running side by side never share a slot. Chosen
 * over an SQS FIFO queue per number: no queue to create when a provider is added, and the order
 * per conversation key is already kept by the pending index.
 */
export class DynamoPacer implements Pacer {
  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly tableName: string,
    private readonly maxAttempts = 20,
  ) {}

  async reserve(providerNumber: string, segments: number, mps: number, now: string, latest: string): Promise<PaceReservation> {
    for (let attempt = 0; attempt < this.maxAttempts; attempt++) {
      const { Item } = await this.client.send(
        new GetCommand({ TableName: this.tableName, Key: keys.pace(providerNumber), ConsistentRead: true }),
      );
      const read = Item?.nextFreeAt as string | undefined;
      const slot = new Date(Math.max(Date.parse(now), read ? Date.parse(read) : 0));
      if (slot.toISOString() > latest) return { reserved: false, next: slot.toISOString() };
      const nextFreeAt = new Date(slot.getTime() + paceInterval({ segments, mps })).toISOString();
      try {
        await this.client.send(
          new PutCommand({
            TableName: this.tableName,
            Item: items.pace(providerNumber, nextFreeAt),
            // Over the instant read: another sender that took this slot meanwhile moved it on.
            ...(read === undefined ? notExists : storedAttributeIs("nextFreeAt", read)),
          }),
        );
        return { reserved: true, at: slot.toISOString() };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Another sender took that slot: read the bucket again.
      }
    }
    return { reserved: false, next: latest };
  }

  async handedOver(providerNumber: string, nextFreeAt: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.pace(providerNumber),
          UpdateExpression: "SET #next = :next",
          ConditionExpression: "#next < :next",
          ExpressionAttributeNames: { "#next": "nextFreeAt" },
          ExpressionAttributeValues: { ":next": nextFreeAt },
        }),
      );
    } catch (error) {
      // Already later (another slot was reserved after this one): nothing to move.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
