import { captureLogs } from "../support/capture-logs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createHarness } from "../support/handler-harness";
import { deliverReceipt, receiptEvent, seedDesk, sendMessage } from "./message-fixtures";

/** What the receipts function logs: one line per receipt, numbers masked, a kept-aside event whole but masked. */
let h: Awaited<ReturnType<typeof createHarness>>;
let lines: string[] = [];

beforeAll(async () => {
  // The level is read when the logger module loads (the handler's first import), as on Lambda.
  h = await createHarness("receipt-logs", { POWERTOOLS_LOG_LEVEL: "INFO" });
  await seedDesk(h, 1);
});
afterAll(async () => h.table.drop());
afterEach(() => vi.restoreAllMocks());

const records = () => lines.map((line) => JSON.parse(line) as Record<string, unknown>);

describe("delivery receipt logs", () => {
  it("say what a receipt did to its message, and carry no phone number", async () => {
    const message = await sendMessage(h, 0);
    lines = captureLogs();
    await deliverReceipt(receiptEvent("TEXT_DELIVERED", { messageId: message.id, to: "+14155550200" }));
    expect(records().find((r) => r.message === "delivery receipt")).toMatchObject({
      level: "INFO",
      outcome: "applied",
      eventType: "TEXT_DELIVERED",
      messageId: message.id,
      status: "delivered",
    });
    expect(lines.join("\n")).not.toContain("4155550200");
  });

  it("warn with the whole event when it is kept aside, numbers masked", async () => {
    lines = captureLogs();
    await deliverReceipt(receiptEvent("TEXT_DELIVERED", { messageId: "msg_unknown", providerMessageId: "eum-log-1", to: "+14155550277" }));
    const line = records().find((r) => r.message === "delivery receipt kept aside: no message found");
    expect(line).toMatchObject({
      level: "WARN",
      outcome: "kept_aside",
      reason: "unknown_message",
      pk: "RECEIPT_ASIDE#eum-log-1",
      event: { eventType: "TEXT_DELIVERED", destinationPhoneNumber: "+1415•••••77" },
    });
    expect(lines.join("\n")).not.toContain("4155550277");
    expect(lines.join("\n")).not.toContain("4155550100");
  });
});
