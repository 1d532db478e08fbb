import { PutCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "../../shared/adapters/dynamo/table-design";
import { admin, agent, createHarness, lambdaContext } from "../support/handler-harness";
import { invariantViolations } from "../support/table-invariants";
import {
  customerNumber,
  deliverReceipt,
  FROM,
  receiptEvent,
  seedDesk,
  sendMessage,
  setStatus,
  snsEvent,
  storedMessage,
  type SentMessage,
} from "./message-fixtures";

/**
 * POST /api/now/interactions/{id}/messages/{messageId}/retry through the real handler against
 * DynamoDB Local, on messages sent for real and then marked failed.
 */
let h: Awaited<ReturnType<typeof createHarness>>;

beforeAll(async () => {
  h = await createHarness("retry");
  await seedDesk(h, 6);
});
afterAll(async () => h.table.drop());

const retry = (
  message: Pick<SentMessage, "id" | "interactionId">,
  as: { sub: string; groups: string[] } = agent,
  stream: "auto" | "manual" = "auto",
) => h.call("retryMessage", { as, params: { id: message.interactionId, messageId: message.id }, stream });

async function failedMessage(consumer = 0, body = "Your parcel is on its way"): Promise<SentMessage> {
  const message = await sendMessage(h, consumer, body);
  await setStatus(h, message, "failed", { errorCode: "THROTTLED", providerMessageId: null });
  return message;
}

const outboxCount = async () => (await h.outbox.list()).length;

describe("POST /api/now/interactions/{id}/messages/{messageId}/retry", () => {
  it("sends a failed message again: answered queued, then sent by the pipeline, one more outbox entry, attempts 2, error cleared", async () => {
    const message = await failedMessage(0, "Your parcel is on its way");
    const before = await h.outbox.list();
    const res = await retry(message, { sub: "agent-bo", groups: ["agents"] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.message.providerMessageId).toBeUndefined();
    expect(res.body.message).toMatchObject({
      id: message.id,
      interactionId: message.interactionId,
      direction: "outbound",
      status: "queued",
      attempts: 2,
      retriedBy: "agent-bo",
      retriedAt: expect.any(String),
      encoding: "GSM-7",
      segments: 1,
      characters: "Your parcel is on its way".length,
    });
    expect(res.body.message.errorCode).toBeUndefined();
    const after = await h.outbox.list();
    expect(after).toHaveLength(before.length + 1);
    expect(after.at(-1)).toMatchObject({
      id: `outbox-${message.id}`,
      from: FROM,
      to: customerNumber(0),
      body: "Your parcel is on its way",
    });
    const stored = await storedMessage(h, message);
    expect(stored).toMatchObject({ status: "sent", attempts: 2, providerMessageId: `outbox-${message.id}` });
    expect(stored.errorCode).toBeUndefined();
    const listed = await h.call("listMessages", { params: { id: message.interactionId } });
    expect(listed.body.items.find((m: { id: string }) => m.id === message.id)).toMatchObject({ status: "sent" });
  });

  it("a message failed again and retried again counts each attempt", async () => {
    const message = await failedMessage(1);
    expect((await retry(message)).body.message.attempts).toBe(2);
    await setStatus(h, message, "failed", { errorCode: "THROTTLED" });
    const again = await retry(message);
    expect(again.status).toBe(200);
    expect(again.body.message).toMatchObject({ status: "queued", attempts: 3 });
    expect(await storedMessage(h, message)).toMatchObject({ status: "sent", attempts: 3 });
  });

  it("two simultaneous retries: exactly one sends (200), the other is told the message is no longer failed (409)", async () => {
    const message = await failedMessage(2);
    const before = await outboxCount();
    const results = await Promise.all([retry(message), retry(message)]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const loser = results.find((r) => r.status === 409)!;
    expect(loser.body.error).toMatchObject({
      code: "MESSAGE_NOT_RETRYABLE",
      messageStatus: expect.stringMatching(/^(queued|sending|sent)$/),
    });
    expect(await outboxCount()).toBe(before + 1);
    expect(await storedMessage(h, message)).toMatchObject({ status: "sent", attempts: 2 });
  });

  it("eight simultaneous retries: still exactly one SMS", async () => {
    const message = await failedMessage(2);
    const before = await outboxCount();
    const results = await Promise.all(Array.from({ length: 8 }, () => retry(message)));
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    expect(await outboxCount()).toBe(before + 1);
  });

  it.each(["sent", "queued", "delivered"])("a %s message is not retryable: 409 with its status, nothing sent", async (status) => {
    const message = await sendMessage(h, 3);
    if (status !== "sent") await setStatus(h, message, status);
    const before = await outboxCount();
    // The stream is not delivered: the status set by hand would otherwise go to the sender.
    const res = await retry(message, agent, "manual");
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "MESSAGE_NOT_RETRYABLE", messageStatus: status });
    expect(await outboxCount()).toBe(before);
  });

  it("an unknown message, or one of another interaction: 404", async () => {
    const message = await failedMessage(4);
    const other = await sendMessage(h, 5);
    const unknown = await retry({ id: "msg_nosuchmessage", interactionId: message.interactionId });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe("MESSAGE_NOT_FOUND");
    const elsewhere = await retry({ id: message.id, interactionId: other.interactionId });
    expect(elsewhere.status).toBe(404);
    expect(elsewhere.body.error.code).toBe("MESSAGE_NOT_FOUND");
    expect(await storedMessage(h, message)).toMatchObject({ status: "failed" });
  });

  it("an inbound message (a customer's reply) is not an outbound message to retry: 404", async () => {
    const sent = await sendMessage(h, 4);
    const { handler } = (await import("../../functions/inbound-sms/handler")) as {
      handler: (e: SNSEvent, c: Context) => Promise<unknown[]>;
    };
    const reply = JSON.stringify({
      originationNumber: customerNumber(4),
      destinationNumber: FROM,
      messageBody: "thanks",
      inboundMessageId: `in-${sent.id}`,
    });
    await handler(snsEvent(reply), lambdaContext("inbound-sms"));
    const listed = await h.call("listMessages", { params: { id: sent.interactionId } });
    const inbound = listed.body.items.find((m: { direction: string }) => m.direction === "inbound");
    expect(inbound).toBeDefined();
    const res = await retry({ id: inbound.id, interactionId: sent.interactionId });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe("MESSAGE_NOT_FOUND");
  });

  it("is for agents: an admin gets 403 and nothing is sent", async () => {
    const message = await failedMessage(4);
    const before = await outboxCount();
    const res = await retry(message, admin);
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
    expect(await outboxCount()).toBe(before);
    expect(await storedMessage(h, message)).toMatchObject({ status: "failed" });
  });

  it("refuses malformed ids with 400", async () => {
    const res = await h.call("retryMessage", { params: { id: "int_1", messageId: "not an id!" } });
    expect(res.status).toBe(400);
  });

  it("an opted-out recipient: 409 RECIPIENT_OPTED_OUT and nothing is sent", async () => {
    const message = await failedMessage(1);
    await h.table.documentClient.send(
      new PutCommand({
        TableName: h.table.tableName,
        Item: { ...keys.optOut(customerNumber(1), FROM), itemType: "optOut", customerNumber: customerNumber(1), providerNumber: FROM },
      }),
    );
    const before = await outboxCount();
    const res = await retry(message);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RECIPIENT_OPTED_OUT");
    expect(await outboxCount()).toBe(before);
    expect(await storedMessage(h, message)).toMatchObject({ status: "failed" });
  });

  it("a message of a closed interaction: 409 INTERACTION_NOT_ACTIVE (a reply would no longer come back to it)", async () => {
    const message = await failedMessage(3);
    expect((await h.call("closeInteraction", { params: { id: message.interactionId } })).status).toBe(200);
    const before = await outboxCount();
    const res = await retry(message);
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("INTERACTION_NOT_ACTIVE");
    expect(await outboxCount()).toBe(before);
  });
});

describe("retry and delivery receipts", () => {
  it("a message failed by a receipt is retried; the first attempt's late receipts no longer apply, the new attempt's do", async () => {
    const message = await sendMessage(h, 0);
    const firstAttempt = `outbox-${message.id}`;
    expect(
      await deliverReceipt(receiptEvent("TEXT_CARRIER_UNREACHABLE", { messageId: message.id, providerMessageId: firstAttempt })),
    ).toMatchObject({ outcome: "applied", status: "failed" });

    // The outbox gives every attempt the same id; a provider gives a new one: stand for it.
    await setStatus(h, message, "failed", { providerMessageId: "eum-attempt-1" });
    const res = await retry(message);
    expect(res.status).toBe(200);
    expect(res.body.message).toMatchObject({ status: "queued", attempts: 2, earlierProviderMessageIds: ["eum-attempt-1"] });
    expect(await storedMessage(h, message)).toMatchObject({ status: "sent", attempts: 2 });
    expect(res.body.message.failedAt).toBeUndefined();
    expect(res.body.message.lastReceipt).toBeUndefined();

    const late = await deliverReceipt(
      receiptEvent("TEXT_CARRIER_UNREACHABLE", { messageId: message.id, providerMessageId: "eum-attempt-1" }),
    );
    expect(late).toMatchObject({ outcome: "ignored", reason: "earlier_attempt", status: "sent" });
    expect(await storedMessage(h, message)).toMatchObject({ status: "sent" });

    expect(await deliverReceipt(receiptEvent("TEXT_DELIVERED", { messageId: message.id, providerMessageId: firstAttempt }))).toMatchObject({
      outcome: "applied",
      status: "delivered",
    });
  });
});

describe("the table afterwards", () => {
  it("holds the database rules", async () => {
    expect(await invariantViolations(h.table)).toEqual([]);
  });
});
