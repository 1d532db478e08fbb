import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdapters } from "../../shared/platform/composition-root";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { items } from "../../shared/adapters/dynamo/items";
import type { Interaction } from "../../shared/core/model/interaction";
import { closeIdleInteractions } from "../../shared/use-cases/close-idle-interactions";
import { closeInteraction } from "../../shared/use-cases/close-interaction";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { createProvider } from "../../shared/use-cases/create-provider";
import { initiateMessage, type InitiationResult } from "../../shared/use-cases/initiate-message";
import { receiveInboundSms } from "../../shared/use-cases/receive-inbound-sms";
import { OutboxTransport } from "../../shared/adapters/sms/outbox-transport";
import { createTestTable, type TestTable } from "../support/test-table";

/**
 * A closed interaction's `closedReason` is the `reason` of its `interaction.closed` event, however
 * it closed, over the real adapters (issue 27: an agent's close said "closed" where its event said
 * `closed_by_agent`, and a replaced one "closed" where its event named the replace).
 */
let table: TestTable;
let adapters: ReturnType<typeof createAdapters>;
const FROM = "+14155550100";
const DAY = 24 * 60 * 60 * 1000;

beforeAll(async () => {
  table = await createTestTable("close-reasons");
  adapters = createAdapters({ tableName: table.tableName, dynamoDbEndpoint: table.endpoint, defaultCountry: "US" });
  await createProvider(adapters, { number: FROM, name: "Support" });
  for (const [id, number] of [
    ["c-agent", "+14155550111"],
    ["c-idle", "+14155550122"],
    ["c-first", "+14155550133"],
    ["c-second", "+14155550133"],
    ["c-replier", "+14155550144"],
  ] as const) {
    await createConsumer(adapters, { id, name: id, phoneNumbers: [number] });
  }
});
afterAll(async () => table.drop());

const deps = () => ({
  ...adapters,
  transport: new OutboxTransport(join(tmpdir(), `${table.tableName}-outbox.jsonl`)),
  extension: defaultComposeExtension,
  helpText: "help",
});
const send = async (consumerId: string, to: string, extra: { confirmReassociation?: boolean } = {}) =>
  (await initiateMessage(deps(), { consumerId, to, message: "hello", ...extra }, { agentId: "agent-a" })) as InitiationResult;

/** The interaction as the API reads it, and the reasons of its `interaction.closed` events. */
async function closedAs(interactionId: string): Promise<{ interaction: Interaction | undefined; eventReasons: unknown[] }> {
  const events = await adapters.events.ofInteraction(interactionId, { limit: 100 });
  if (events === "invalid_cursor") throw new Error("no cursor was given");
  return {
    interaction: await adapters.interactions.get(interactionId),
    eventReasons: events.items.filter((event) => event.type === "interaction.closed").map((event) => event.data.reason),
  };
}

describe("the interaction and its interaction.closed event give the same reason", () => {
  it("an agent's close: closed_by_agent in both", async () => {
    const sent = await send("c-agent", "+14155550111");
    await closeInteraction(adapters, sent.interaction.id, { agentId: "agent-a" });
    const { interaction, eventReasons } = await closedAs(sent.interaction.id);
    expect(interaction).toMatchObject({ active: false, closedReason: "closed_by_agent" });
    expect(eventReasons).toEqual(["closed_by_agent"]);
  });

  it("an idle close: idle in both", async () => {
    const sent = await send("c-idle", "+14155550122");
    const sweep = await closeIdleInteractions({
      ...adapters,
      clock: { now: () => new Date(Date.now() + DAY + 60_000) },
      idleCloseAfterMs: DAY,
    });
    expect(sweep.closed).toBeGreaterThanOrEqual(1);
    const { interaction, eventReasons } = await closedAs(sent.interaction.id);
    expect(interaction).toMatchObject({ active: false, closedReason: "idle" });
    expect(eventReasons).toEqual(["idle"]);
  });

  it("a send for another consumer of the number replaces the conversation: replaced_other_consumer in both", async () => {
    const first = await send("c-first", "+14155550133");
    const second = await send("c-second", "+14155550133", { confirmReassociation: true });
    expect(second.outcome).toBe("replaced_other_consumer");
    const { interaction, eventReasons } = await closedAs(first.interaction.id);
    expect(interaction).toMatchObject({ active: false, closedReason: "replaced_other_consumer" });
    expect(eventReasons).toEqual(["replaced_other_consumer"]);
  });

  it("an agent's send replaces the virtual agent's conversation: replaced_virtual_agent in both", async () => {
    const opened = await receiveInboundSms(deps(), {
      originationNumber: "+14155550144",
      destinationNumber: FROM,
      messageBody: "anyone there?",
      inboundMessageId: "close-reasons-1",
    });
    expect(opened.outcome).toBe("opened");
    const sent = await send("c-replier", "+14155550144");
    expect(sent.outcome).toBe("replaced_virtual_agent");
    const { interaction, eventReasons } = await closedAs((opened as { interactionId: string }).interactionId);
    expect(interaction).toMatchObject({ active: false, closedReason: "replaced_virtual_agent" });
    expect(eventReasons).toEqual(["replaced_virtual_agent"]);
  });

  it('an interaction stored closed before (closedReason "closed") reads as closed_by_agent', async () => {
    const stored = {
      id: "int_closed_before",
      type: "sms",
      state: "closed_complete",
      active: false,
      handler: "agent",
      assignedTo: "agent-a",
      consumerId: "c-agent",
      from: FROM,
      to: "+14155550111",
      createdAt: "2026-01-05T10:00:00.000Z",
      updatedAt: "2026-01-05T11:00:00.000Z",
      closedAt: "2026-01-05T11:00:00.000Z",
      closedReason: "closed",
    } as unknown as Interaction;
    await table.documentClient.send(new PutCommand({ TableName: table.tableName, Item: items.interaction(stored) }));
    expect(await adapters.interactions.get("int_closed_before")).toMatchObject({ closedReason: "closed_by_agent" });
    const listed = await adapters.interactions.listByConsumer("c-agent", { limit: 50 });
    if (listed === "invalid_cursor") throw new Error("no cursor was given");
    expect(listed.items.find((listedOne) => listedOne.id === "int_closed_before")?.closedReason).toBe("closed_by_agent");
  });
});
