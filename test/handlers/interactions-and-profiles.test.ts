import { DeleteCommand } from "@aws-sdk/lib-dynamodb";
import type { Context, SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, agent, createHarness } from "../support/handler-harness";
import { invariantViolations } from "../support/table-invariants";

let h: Awaited<ReturnType<typeof createHarness>>;
const bo = { sub: "agent-bo", groups: ["agents"] };

beforeAll(async () => {
  h = await createHarness("interactions");
  await h.call("createProvider", { as: admin, body: { number: "+14155550100", name: "Support" } });
  await h.call("createConsumer", { as: admin, body: { id: "c-1", name: "First holder", phoneNumbers: ["+14155550111"] } });
  await h.call("createConsumer", { as: admin, body: { id: "c-2", name: "Second lister", phoneNumbers: ["+14155550111", "+14155550122"] } });
});
afterAll(async () => h.table.drop());

describe("channel user profiles", () => {
  it("registering a number creates its active profile when none holds it, and never moves one", async () => {
    const first = await h.call("listProfiles", { as: agent, query: { phoneNumber: "+14155550111" } });
    expect(first.body.items).toEqual([
      expect.objectContaining({ consumerId: "c-1", active: true, channel: "sms", phoneNumber: "+14155550111" }),
    ]);
    const second = await h.call("listProfiles", { as: agent, query: { phoneNumber: "(415) 555-0122" } });
    expect(second.body.items).toEqual([expect.objectContaining({ consumerId: "c-2", active: true })]);
    expect(await invariantViolations(h.table)).toEqual([]);
  });

  it("validate_profile: available, associated_with_consumer, associated_with_other_consumer", async () => {
    const free = await h.call("validateProfile", { as: agent, body: { consumerId: "c-1", phoneNumber: "+14155550199" } });
    expect(free.body).toEqual({ status: "available", phoneNumber: "+14155550199" });
    const mine = await h.call("validateProfile", { as: agent, body: { consumerId: "c-1", phoneNumber: "415-555-0111" } });
    expect(mine.body).toMatchObject({
      status: "associated_with_consumer",
      phoneNumber: "+14155550111",
      profile: { consumerId: "c-1", active: true },
    });
    const other = await h.call("validateProfile", { as: agent, body: { consumerId: "c-2", phoneNumber: "+14155550111" } });
    expect(other.body).toMatchObject({
      status: "associated_with_other_consumer",
      currentConsumer: { id: "c-1", name: "First holder" },
      message:
        "The phone number +14155550111 is currently associated to First holder. Sending a new message will associate it to Second lister.",
    });
    expect((await h.call("validateProfile", { as: agent, body: { consumerId: "ghost", phoneNumber: "+14155550111" } })).status).toBe(404);
    expect((await h.call("validateProfile", { as: agent, body: { consumerId: "c-1", phoneNumber: "12" } })).body.error.code).toBe(
      "INVALID_PHONE_NUMBER",
    );
  });
});

describe("interactions", () => {
  let callId = "";
  const created: string[] = [];

  it("records a phone interaction assigned to the calling agent", async () => {
    const res = await h.call("createInteraction", { as: agent, body: { type: "phone", consumerId: "c-1", phoneNumber: "(415) 555-0111" } });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      type: "phone",
      state: "work_in_progress",
      active: true,
      handler: "agent",
      assignedTo: "agent-ann",
      consumerId: "c-1",
      to: "+14155550111",
    });
    callId = res.body.id;
    const unknown = await h.call("createInteraction", { as: agent, body: { type: "sms", consumerId: "c-1", phoneNumber: "+14155550111" } });
    expect(unknown.status).toBe(400);
  });

  it("gets one with its participants; 404 when unknown", async () => {
    const sms = await h.call("initiateMessage", { as: bo, body: { consumerId: "c-2", to: "+14155550122", message: "hi" } });
    created.push(sms.body.interaction.id);
    const res = await h.call("getInteraction", { as: agent, params: { id: sms.body.interaction.id } });
    expect(res.body).toMatchObject({ id: sms.body.interaction.id, participants: [{ agentId: "agent-bo" }] });
    expect((await h.call("getInteraction", { as: agent, params: { id: "int_nope" } })).status).toBe(404);
    expect((await h.call("listMessages", { as: agent, params: { id: "int_nope" } })).status).toBe(404);
  });

  it("lists a consumer's interactions newest first, a page at a time with an opaque cursor", async () => {
    for (let i = 0; i < 4; i++) {
      const res = await h.call("createInteraction", { as: bo, body: { type: "phone", consumerId: "c-2", phoneNumber: "+14155550122" } });
      created.push(res.body.id);
    }
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await h.call("listInteractions", { as: agent, query: { consumerId: "c-2", limit: "2", ...(cursor ? { cursor } : {}) } });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((i: { id: string }) => i.id));
      cursor = page.body.cursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...created].reverse());
    expect(pages).toBe(3);
  });

  it("lists my active interactions, and refuses the queries it cannot answer", async () => {
    const mine = await h.call("listInteractions", { as: bo, query: { assignedTo: "me", active: "true" } });
    expect(mine.body.items.map((i: { id: string }) => i.id).sort()).toEqual([...created].sort());
    expect((await h.call("listInteractions", { as: bo, query: { assignedTo: "me" } })).body.error.code).toBe("VALIDATION_FAILED");
    expect((await h.call("listInteractions", { as: bo, query: {} })).body.error.code).toBe("VALIDATION_FAILED");
    expect((await h.call("listInteractions", { as: bo, query: { consumerId: "c-2", limit: "500" } })).status).toBe(400);
    const foreign = Buffer.from(JSON.stringify({ gsi1pk: "CONSUMER#c-1", gsi1sk: "x", pk: "x", sk: "y" })).toString("base64url");
    const bad = await h.call("listInteractions", { as: bo, query: { consumerId: "c-2", cursor: foreign } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("INVALID_CURSOR");
    expect((await h.call("listInteractions", { as: bo, query: { consumerId: "c-2", cursor: "%%%" } })).body.error.code).toBe(
      "INVALID_CURSOR",
    );
    const junk = Buffer.from(JSON.stringify({ gsi1pk: "CONSUMER#c-2", other: "x" })).toString("base64url");
    expect((await h.call("listInteractions", { as: bo, query: { consumerId: "c-2", cursor: junk } })).body.error.code).toBe(
      "INVALID_CURSOR",
    );
  });

  it("closes an SMS interaction, freeing its key: the next send creates a new one; closing twice is 409", async () => {
    const id = created[0]!;
    const closed = await h.call("closeInteraction", { as: bo, params: { id } });
    expect(closed.status).toBe(200);
    expect(closed.body).toMatchObject({ id, state: "closed_complete", active: false });
    const items = await h.table.scanAll();
    expect(items.some((i) => i.itemType === "conversationLock" && i.interactionId === id)).toBe(false);
    expect(items.find((i) => i.sk === "INTERACTION" && i.id === id)?.gsi2pk).toBeUndefined();
    const again = await h.call("closeInteraction", { as: bo, params: { id } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("INTERACTION_NOT_ACTIVE");
    const next = await h.call("initiateMessage", { as: bo, body: { consumerId: "c-2", to: "+14155550122", message: "new topic" } });
    expect(next.body.outcome).toBe("created");
    expect(next.body.interaction.id).not.toBe(id);
    const closedCall = await h.call("closeInteraction", { as: agent, params: { id: callId } });
    expect(closedCall.body.state).toBe("closed_complete");
    expect(await invariantViolations(h.table)).toEqual([]);
  });
});

describe("a reply from a number no profile holds", () => {
  it("opens a virtual-agent interaction for the oldest consumer listing the number", async () => {
    await h.call("createConsumer", { as: admin, body: { id: "zz-older", name: "Older", phoneNumbers: ["+14155550177"] } });
    await h.call("createConsumer", { as: admin, body: { id: "aa-newer", name: "Newer", phoneNumbers: ["+14155550177"] } });
    // No active profile (as for numbers listed before profiles existed): remove the one registration made.
    for (const item of await h.table.scanAll()) {
      if (item.pk === "PHONE#+14155550177" && (item.itemType === "activeProfile" || item.itemType === "profile")) {
        await h.table.documentClient.send(new DeleteCommand({ TableName: h.table.tableName, Key: { pk: item.pk, sk: item.sk } }));
      }
    }
    const { handler } = (await import("../../functions/inbound-sms/handler")) as {
      handler: (e: SNSEvent, c: Context) => Promise<{ interactionId: string }[]>;
    };
    const message = JSON.stringify({
      originationNumber: "+14155550177",
      destinationNumber: "+14155550100",
      messageBody: "hi",
      inboundMessageId: "oldest-1",
    });
    const [result] = await handler({ Records: [{ Sns: { Message: message, MessageId: "m" } }] } as unknown as SNSEvent, {} as Context);
    const opened = await h.call("getInteraction", { as: agent, params: { id: result!.interactionId } });
    expect(opened.body).toMatchObject({ handler: "virtual_agent", consumerId: "zz-older", assignedTo: null });
  });
});
