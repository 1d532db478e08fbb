import { EventType } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { receiptEffect, receiptEffects } from "../../shared/core/rules/delivery-receipt";
import type { MessageStore } from "../../shared/core/ports/message-store";
import {
  forwardMoves,
  isRetryable,
  mayMoveForward,
  outboundStatuses,
  isPending,
  retryMove,
  scheduledMoves,
  statusesThatMayBecome,
  verdictFrom,
  claimFrom,
} from "../../shared/core/rules/message-status";
import type { OutboundStatus } from "../../shared/core/model/message";
import { receiveDeliveryReceipt } from "../../shared/use-cases/receive-delivery-receipt";

/** The status order as a table, and the receipt use case over in-memory ports. */
const rank: Record<OutboundStatus, number> = { scheduled: -1, queued: 0, sending: 0.5, sent: 1, delivered: 2, failed: 2 };

describe("status order", () => {
  it("is the table of the spec: forward only, delivered and failed final", () => {
    expect(forwardMoves).toEqual({
      scheduled: [],
      queued: ["sent", "delivered", "failed"],
      sending: ["sent", "delivered", "failed"],
      sent: ["delivered", "failed"],
      delivered: [],
      failed: [],
    });
  });

  it.each(outboundStatuses.flatMap((from) => outboundStatuses.map((to) => [from, to] as const)))(
    "%s → %s is allowed exactly when it moves forward (a receipt never claims: only the sender moves to sending; only the sweep moves a scheduled message)",
    (from, to) => {
      expect(mayMoveForward(from, to)).toBe(from !== "scheduled" && to !== "sending" && rank[to] > rank[from]);
    },
  );

  it("never moves an inbound message", () => {
    for (const to of outboundStatuses) expect(mayMoveForward("received", to)).toBe(false);
  });

  it("gives each target the statuses it may come from (the condition's IN list)", () => {
    expect(statusesThatMayBecome("queued")).toEqual([]);
    expect(statusesThatMayBecome("sending")).toEqual([]);
    expect(statusesThatMayBecome("sent")).toEqual(["queued", "sending"]);
    expect(statusesThatMayBecome("delivered")).toEqual(["queued", "sending", "sent"]);
    expect(statusesThatMayBecome("failed")).toEqual(["queued", "sending", "sent"]);
  });

  it("a scheduled message leaves only by the sweep: promoted to queued, or failed when the customer opted out", () => {
    expect(scheduledMoves).toEqual({ promote: { from: "scheduled", to: "queued" }, optedOut: { from: "scheduled", to: "failed" } });
    expect(isPending("scheduled")).toBe(false);
  });

  it("claims only queued, records the transport's verdict on sending only; retries only failed, back to queued", () => {
    expect(claimFrom).toBe("queued");
    expect(verdictFrom).toBe("sending");
    expect(retryMove).toEqual({ from: "failed", to: "queued" });
    expect(outboundStatuses.filter((status) => isRetryable({ status }))).toEqual(["failed"]);
    expect(isRetryable({ status: "received" })).toBe(false);
    expect(isRetryable({ status: "failed", errorCode: "TRANSPORT_TIMEOUT" })).toBe(true);
    // Its number is another customer's now: a retry would hand the message to them.
    expect(isRetryable({ status: "failed", errorCode: "NUMBER_MOVED" })).toBe(false);
  });

  it("in any order, receipts end on a status at least as far as the furthest one, and never go back on the way", () => {
    const target = fc.constantFrom<OutboundStatus>("sent", "delivered", "failed");
    fc.assert(
      fc.property(fc.constantFrom<OutboundStatus>("queued", "sent"), fc.array(target, { maxLength: 12 }), (start, receipts) => {
        let status = start;
        for (const to of receipts) {
          const next = mayMoveForward(status, to) ? to : status;
          expect(rank[next]).toBeGreaterThanOrEqual(rank[status]);
          if (rank[status] === 2) expect(next).toBe(status);
          status = next;
        }
        const furthest = Math.max(rank[start], ...receipts.map((to) => rank[to]));
        expect(rank[status]).toBe(furthest);
      }),
    );
  });
});

describe("receipt event types", () => {
  const smsEventTypes = Object.values(EventType).filter((type) => type.startsWith("TEXT_") && type !== "TEXT_ALL");

  it("maps every SMS event type End User Messaging has (the SDK's list) explicitly", () => {
    expect(Object.keys(receiptEffects).sort()).toEqual([...smsEventTypes].sort());
  });

  it.each([
    ["TEXT_QUEUED", "sent"],
    ["TEXT_PENDING", "sent"],
    ["TEXT_SENT", "sent"],
    ["TEXT_SUCCESSFUL", "sent"],
    ["TEXT_DELIVERED", "delivered"],
  ])("%s → %s", (eventType, status) => {
    expect(receiptEffect(eventType)).toEqual({ kind: "status", status });
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
  ])("%s → failed, with the event type as the error code", (eventType) => {
    expect(receiptEffect(eventType)).toEqual({ kind: "status", status: "failed", errorCode: eventType });
  });

  it("TEXT_UNKNOWN, event types not known here and prototype names change nothing (recorded only)", () => {
    for (const eventType of ["TEXT_UNKNOWN", "TEXT_SOMETHING_NEW", "VOICE_COMPLETED", "toString", "__proto__"])
      expect(receiptEffect(eventType)).toEqual({ kind: "record" });
  });
});

describe("receiveDeliveryReceipt over in-memory ports", () => {
  /** A message store that applies the table as the database does. */
  function memoryStore(initial: OutboundStatus) {
    let status: OutboundStatus = initial;
    const aside: unknown[] = [];
    const ref = { interactionId: "int_1", messageId: "msg_1", createdAt: "2026-01-01T00:00:00.000Z" };
    const store: Pick<MessageStore, "locate" | "applyReceipt" | "keepReceiptAside"> = {
      locate: async (id) => (id === ref.messageId ? ref : undefined),
      applyReceipt: async (_ref, change) => {
        const message = {
          id: "msg_1",
          interactionId: "int_1",
          direction: "outbound" as const,
          body: "b",
          from: "+1",
          to: "+2",
          createdAt: ref.createdAt,
          status,
        };
        if (change.status && !mayMoveForward(status, change.status)) return { applied: false, message };
        if (change.status) status = change.status;
        return { applied: true, message: { ...message, status } };
      },
      keepReceiptAside: async (receipt) => {
        aside.push(receipt);
        return { pk: `RECEIPT_ASIDE#${receipt.id}`, sk: `${receipt.eventTimestamp}#${receipt.eventType}` };
      },
    };
    return { store, aside, status: () => status };
  }
  const clock = { now: () => new Date("2026-11-24T10:00:00.000Z") };
  const receipt = (eventType: string, messageId?: string) => ({
    eventType,
    eventTimestamp: 1_795_514_400_000,
    messageId: "eum-1",
    ...(messageId ? { context: { messageId } } : {}),
  });

  it("moves forward, then ignores what would move back", async () => {
    const memory = memoryStore("sent");
    expect(await receiveDeliveryReceipt({ messages: memory.store, clock }, receipt("TEXT_DELIVERED", "msg_1"), "{}")).toMatchObject({
      outcome: "applied",
      status: "delivered",
    });
    expect(await receiveDeliveryReceipt({ messages: memory.store, clock }, receipt("TEXT_FAILED_NOT_A_TYPE", "msg_1"), "{}")).toMatchObject(
      { outcome: "recorded", status: "delivered" },
    );
    expect(await receiveDeliveryReceipt({ messages: memory.store, clock }, receipt("TEXT_SUCCESSFUL", "msg_1"), "{}")).toMatchObject({
      outcome: "ignored",
      status: "delivered",
    });
    expect(memory.status()).toBe("delivered");
  });

  it("keeps a receipt aside, for 30 days, when there is no context or no such message", async () => {
    const memory = memoryStore("sent");
    expect(await receiveDeliveryReceipt({ messages: memory.store, clock }, receipt("TEXT_DELIVERED"), "raw-1")).toMatchObject({
      outcome: "kept_aside",
      reason: "no_context",
      pk: "RECEIPT_ASIDE#eum-1",
    });
    expect(await receiveDeliveryReceipt({ messages: memory.store, clock }, receipt("TEXT_DELIVERED", "msg_other"), "raw-2")).toMatchObject({
      outcome: "kept_aside",
      reason: "unknown_message",
    });
    expect(memory.aside).toEqual([
      expect.objectContaining({
        id: "eum-1",
        reason: "no_context",
        rawEvent: "raw-1",
        expiresAt: Date.parse("2026-11-24T10:00:00.000Z") / 1000 + 30 * 86_400,
      }),
      expect.objectContaining({ id: "eum-1", reason: "unknown_message", messageId: "msg_other", rawEvent: "raw-2" }),
    ]);
    expect(memory.status()).toBe("sent");
  });
});
