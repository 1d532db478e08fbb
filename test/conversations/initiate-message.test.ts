import { UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "../../shared/adapters/dynamo/table-design";
import { admin, createHarness } from "../support/handler-harness";
import { invariantViolations } from "../support/table-invariants";

/**
 * Every row of the spec's table, the reassociation guard, the queued row and the dry run, through
 * the real handlers against DynamoDB Local, asserting every record they touch.
 */
let h: Awaited<ReturnType<typeof createHarness>>;
const ann = { sub: "agent-ann", groups: ["agents"] };
const bo = { sub: "agent-bo", groups: ["agents"] };
const FROM = "+14155550100";
let inboundCounter = 0;

beforeAll(async () => {
  h = await createHarness("initiate");
  await h.call("createProvider", { as: admin, body: { number: FROM, name: "Support" } });
  await h.call("createProvider", { as: admin, body: { number: "+14155550199", name: "Retired", active: false } });
  for (const [id, name, numbers] of [
    ["c-ann", "Annie", ["+14155550111"]],
    ["c-bob", "Bob", ["+14155550122"]],
    ["c-cat", "Cat", []],
    ["c-dan", "Dan", ["+14155550144"]],
  ] as const) {
    await h.call("createConsumer", { as: admin, body: { id, name, phoneNumbers: [...numbers] } });
  }
});
afterAll(async () => h.table.drop());

const send = (as: typeof ann, body: Record<string, unknown>, headers?: Record<string, string>) =>
  h.call("initiateMessage", { as, body: { message: "Hello from the desk", ...body }, ...(headers ? { headers } : {}) });

async function reply(from: string, body = "a reply") {
  const { handler } = (await import("../../functions/inbound-sms/handler")) as {
    handler: (e: SNSEvent, c: Context) => Promise<{ outcome: string; interactionId: string }[]>;
  };
  const message = JSON.stringify({
    originationNumber: from,
    destinationNumber: FROM,
    messageBody: body,
    inboundMessageId: `in-${++inboundCounter}`,
  });
  const [result] = await handler(
    { Records: [{ Sns: { Message: message, MessageId: `sns-${inboundCounter}` } }] } as unknown as SNSEvent,
    {} as Context,
  );
  return result!;
}

const items = async (predicate: (item: Record<string, unknown>) => boolean) => (await h.table.scanAll()).filter(predicate);
const interactionItem = async (id: string) => (await items((i) => i.pk === `INTERACTION#${id}` && i.sk === "INTERACTION"))[0];

describe("POST /api/now/initiate_message — the decision table", () => {
  it("no active SMS interaction: created, assigned to the agent, agent in the live group, answered queued, then SMS sent", async () => {
    const res = await send(ann, { consumerId: "c-ann", to: "(415) 555-0111" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      outcome: "created",
      interaction: {
        type: "sms",
        state: "work_in_progress",
        active: true,
        handler: "agent",
        assignedTo: "agent-ann",
        consumerId: "c-ann",
        from: FROM,
        to: "+14155550111",
        participants: [{ agentId: "agent-ann" }],
      },
      message: {
        direction: "outbound",
        status: "queued",
        agentId: "agent-ann",
        body: "Hello from the desk",
        encoding: "GSM-7",
        segments: 1,
      },
    });
    const id = res.body.interaction.id;
    expect(await interactionItem(id)).toMatchObject({ active: true, gsi2pk: "AGENT#agent-ann#ACTIVE", gsi1pk: "CONSUMER#c-ann" });
    expect((await items((i) => i.pk === "PHONE#+14155550111" && i.sk === `CONVERSATION#${FROM}`))[0]).toMatchObject({
      interactionId: id,
      handler: "agent",
      version: 1,
    });
    expect(await items((i) => i.itemType === "message" && i.interactionId === id)).toEqual([
      expect.objectContaining({ status: "sent", providerMessageId: `outbox-${res.body.message.id}` }),
    ]);
    expect(await h.outbox.list()).toContainEqual(expect.objectContaining({ from: FROM, to: "+14155550111", body: "Hello from the desk" }));
    expect(await invariantViolations(h.table)).toEqual([]);
  });

  it("active interaction handled by an agent, same consumer: injected, agent joins the live group, no reassignment", async () => {
    const first = await send(ann, { consumerId: "c-ann", to: "+14155550111" });
    const res = await send(bo, { consumerId: "c-ann", to: "+14155550111", message: "Bo here too" });
    expect(res.status).toBe(200);
    expect(res.body.outcome).toBe("injected");
    expect(res.body.interaction.id).toBe(first.body.interaction.id);
    expect(res.body.interaction.assignedTo).toBe("agent-ann");
    expect(res.body.interaction.participants.map((p: { agentId: string }) => p.agentId).sort()).toEqual(["agent-ann", "agent-bo"]);
    const messages = await h.call("listMessages", { as: ann, params: { id: res.body.interaction.id } });
    expect(messages.body.items.map((m: { body: string }) => m.body)).toContain("Bo here too");
    expect(await invariantViolations(h.table)).toEqual([]);
  });

  it("active interaction handled by the virtual agent: it is closed and a new one assigned to the agent", async () => {
    const opened = await reply("+14155550122", "is anyone there?");
    expect(opened.outcome).toBe("opened");
    expect(await interactionItem(opened.interactionId)).toMatchObject({ handler: "virtual_agent", consumerId: "c-bob", assignedTo: null });
    const res = await send(ann, { consumerId: "c-bob", to: "+14155550122" });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      outcome: "replaced_virtual_agent",
      closedInteractionId: opened.interactionId,
      interaction: { handler: "agent", assignedTo: "agent-ann" },
    });
    const closed = await interactionItem(opened.interactionId);
    expect(closed).toMatchObject({ state: "closed_complete", active: false });
    expect(closed?.closedAt).toBeTypeOf("string");
    expect((await items((i) => i.pk === "PHONE#+14155550122" && i.itemType === "conversationLock"))[0]).toMatchObject({
      interactionId: res.body.interaction.id,
      version: 2,
    });
    expect(await invariantViolations(h.table)).toEqual([]);
  });

  it("the number's profile belongs to another consumer: 409 PROFILE_REASSOCIATION_REQUIRED naming the holder, nothing written", async () => {
    const before = await h.table.scanAll();
    const res = await send(ann, { consumerId: "c-cat", to: "+14155550122" });
    expect(res.status).toBe(409);
    expect(res.body.error).toMatchObject({ code: "PROFILE_REASSOCIATION_REQUIRED", currentConsumer: { id: "c-bob", name: "Bob" } });
    expect(res.body.error.message).toContain("currently associated with consumer Bob");
    expect(await h.table.scanAll()).toEqual(before);
  });

  it("active interaction for a different consumer, confirmed: closed, profile moved (old deactivated, new created), new interaction", async () => {
    const current = await send(bo, { consumerId: "c-bob", to: "+14155550122" });
    const res = await send(ann, { consumerId: "c-cat", to: "+14155550122", confirmReassociation: true });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      outcome: "replaced_other_consumer",
      closedInteractionId: current.body.interaction.id,
      interaction: { consumerId: "c-cat", assignedTo: "agent-ann" },
    });
    expect(await interactionItem(current.body.interaction.id)).toMatchObject({ active: false, state: "closed_complete" });
    const profiles = await h.call("listProfiles", { as: ann, query: { phoneNumber: "+14155550122" } });
    expect(profiles.body.items.map((p: { consumerId: string; active: boolean }) => [p.consumerId, p.active])).toEqual([
      ["c-cat", true],
      ["c-bob", false],
    ]);
    expect(profiles.body.items[1].deactivatedAt).toBeTypeOf("string");
    const check = await h.call("validateProfile", { as: ann, body: { consumerId: "c-bob", phoneNumber: "+14155550122" } });
    expect(check.body).toMatchObject({ status: "associated_with_other_consumer", currentConsumer: { id: "c-cat", name: "Cat" } });
    expect(check.body.message).toBe(
      "The phone number +14155550122 is currently associated to Cat. Sending a new message will associate it to Bob.",
    );
    expect(await invariantViolations(h.table)).toEqual([]);
  });

  it("a queued interaction for the same consumer: injected and assigned to the agent, since nobody holds it", async () => {
    const opened = await reply("+14155550144");
    // The desk's routing moves the VA conversation to the queue (both copies, as its transaction would).
    for (const key of [keys.interaction(opened.interactionId), keys.conversationLock("+14155550144", FROM)]) {
      await h.table.documentClient.send(
        new UpdateCommand({
          TableName: h.table.tableName,
          Key: key,
          UpdateExpression: "SET #h = :q, #s = :queued",
          ExpressionAttributeNames: { "#h": "handler", "#s": "state" },
          ExpressionAttributeValues: { ":q": "queue", ":queued": "queued" },
        }),
      );
    }
    const res = await send(bo, { consumerId: "c-dan", to: "+14155550144" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      outcome: "injected",
      interaction: { id: opened.interactionId, handler: "agent", state: "work_in_progress", assignedTo: "agent-bo" },
    });
    expect(await interactionItem(opened.interactionId)).toMatchObject({
      handler: "agent",
      assignedTo: "agent-bo",
      gsi2pk: "AGENT#agent-bo#ACTIVE",
    });
    const mine = await h.call("listInteractions", { as: bo, query: { assignedTo: "me", active: "true" } });
    expect(mine.body.items.map((i: { id: string }) => i.id)).toContain(opened.interactionId);
    expect(await invariantViolations(h.table)).toEqual([]);
  });

  it("a reply lands in the agent's conversation, and both are in its messages in order", async () => {
    const started = await send(ann, { consumerId: "c-dan", to: "+14155550144", message: "Your parcel ships today" });
    const answer = await reply("+14155550144", "Great, thanks!");
    expect(answer).toMatchObject({ outcome: "joined", interactionId: started.body.interaction.id });
    const messages = await h.call("listMessages", { as: ann, params: { id: started.body.interaction.id } });
    expect(messages.body.items.slice(-2).map((m: { direction: string; body: string }) => [m.direction, m.body])).toEqual([
      ["outbound", "Your parcel ships today"],
      ["inbound", "Great, thanks!"],
    ]);
  });

  it("dry run: says what would happen, writes and sends nothing", async () => {
    const before = await h.table.scanAll();
    const outboxBefore = (await h.outbox.list()).length;
    const res = await send(ann, { consumerId: "c-ann", to: "+14155550122", confirmReassociation: true, dryRun: true, message: "Grüße 😀" });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      dryRun: true,
      outcome: "replaced_other_consumer",
      from: FROM,
      to: "+14155550122",
      interaction: { consumerId: "c-cat" },
      closedInteractionId: expect.any(String),
      profile: { change: "move", currentConsumerId: "c-cat" },
      message: { encoding: "UCS-2", segments: 1 },
    });
    expect(await h.table.scanAll()).toEqual(before);
    expect(await h.outbox.list()).toHaveLength(outboxBefore);
  });
});

describe("POST /api/now/initiate_message — refusals", () => {
  it.each([
    [{ consumerId: "nobody", to: "+14155550111" }, 404, "CONSUMER_NOT_FOUND"],
    [{ consumerId: "c-ann", originInteractionId: "int_missing" }, 404, "INTERACTION_NOT_FOUND"],
    [{ consumerId: "c-ann", to: "12" }, 422, "INVALID_PHONE_NUMBER"],
    [{ consumerId: "c-ann", to: "+14155550111", from: "+14155550199" }, 422, "UNKNOWN_SEND_FROM"],
    [{ consumerId: "c-ann", to: "+14155550111", from: "+14155550177" }, 422, "UNKNOWN_SEND_FROM"],
    [{ consumerId: "c-ann", to: "+14155550111", message: "   " }, 422, "MESSAGE_EMPTY"],
    [{ consumerId: "c-ann", to: "+14155550111", message: "x".repeat(1601) }, 422, "MESSAGE_TOO_LONG"],
    [{ consumerId: "c-cat" }, 400, "VALIDATION_FAILED"],
  ])("%j → %i %s, nothing written", async (body, status, code) => {
    const before = await h.table.scanAll();
    const res = await send(ann, body);
    expect(res.status).toBe(status);
    expect(res.body.error.code).toBe(code);
    expect(await h.table.scanAll()).toEqual(before);
  });

  it("the agent is the token's subject, never a body field", async () => {
    const res = await send(ann, { consumerId: "c-ann", to: "+14155550111", agentId: "someone-else" });
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain("unknown field 'agentId'");
  });

  it("replying from a phone interaction goes to that call's consumer and number", async () => {
    const call = await h.call("createInteraction", { as: bo, body: { type: "phone", consumerId: "c-dan", phoneNumber: "+14155550155" } });
    expect(call.status).toBe(201);
    const res = await send(bo, { consumerId: "c-ann", originInteractionId: call.body.id, confirmReassociation: true });
    expect(res.status).toBe(201);
    expect(res.body.interaction).toMatchObject({ consumerId: "c-dan", to: "+14155550155" });
  });
});

describe("POST /api/now/initiate_message — without any active provider", () => {
  it("answers 409 NO_MESSAGING_PROVIDER", async () => {
    const providers = await h.call("listProviders", { as: ann });
    for (const provider of providers.body.items)
      await h.call("updateProvider", { as: admin, params: { id: provider.id }, body: { active: false } });
    const res = await send(ann, { consumerId: "c-ann", to: "+14155550111" });
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("NO_MESSAGING_PROVIDER");
    for (const provider of providers.body.items)
      await h.call("updateProvider", { as: admin, params: { id: provider.id }, body: { active: provider.active } });
  });
});
