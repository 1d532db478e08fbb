import { GetCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, SNSEvent } from "aws-lambda";
import type { ReceiptResult } from "../../shared/use-cases/receive-delivery-receipt";
import { keys } from "../../shared/adapters/dynamo/table-design";
import { admin, lambdaContext, type createHarness } from "../support/handler-harness";
import { snsEvent } from "../../local/sns-event";

/** Helpers shared by the message tests: real sends through initiate_message, receipts through the real SNS handler. */
type Harness = Awaited<ReturnType<typeof createHarness>>;

export const FROM = "+14155550100";

export interface SentMessage {
  id: string;
  interactionId: string;
  createdAt: string;
  providerMessageId?: string;
  status: string;
}

/** A provider and consumers `c-0` … `c-<n-1>` with numbers +1415555020<i>. */
export async function seedDesk(h: Harness, consumers = 4): Promise<void> {
  await h.call("createProvider", { as: admin, body: { number: FROM, name: "Support" } });
  for (let i = 0; i < consumers; i++) {
    await h.call("createConsumer", { as: admin, body: { id: `c-${i}`, name: `Consumer ${i}`, phoneNumbers: [customerNumber(i)] } });
  }
}

export function customerNumber(i: number): string {
  return `+1415555${String(200 + i).padStart(4, "0")}`;
}

/**
 * An agent's SMS to consumer `c-<i>` (joins its conversation after the first): answered `queued`,
 * then handed over by the sender from the stream (the harness delivers it); the message as stored then.
 */
export async function sendMessage(h: Harness, i = 0, message = "Hello from the desk"): Promise<SentMessage> {
  const res = await h.call("initiateMessage", { body: { consumerId: `c-${i}`, to: customerNumber(i), message } });
  if (res.status !== 201 && res.status !== 200) throw new Error(`initiateMessage answered ${res.status}: ${JSON.stringify(res.body)}`);
  return (await storedMessage(h, res.body.message as SentMessage)) as unknown as SentMessage;
}

export function messageKey(message: Pick<SentMessage, "id" | "interactionId" | "createdAt">) {
  return keys.message(message.interactionId, message.createdAt, message.id);
}

export async function storedMessage(
  h: Harness,
  message: Pick<SentMessage, "id" | "interactionId" | "createdAt">,
): Promise<Record<string, unknown>> {
  const { Item } = await h.table.documentClient.send(
    new GetCommand({ TableName: h.table.tableName, Key: messageKey(message), ConsistentRead: true }),
  );
  if (!Item) throw new Error(`message ${message.id} is not stored`);
  return Item;
}

/** Puts a message in a status directly (the delivery path that gets it there is tested elsewhere). */
export async function setStatus(
  h: Harness,
  message: Pick<SentMessage, "id" | "interactionId" | "createdAt">,
  status: string,
  fields: { errorCode?: string; providerMessageId?: string | null } = {},
): Promise<void> {
  const names: Record<string, string> = { "#status": "status" };
  const values: Record<string, unknown> = { ":status": status };
  const sets = ["#status = :status"];
  const removes: string[] = [];
  if (fields.errorCode !== undefined) {
    names["#errorCode"] = "errorCode";
    values[":errorCode"] = fields.errorCode;
    sets.push("#errorCode = :errorCode");
  }
  if (fields.providerMessageId !== undefined) {
    names["#providerMessageId"] = "providerMessageId";
    if (fields.providerMessageId === null) removes.push("#providerMessageId");
    else {
      values[":providerMessageId"] = fields.providerMessageId;
      sets.push("#providerMessageId = :providerMessageId");
    }
  }
  await h.table.documentClient.send(
    new UpdateCommand({
      TableName: h.table.tableName,
      Key: messageKey(message),
      UpdateExpression: `SET ${sets.join(", ")}${removes.length ? ` REMOVE ${removes.join(", ")}` : ""}`,
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: values,
    }),
  );
}

let eventClock = 1_795_514_400_000;

/** An End User Messaging SMS event, as its event destination publishes it. */
export function receiptEvent(
  eventType: string,
  options: { messageId?: string | null; providerMessageId?: string | null; eventTimestamp?: number; to?: string } = {},
): Record<string, unknown> {
  const providerMessageId = options.providerMessageId === undefined ? `eum-${options.messageId ?? "none"}` : options.providerMessageId;
  return {
    eventType,
    eventVersion: "1.0",
    eventTimestamp: options.eventTimestamp ?? ++eventClock,
    isFinal: !["TEXT_QUEUED", "TEXT_PENDING", "TEXT_SENT"].includes(eventType),
    originationPhoneNumber: FROM,
    destinationPhoneNumber: options.to ?? customerNumber(0),
    isoCountryCode: "US",
    ...(providerMessageId === null ? {} : { messageId: providerMessageId }),
    messageRequestTimestamp: eventClock - 500,
    messageEncoding: "GSM",
    messageType: "TRANSACTIONAL",
    messageStatus: eventType.replace(/^TEXT_/, ""),
    messageStatusDescription: "as the carrier reported it",
    totalMessageParts: 1,
    totalMessagePrice: 0.00581,
    totalCarrierFee: 0.0,
    ...(options.messageId === null || options.messageId === undefined ? {} : { context: { messageId: options.messageId } }),
  };
}

export { snsEvent };

type ReceiptHandler = (event: SNSEvent, context: Context) => Promise<ReceiptResult[]>;

/** Runs the real receipts handler (imported after the harness set the environment) on one event. */
export async function deliverReceipt(event: Record<string, unknown> | string): Promise<ReceiptResult> {
  const { handler } = (await import("../../functions/delivery-receipts/handler")) as { handler: ReceiptHandler };
  const [result] = await handler(
    snsEvent(typeof event === "string" ? event : JSON.stringify(event), "delivery-receipts"),
    lambdaContext("delivery-receipts"),
  );
  return result!;
}
