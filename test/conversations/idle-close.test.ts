import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdapters } from "../../shared/platform/composition-root";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { parseDuration } from "../../shared/platform/config";
import { closeIdleInteractions } from "../../shared/use-cases/close-idle-interactions";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { initiateMessage, type InitiationResult } from "../../shared/use-cases/initiate-message";
import { receiveInboundSms } from "../../shared/use-cases/receive-inbound-sms";
import { createProvider } from "../../shared/use-cases/create-provider";
import { OutboxTransport } from "../../shared/adapters/sms/outbox-transport";
import { invariantViolations } from "../support/table-invariants";
import { createTestTable, type TestTable } from "../support/test-table";

/** The idle close over the real adapters, with the clock moved forward instead of waiting a day. */
let table: TestTable;
let adapters: ReturnType<typeof createAdapters>;
const FROM = "+14155550100";
const DAY = 24 * 60 * 60 * 1000;
const at = (offsetMs: number) => ({ now: () => new Date(Date.now() + offsetMs) });

beforeAll(async () => {
  table = await createTestTable("idle-close");
  adapters = createAdapters({ tableName: table.tableName, dynamoDbEndpoint: table.endpoint, defaultCountry: "US" });
  await createProvider(adapters, { number: FROM, name: "Support" });
  await createConsumer(adapters, { id: "c-old", name: "Old", phoneNumbers: ["+14155550111"] });
  await createConsumer(adapters, { id: "c-new", name: "New", phoneNumbers: ["+14155550122"] });
});
afterAll(async () => table.drop());

const deps = () => ({
  ...adapters,
  transport: new OutboxTransport(join(tmpdir(), `${table.tableName}-outbox.jsonl`)),
  extension: defaultComposeExtension,
  helpText: "help",
});

describe("idle close", () => {
  it("closes SMS interactions idle past the limit, leaves younger ones, and the next reply opens a new conversation", async () => {
    // An agent's conversation with c-old now; one with c-new written 20 h later (a clock ahead).
    const old = await initiateMessage(deps(), { consumerId: "c-old", to: "+14155550111", message: "hi" }, { agentId: "a" });
    const young = await initiateMessage(
      { ...deps(), clock: at(20 * 60 * 60 * 1000) },
      { consumerId: "c-new", to: "+14155550122", message: "hi" },
      { agentId: "a" },
    );
    const call = await (
      await import("../../shared/use-cases/create-phone-interaction")
    ).createPhoneInteraction(adapters, { type: "phone", consumerId: "c-old", phoneNumber: "+14155550111" }, "a");

    // 25 h after the first: past 24 h for the first only.
    const sweep = await closeIdleInteractions({ ...adapters, clock: at(25 * 60 * 60 * 1000), idleCloseAfterMs: DAY });
    expect(sweep).toMatchObject({ closed: 1, skipped: 0 });
    const oldId = (old as InitiationResult).interaction.id;
    const youngId = (young as InitiationResult).interaction.id;
    expect(await adapters.interactions.get(oldId)).toMatchObject({ active: false, state: "closed_complete", closedReason: "idle" });
    expect(await adapters.interactions.get(youngId)).toMatchObject({ active: true });
    expect(await adapters.interactions.get(call.id)).toMatchObject({ active: true, type: "phone" });
    expect((await table.scanAll()).some((i) => i.itemType === "conversationLock" && i.interactionId === oldId)).toBe(false);

    // The customer's next reply does not land in the stale conversation.
    const next = await receiveInboundSms(deps(), {
      originationNumber: "+14155550111",
      destinationNumber: FROM,
      messageBody: "still there?",
      inboundMessageId: "after-idle-1",
    });
    expect(next).toMatchObject({ outcome: "opened" });
    expect((next as { interactionId: string }).interactionId).not.toBe(oldId);
    expect(await invariantViolations(table)).toEqual([]);
  });

  it("an interaction that got a message after the sweep looked is left open (the close re-checks last activity)", async () => {
    const started = await initiateMessage(
      deps(),
      { consumerId: "c-new", to: "+14155550122", from: FROM, message: "again" },
      { agentId: "b" },
    );
    const id = (started as InitiationResult).interaction.id;
    const idleSince = new Date(Date.now() + DAY).toISOString();
    const [stale] = (await adapters.conversations.listIdle(idleSince, 10)).filter((i) => i.id === id);
    expect(stale).toBeDefined();
    // A reply arrives 2 days later, after the sweep listed it but before it closes it.
    await receiveInboundSms(
      { ...deps(), clock: at(2 * DAY) },
      { originationNumber: "+14155550122", destinationNumber: FROM, messageBody: "yes", inboundMessageId: "late-1" },
    );
    expect(await adapters.conversations.closeInteraction(stale!, "closed_complete", new Date().toISOString(), { idleSince })).toBe(
      "not_active",
    );
    expect(await adapters.interactions.get(id)).toMatchObject({ active: true });
  });

  it("reads IDLE_CLOSE_AFTER as a duration", () => {
    expect(parseDuration("24h", "X")).toBe(DAY);
    expect(parseDuration("90m", "X")).toBe(90 * 60_000);
    expect(parseDuration("30", "X")).toBe(30_000);
    expect(parseDuration("2d", "X")).toBe(2 * DAY);
    expect(() => parseDuration("soon", "IDLE_CLOSE_AFTER")).toThrow(/IDLE_CLOSE_AFTER must be a duration/);
  });
});
