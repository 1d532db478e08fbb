import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBRecord } from "aws-lambda";
import type { StoredMessage } from "../../core/model/message";
import type { ServiceEvent } from "../../core/model/service-event";
import { fromItem, isItemOf } from "./items";

/**
 * The outbound `queued` message a change-stream record carries in its new image (a new message,
 * a retry, a throttled one put back, a re-dispatch), or undefined when the record is about
 * anything else. The sender acts on exactly these.
 */
export function queuedOutboundMessage(record: DynamoDBRecord): StoredMessage | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image || (record.eventName !== "INSERT" && record.eventName !== "MODIFY")) return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  if (!isItemOf(item, "message") || item.direction !== "outbound" || item.status !== "queued") return undefined;
  return fromItem<StoredMessage>(item);
}

/**
 * The event source mapping's filter, declared once: Lambda is invoked only for records whose new
 * image is a queued outbound message (the local server applies the same pattern).
 */
export const queuedOutboundFilter = {
  eventName: ["INSERT", "MODIFY"],
  dynamodb: { NewImage: { itemType: { S: ["message"] }, direction: { S: ["outbound"] }, status: { S: ["queued"] } } },
} as const;

/** The event a change-stream record inserted (the publisher puts it on the bus), or undefined. */
export function insertedEvent(record: DynamoDBRecord): ServiceEvent | undefined {
  const image = record.dynamodb?.NewImage;
  if (!image || record.eventName !== "INSERT") return undefined;
  const item = unmarshall(image as Record<string, AttributeValue>);
  return isItemOf(item, "event") ? fromItem<ServiceEvent>(item) : undefined;
}

/** The publisher's mapping filter: new event items only. */
export const insertedEventFilter = {
  eventName: ["INSERT"],
  dynamodb: { NewImage: { itemType: { S: ["event"] } } },
} as const;
