import type { Context, SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keywordOf } from "../../shared/core/rules/sms-keywords";
import { admin, createHarness } from "../support/handler-harness";
import { invariantViolations } from "../support/table-invariants";

/** Opt-out per (customer number, provider number), end to end through the inbound handler and the send. */
let h: Awaited<ReturnType<typeof createHarness>>;
const ann = { sub: "agent-ann", groups: ["agents"] };
const FROM = "+14155550100";
const OTHER = "+14155550101";
const TO = "+14155550111";
let counter = 0;

beforeAll(async () => {
  h = await createHarness("opt-out", { HELP_TEXT: "Acme support. Reply STOP to unsubscribe." });
  await h.call("createProvider", { as: admin, body: { number: FROM, name: "Support" } });
  await h.call("createProvider", { as: admin, body: { number: OTHER, name: "Billing" } });
  await h.call("createConsumer", { as: admin, body: { id: "c-1", name: "Jo", phoneNumbers: [TO] } });
});
afterAll(async () => h.table.drop());

async function reply(body: string, destination = FROM) {
  const { handler } = (await import("../../functions/inbound-sms/handler")) as {
    handler: (e: SNSEvent, c: Context) => Promise<Record<string, unknown>[]>;
  };
  const message = JSON.stringify({
    originationNumber: TO,
    destinationNumber: destination,
    messageBody: body,
    inboundMessageId: `optout-${++counter}`,
  });
  const [result] = await handler(
    { Records: [{ Sns: { Message: message, MessageId: `sns-${counter}` } }] } as unknown as SNSEvent,
    {} as Context,
  );
  // The keyword's answer was written queued: the stream hands it to the sender.
  await h.deliver();
  return result!;
}
const sent = async (body: string) => (await h.outbox.list()).filter((sms) => sms.to === TO && sms.body === body);
const send = (from = FROM) =>
  h.call("initiateMessage", { as: ann, body: { consumerId: "c-1", to: TO, from, message: "Your parcel ships today" } });

describe("keywords", () => {
  it.each([
    ["STOP", "stop"],
    [" stop ", "stop"],
    ["Stop.", "stop"],
    ["STOPALL", "stop"],
    ["stop all", "stop"],
    ["UNSUBSCRIBE", "stop"],
    ["cancel", "stop"],
    ["END", "stop"],
    ["quit", "stop"],
    ["OPTOUT", "stop"],
    ["opt-out", "stop"],
    ["REVOKE", "stop"],
    ["START", "start"],
    ["unstop", "start"],
    ["Yes!", "start"],
    ["HELP", "help"],
    ["info", "help"],
  ])("%j is %s", (text, keyword) => expect(keywordOf(text)).toBe(keyword));
  it.each(["stop sending me these", "please stop", "yes please", "", "STOPP"])("%j is no keyword", (text) =>
    expect(keywordOf(text)).toBeUndefined(),
  );
});

describe("opt-out end to end", () => {
  it("STOP is stored in the conversation, recorded, and confirmed once", async () => {
    expect((await send()).status).toBe(201);
    const first = await reply("  Stop ");
    expect(first).toMatchObject({ outcome: "joined", keyword: "stop" });
    expect(await sent("You are unsubscribed and will get no more messages from this number. Reply START to subscribe again.")).toHaveLength(
      1,
    );
    const again = await reply("STOP");
    expect(again).toMatchObject({ keyword: "stop" });
    expect(again.autoReplyMessageId).toBeUndefined();
    expect(await sent("You are unsubscribed and will get no more messages from this number. Reply START to subscribe again.")).toHaveLength(
      1,
    );
    const messages = await h.call("listMessages", { as: ann, params: { id: String(first.interactionId) } });
    expect(
      messages.body.items.filter((m: { direction: string }) => m.direction === "inbound").map((m: { body: string }) => m.body),
    ).toEqual(["  Stop ", "STOP"]);
    const optOut = (await h.table.scanAll()).filter((i) => i.itemType === "optOut");
    expect(optOut).toEqual([expect.objectContaining({ customerNumber: TO, providerNumber: FROM })]);
  });

  it("an agent's send to the opted-out pair is 409 RECIPIENT_OPTED_OUT, nothing sent or written; compose says so first", async () => {
    const options = await h.call("composeOptions", { as: ann, query: { consumerId: "c-1" } });
    expect(options.body).toMatchObject({ defaultSendFrom: FROM, defaultSendTo: TO, optedOut: true });
    const before = await h.table.scanAll();
    const outbox = (await h.outbox.list()).length;
    const res = await send();
    expect(res.status).toBe(409);
    expect(res.body.error.code).toBe("RECIPIENT_OPTED_OUT");
    expect(await h.table.scanAll()).toEqual(before);
    expect((await h.outbox.list()).length).toBe(outbox);
    // Per provider number: the billing line may still write.
    expect((await send(OTHER)).status).toBe(201);
  });

  it("HELP gets the configured help text, every time", async () => {
    await reply("help");
    await reply("INFO");
    expect(await sent("Acme support. Reply STOP to unsubscribe.")).toHaveLength(2);
  });

  it("START lifts it (confirmed once) and the agent can write again", async () => {
    const res = await reply("start");
    expect(res).toMatchObject({ keyword: "start" });
    expect(await sent("You are subscribed again. Reply STOP to unsubscribe, HELP for help.")).toHaveLength(1);
    expect((await h.table.scanAll()).filter((i) => i.itemType === "optOut")).toEqual([]);
    expect((await reply("YES")).autoReplyMessageId).toBeUndefined();
    expect((await send()).status).toBe(200);
    expect(await invariantViolations(h.table)).toEqual([]);
  });

  it("a STOP racing an agent's send: one opt-out recorded, the send accepted or refused, invariants hold", async () => {
    const [stop, res] = await Promise.all([reply("STOP"), send()]);
    expect(stop).toMatchObject({ keyword: "stop" });
    expect([200, 201, 409]).toContain(res.status);
    expect((await h.table.scanAll()).filter((i) => i.itemType === "optOut")).toHaveLength(1);
    expect((await send()).body.error.code).toBe("RECIPIENT_OPTED_OUT");
    expect(await invariantViolations(h.table)).toEqual([]);
  });
});
