import { readFileSync } from "node:fs";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localRoutes } from "../../local/local-routes";
import type { LocalServices } from "../../local/local-route";
import { createHarness } from "../support/handler-harness";
import { invariantViolations } from "../support/table-invariants";
import { deliverReceipt, receiptEvent, seedDesk, sendMessage, setStatus, storedMessage, type SentMessage } from "./message-fixtures";

/**
 * Delivery receipts through the real SNS handler against DynamoDB Local, on messages sent for real
 * through initiate_message: every event type, any order, duplicates, and receipts kept aside.
 */
let h: Awaited<ReturnType<typeof createHarness>>;

beforeAll(async () => {
  h = await createHarness("receipts");
  await seedDesk(h);
});
afterAll(async () => h.table.drop());

const asideItems = async () => (await h.table.scanAll()).filter((item) => item.itemType === "receiptAside");

/** A message the transport took (`sent`), or one whose hand-over answer was lost (`queued`, no provider id). */
async function messageIn(status: "sent" | "queued"): Promise<SentMessage> {
  const message = await sendMessage(h);
  expect(message.status).toBe("sent");
  if (status === "queued") await setStatus(h, message, "queued", { providerMessageId: null });
  return message;
}

describe("every event type", () => {
  it.each(["TEXT_QUEUED", "TEXT_PENDING", "TEXT_SENT", "TEXT_SUCCESSFUL"])(
    "%s moves a queued message to sent and brings the provider's id, and changes a sent one no further",
    async (eventType) => {
      const message = await messageIn("queued");
      expect(await deliverReceipt(receiptEvent(eventType, { messageId: message.id }))).toMatchObject({
        outcome: "applied",
        messageId: message.id,
        status: "sent",
      });
      expect(await storedMessage(h, message)).toMatchObject({
        status: "sent",
        providerMessageId: `eum-${message.id}`,
        lastReceipt: { eventType },
      });

      const sent = await messageIn("sent");
      expect(await deliverReceipt(receiptEvent(eventType, { messageId: sent.id }))).toMatchObject({
        outcome: "ignored",
        reason: "not_forward",
        status: "sent",
      });
      const stored = await storedMessage(h, sent);
      expect(stored).toMatchObject({ status: "sent", providerMessageId: `outbox-${sent.id}` });
      expect(stored.lastReceipt).toBeUndefined();
    },
  );

  it("TEXT_DELIVERED moves a sent message to delivered, with when and the receipt", async () => {
    const message = await messageIn("sent");
    const event = receiptEvent("TEXT_DELIVERED", { messageId: message.id });
    expect(await deliverReceipt(event)).toEqual({
      outcome: "applied",
      eventType: "TEXT_DELIVERED",
      messageId: message.id,
      status: "delivered",
    });
    const stored = await storedMessage(h, message);
    expect(stored).toMatchObject({
      status: "delivered",
      deliveredAt: new Date(event.eventTimestamp as number).toISOString(),
      // The id the transport gave stands; the receipt's is only taken when there is none.
      providerMessageId: `outbox-${message.id}`,
      lastReceipt: {
        eventType: "TEXT_DELIVERED",
        eventTimestamp: event.eventTimestamp,
        messageStatus: "DELIVERED",
        isFinal: true,
        receivedAt: expect.any(String),
      },
    });
    expect(stored.errorCode).toBeUndefined();
  });

  it("TEXT_DELIVERED also moves a queued message straight to delivered", async () => {
    const message = await messageIn("queued");
    expect(await deliverReceipt(receiptEvent("TEXT_DELIVERED", { messageId: message.id }))).toMatchObject({
      outcome: "applied",
      status: "delivered",
    });
    expect(await storedMessage(h, message)).toMatchObject({ status: "delivered", providerMessageId: `eum-${message.id}` });
  });

  it.each([
    "TEXT_BLOCKED",
    "TEXT_CARRIER_BLOCKED",
    "TEXT_CARRIER_UNREACHABLE",
    "TEXT_INVALID",
    "TEXT_INVALID_MESSAGE",
    "TEXT_PROTECT_BLOCKED",
    "TEXT_SPAM",
    "TEXT_TTL_EXPIRED",
    "TEXT_UNREACHABLE",
  ])("%s moves a sent message to failed with the event type as its error code", async (eventType) => {
    const message = await messageIn("sent");
    const event = receiptEvent(eventType, { messageId: message.id });
    expect(await deliverReceipt(event)).toMatchObject({ outcome: "applied", status: "failed" });
    expect(await storedMessage(h, message)).toMatchObject({
      status: "failed",
      errorCode: eventType,
      failedAt: new Date(event.eventTimestamp as number).toISOString(),
      lastReceipt: { eventType },
    });
  });

  it("a failure receipt moves a queued message to failed too", async () => {
    const message = await messageIn("queued");
    expect(await deliverReceipt(receiptEvent("TEXT_TTL_EXPIRED", { messageId: message.id }))).toMatchObject({
      outcome: "applied",
      status: "failed",
    });
    expect(await storedMessage(h, message)).toMatchObject({ status: "failed", errorCode: "TEXT_TTL_EXPIRED" });
  });

  it.each(["TEXT_UNKNOWN", "TEXT_SOMETHING_NEW"])("%s changes no status and is recorded on the message", async (eventType) => {
    const message = await messageIn("sent");
    expect(await deliverReceipt(receiptEvent(eventType, { messageId: message.id }))).toMatchObject({ outcome: "recorded", status: "sent" });
    expect(await storedMessage(h, message)).toMatchObject({ status: "sent", lastReceipt: { eventType } });
    const queued = await messageIn("queued");
    expect(await deliverReceipt(receiptEvent(eventType, { messageId: queued.id }))).toMatchObject({
      outcome: "recorded",
      status: "queued",
    });
  });
});

describe("any order, any number of times", () => {
  it("delivered then sent: stays delivered", async () => {
    const message = await messageIn("sent");
    await deliverReceipt(receiptEvent("TEXT_DELIVERED", { messageId: message.id }));
    expect(await deliverReceipt(receiptEvent("TEXT_SUCCESSFUL", { messageId: message.id }))).toMatchObject({
      outcome: "ignored",
      reason: "not_forward",
      status: "delivered",
    });
    expect(await deliverReceipt(receiptEvent("TEXT_QUEUED", { messageId: message.id }))).toMatchObject({
      outcome: "ignored",
      status: "delivered",
    });
    expect(await storedMessage(h, message)).toMatchObject({ status: "delivered", lastReceipt: { eventType: "TEXT_DELIVERED" } });
  });

  it("failed then delivered: stays failed (both are final); delivered then failed: stays delivered", async () => {
    const first = await messageIn("sent");
    await deliverReceipt(receiptEvent("TEXT_CARRIER_UNREACHABLE", { messageId: first.id }));
    expect(await deliverReceipt(receiptEvent("TEXT_DELIVERED", { messageId: first.id }))).toMatchObject({
      outcome: "ignored",
      status: "failed",
    });
    expect(await storedMessage(h, first)).toMatchObject({ status: "failed", errorCode: "TEXT_CARRIER_UNREACHABLE" });
    expect((await storedMessage(h, first)).deliveredAt).toBeUndefined();

    const second = await messageIn("sent");
    await deliverReceipt(receiptEvent("TEXT_DELIVERED", { messageId: second.id }));
    expect(await deliverReceipt(receiptEvent("TEXT_SPAM", { messageId: second.id }))).toMatchObject({
      outcome: "ignored",
      status: "delivered",
    });
    const stored = await storedMessage(h, second);
    expect(stored.status).toBe("delivered");
    expect(stored.errorCode).toBeUndefined();
    expect(stored.failedAt).toBeUndefined();
  });

  it("a TEXT_UNKNOWN older than the receipt recorded is not recorded over it", async () => {
    const message = await messageIn("sent");
    const delivered = receiptEvent("TEXT_DELIVERED", { messageId: message.id });
    await deliverReceipt(delivered);
    const older = receiptEvent("TEXT_UNKNOWN", { messageId: message.id, eventTimestamp: (delivered.eventTimestamp as number) - 1000 });
    expect(await deliverReceipt(older)).toMatchObject({ outcome: "ignored", status: "delivered" });
    expect(await storedMessage(h, message)).toMatchObject({ lastReceipt: { eventType: "TEXT_DELIVERED" } });
  });

  it("the same receipt twice changes the message once", async () => {
    const message = await messageIn("sent");
    const event = receiptEvent("TEXT_DELIVERED", { messageId: message.id });
    await deliverReceipt(event);
    const after = await storedMessage(h, message);
    expect(await deliverReceipt(event)).toMatchObject({ outcome: "ignored", reason: "duplicate", status: "delivered" });
    expect(await storedMessage(h, message)).toEqual(after);

    const unknown = receiptEvent("TEXT_UNKNOWN", { messageId: (await messageIn("sent")).id });
    expect(await deliverReceipt(unknown)).toMatchObject({ outcome: "recorded" });
    expect(await deliverReceipt(unknown)).toMatchObject({ outcome: "ignored", reason: "duplicate" });
  });

  it("redelivered at the same time, a receipt is applied exactly once", async () => {
    const message = await messageIn("sent");
    const event = receiptEvent("TEXT_DELIVERED", { messageId: message.id });
    const results = await Promise.all(Array.from({ length: 6 }, () => deliverReceipt(event)));
    expect(results.filter((r) => r.outcome === "applied")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "ignored")).toHaveLength(5);
  });

  it("delivered and failed at the same time: exactly one wins, and it stays", async () => {
    const message = await messageIn("sent");
    const results = await Promise.all([
      deliverReceipt(receiptEvent("TEXT_DELIVERED", { messageId: message.id })),
      deliverReceipt(receiptEvent("TEXT_BLOCKED", { messageId: message.id })),
      deliverReceipt(receiptEvent("TEXT_SUCCESSFUL", { messageId: message.id })),
    ]);
    const winners = results.flatMap((r) => (r.outcome === "applied" && r.status !== "sent" ? [r.status] : []));
    expect(winners).toHaveLength(1);
    const stored = await storedMessage(h, message);
    expect(stored.status).toBe(winners[0]);
    expect(stored.status === "failed" ? stored.errorCode : stored.deliveredAt).toBeDefined();
  });
});

describe("receipts whose message cannot be found", () => {
  it("an unknown message id: the event is kept aside, whole, for 30 days", async () => {
    const event = receiptEvent("TEXT_DELIVERED", { messageId: "msg_nobody", providerMessageId: "eum-unknown-1" });
    const before = Math.floor(Date.now() / 1000);
    const result = await deliverReceipt(event);
    expect(result).toEqual({
      outcome: "kept_aside",
      eventType: "TEXT_DELIVERED",
      reason: "unknown_message",
      pk: "RECEIPT_ASIDE#eum-unknown-1",
      sk: `${event.eventTimestamp}#TEXT_DELIVERED`,
    });
    const [item] = (await asideItems()).filter((i) => i.pk === "RECEIPT_ASIDE#eum-unknown-1");
    expect(item).toMatchObject({
      itemType: "receiptAside",
      reason: "unknown_message",
      messageId: "msg_nobody",
      providerMessageId: "eum-unknown-1",
      eventType: "TEXT_DELIVERED",
      eventTimestamp: event.eventTimestamp,
    });
    expect(JSON.parse(String(item!.rawEvent))).toEqual(event);
    const expiresAt = Number(item!.expiresAt);
    expect(expiresAt).toBeGreaterThanOrEqual(before + 30 * 86_400);
    expect(expiresAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000) + 30 * 86_400);
  });

  it("no context (an SMS not sent by this service's transport): kept aside under the provider's id", async () => {
    const event = receiptEvent("TEXT_SUCCESSFUL", { messageId: null, providerMessageId: "eum-foreign-1" });
    expect(await deliverReceipt(event)).toMatchObject({ outcome: "kept_aside", reason: "no_context", pk: "RECEIPT_ASIDE#eum-foreign-1" });
    // Delivered again: the same item, not a second one.
    await deliverReceipt(event);
    expect((await asideItems()).filter((i) => i.pk === "RECEIPT_ASIDE#eum-foreign-1")).toHaveLength(1);
  });

  it("no provider id either: kept aside under ours", async () => {
    const event = receiptEvent("TEXT_DELIVERED", { messageId: "msg_ghost", providerMessageId: null });
    expect(await deliverReceipt(event)).toMatchObject({ outcome: "kept_aside", pk: "RECEIPT_ASIDE#msg_ghost" });
  });

  it("neither id, or not a receipt at all: refused (thrown, so SNS retries it and then parks it in the dead-letter queue)", async () => {
    await expect(deliverReceipt(receiptEvent("TEXT_DELIVERED", { messageId: null, providerMessageId: null }))).rejects.toMatchObject({
      code: "VALIDATION_FAILED",
    });
    await expect(deliverReceipt("not json")).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
    await expect(deliverReceipt({ eventType: "TEXT_DELIVERED" })).rejects.toMatchObject({ code: "VALIDATION_FAILED" });
  });

  it("events/delivery-receipts.json (the SAM fixture) names a message no desk has: kept aside", async () => {
    const fixture = JSON.parse(readFileSync(new URL("../../events/delivery-receipts.json", import.meta.url), "utf8")) as {
      Records: { Sns: { Message: string } }[];
    };
    expect(await deliverReceipt(fixture.Records[0]!.Sns.Message)).toMatchObject({
      outcome: "kept_aside",
      reason: "unknown_message",
      pk: "RECEIPT_ASIDE#a1b2c3d4-0000-4000-8000-00000example",
    });
  });
});

describe("POST /local/delivery_receipt", () => {
  const route = localRoutes.find((r) => r.method === "POST" && r.path === "/local/delivery_receipt");
  const services = { repoRoot: new URL("../../", import.meta.url).pathname } as LocalServices;
  const post = (body: string) => {
    // Open, as it stands for the provider's event destination (like POST /local/inbound_sms).
    if (route?.auth !== "none") throw new Error("POST /local/delivery_receipt is not an open local route");
    return route.handle({ body, isBase64Encoded: false, headers: {} } as unknown as APIGatewayProxyEventV2, services);
  };

  it("runs the raw event through the receipts handler in an SNS event and answers the result", async () => {
    const message = await messageIn("sent");
    const res = await post(JSON.stringify(receiptEvent("TEXT_DELIVERED", { messageId: message.id })));
    expect(res.statusCode).toBe(200);
    expect(JSON.parse(res.body!)).toMatchObject({ outcome: "applied", messageId: message.id, status: "delivered" });
    expect(await storedMessage(h, message)).toMatchObject({ status: "delivered" });
  });

  it("answers 400 for a body that is not a receipt", async () => {
    const res = await post("{}");
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(res.body!)).toMatchObject({ error: { code: "VALIDATION_FAILED" } });
  });
});

describe("the table afterwards", () => {
  it("holds the database rules", async () => {
    expect(await invariantViolations(h.table)).toEqual([]);
  });
});
