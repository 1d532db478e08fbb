import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Interaction } from "../../shared/core/model/interaction";
import { keys } from "../../shared/adapters/dynamo/table-design";
import { admin, agent, createHarness } from "../support/handler-harness";

let h: Awaited<ReturnType<typeof createHarness>>;

/** Interactions are written by the conversation engine; here they are seeded with the same key design. */
async function seedInteraction(interaction: Interaction) {
  await h.table.documentClient.send(
    new PutCommand({
      TableName: h.table.tableName,
      Item: { ...keys.interaction(interaction.id), itemType: "interaction", ...interaction },
    }),
  );
  if (interaction.type === "sms" && interaction.active) {
    await h.table.documentClient.send(
      new PutCommand({
        TableName: h.table.tableName,
        Item: {
          ...keys.conversationLock(interaction.to!, interaction.from!),
          itemType: "conversationLock",
          providerNumber: interaction.from,
          customerNumber: interaction.to,
          interactionId: interaction.id,
          interactionCreatedAt: interaction.createdAt,
          consumerId: interaction.consumerId,
          handler: interaction.handler,
          state: interaction.state,
          assignedTo: interaction.assignedTo,
          version: 1,
        },
      }),
    );
  }
}

const at = "2026-11-24T10:00:00.000Z";
const base = {
  createdAt: at,
  updatedAt: at,
  assignedTo: null,
  handler: "agent" as const,
  state: "work_in_progress" as const,
  active: true,
};

beforeAll(async () => {
  h = await createHarness("compose");
  await h.call("createConsumer", {
    as: admin,
    body: { id: "c-1", name: "Ann", location: "US", phoneNumbers: ["+14155550171", "+447400123456"] },
  });
  await h.call("createConsumer", { as: admin, body: { id: "c-2", name: "Bob", phoneNumbers: ["+14155550188"] } });
});
afterAll(async () => h.table.drop());

const options = (query: Record<string, string>) => h.call("composeOptions", { as: agent, query });

describe("GET /api/now/initiate_message/compose_options", () => {
  it("is unavailable without an active SMS provider, still listing the send-to numbers", async () => {
    const res = await options({ consumerId: "c-1" });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      available: false,
      reason: "NO_MESSAGING_PROVIDER",
      consumerId: "c-1",
      sendFrom: [],
      defaultSendFrom: null,
      sendTo: ["+14155550171", "+447400123456"],
      defaultSendTo: "+14155550171",
      optedOut: false,
    });
  });

  it("offers active providers in configured order, the first as default; inactive ones are not offered", async () => {
    const inactive = await h.call("createProvider", { as: admin, body: { number: "+14155550100", name: "Retired", active: false } });
    const us = await h.call("createProvider", { as: admin, body: { number: "+14155550101", name: "US desk" } });
    const uk = await h.call("createProvider", { as: admin, body: { number: "+442079460958", name: "UK desk" } });
    const res = await options({ consumerId: "c-1" });
    expect(res.body).toMatchObject({
      available: true,
      sendFrom: [
        { number: "+14155550101", providerId: us.body.id, name: "US desk" },
        { number: "+442079460958", providerId: uk.body.id, name: "UK desk" },
      ],
      defaultSendFrom: "+14155550101",
      defaultSendTo: "+14155550171",
    });
    expect(res.body.sendFrom.map((o: { providerId: string }) => o.providerId)).not.toContain(inactive.body.id);
    expect(res.body.reason).toBeUndefined();
  });

  it("from a phone interaction: the call's number is the default send-to and its consumer is used", async () => {
    await seedInteraction({ ...base, id: "call-1", type: "phone", consumerId: "c-2", to: "+14155550177" });
    const res = await options({ consumerId: "c-1", interactionId: "call-1" });
    expect(res.body.consumerId).toBe("c-2");
    expect(res.body.defaultSendTo).toBe("+14155550177");
    expect(res.body.sendTo).toEqual(["+14155550177", "+14155550188"]);
  });

  it("shows the ongoing SMS conversation on the default send-to number, with its numbers as defaults", async () => {
    await seedInteraction({
      ...base,
      id: "sms-1",
      type: "sms",
      consumerId: "c-1",
      from: "+442079460958",
      to: "+14155550171",
      assignedTo: "agent-bo",
    });
    const res = await options({ consumerId: "c-1" });
    expect(res.body.defaultSendFrom).toBe("+442079460958");
    expect(res.body.defaultSendTo).toBe("+14155550171");
    expect(res.body.activeInteraction).toEqual({
      id: "sms-1",
      type: "sms",
      state: "work_in_progress",
      handler: "agent",
      assignedTo: "agent-bo",
      consumerId: "c-1",
      from: "+442079460958",
      to: "+14155550171",
    });
  });

  it("reads the send window in the number's own zone: a 415 number in San Francisco's, not the strictest of the US", async () => {
    // c-2 has no time zone of its own; its default send-to is +1 415 555 0188.
    const res = await options({ consumerId: "c-2" });
    expect(res.body.defaultSendTo).toBe("+14155550188");
    expect(res.body.sendWindow).toMatchObject({ timeZone: "America/Los_Angeles", timeZoneSource: "number_prefix" });
    if (res.body.sendWindow.nextAllowedAt) expect(res.body.sendWindow.nextAllowedAt).toMatch(/T08:00:00-0[78]:00$/);
    await h.call("createConsumer", { as: admin, body: { id: "c-3", name: "Cy", timeZone: "Asia/Tokyo", phoneNumbers: ["+14155550189"] } });
    expect((await options({ consumerId: "c-3" })).body.sendWindow).toMatchObject({ timeZone: "Asia/Tokyo", timeZoneSource: "consumer" });
  });

  it("answers 404 for an unknown consumer or interaction, 400 without consumerId", async () => {
    expect((await options({ consumerId: "nobody" })).body.error.code).toBe("CONSUMER_NOT_FOUND");
    const missing = await options({ consumerId: "c-1", interactionId: "nope" });
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("INTERACTION_NOT_FOUND");
    const bad = await options({});
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toContain("consumerId is required");
  });

  it("is for agents", async () => {
    expect((await h.call("composeOptions", { as: admin, query: { consumerId: "c-1" } })).status).toBe(403);
  });
});
