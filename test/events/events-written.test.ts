import type { Context, SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdapters } from "../../shared/platform/composition-root";
import { closeIdleInteractions } from "../../shared/use-cases/close-idle-interactions";
import { admin, createHarness, lambdaContext } from "../support/handler-harness";
import { receiveThroughSns } from "../support/inbound-sms";

/**
 * The events each state change writes, in the same transaction, read back from the table: the
 * catalogue's rows (the decision table, replies, keywords, closes), and none for a refused request.
 */
type Event = { id: string; type: string; interactionId: string; sequence: number; actor: { type: string; id?: string }; data: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Awaited<ReturnType<typeof createHarness>>;
const FROM = "+14155550100";
const number = (i: number) => `+1415555${String(3000 + i).padStart(4, "0")}`;
const al = { sub: "agent-al", groups: ["agents"] };
const bo = { sub: "agent-bo", groups: ["agents"] };

beforeAll(async () => {
  h = await createHarness("events-written");
  await h.call("createProvider", { as: admin, body: { number: FROM, name: "Support" } });
  for (let i = 0; i < 20; i++)
    await h.call("createConsumer", { as: admin, body: { id: `c-${i}`, name: `C ${i}`, phoneNumbers: [number(i)] } });
  await h.call("createConsumer", { as: admin, body: { id: "c-other", name: "Other" } });
});
afterAll(async () => h.table.drop());

async function events(): Promise<Event[]> {
  return (await h.table.scanAll()).filter((item) => item.itemType === "event") as unknown as Event[];
}

/** The events the table gained while `action` ran, in commit order per interaction. */
async function eventsOf(action: () => Promise<unknown>): Promise<Event[]> {
  const before = new Set((await events()).map((event) => event.id));
  await action();
  return (await events())
    .filter((event) => !before.has(event.id))
    .sort((a, b) => a.interactionId.localeCompare(b.interactionId) || a.sequence - b.sequence);
}

/** The types of the conversation's own events; the pipeline's status changes are looked at on their own. */
const types = (list: Event[], interactionId?: string) =>
  list
    .filter((event) => event.type !== "message.status_changed")
    .filter((event) => interactionId === undefined || event.interactionId === interactionId)
    .map((event) => event.type);

async function send(as: typeof al, i: number, extra: Record<string, unknown> = {}) {
  return h.call("initiateMessage", { as, body: { consumerId: `c-${i}`, to: number(i), message: "hello", ...extra } });
}

async function reply(i: number, body: string) {
  const result = await receiveThroughSns({ from: number(i), to: FROM, body });
  await h.deliver();
  return result;
}

describe("the events each change writes", () => {
  it("created: interaction.created, participant.joined, message.created, by the agent", async () => {
    let answer: Awaited<ReturnType<typeof send>> | undefined;
    const written = await eventsOf(async () => (answer = await send(al, 0)));
    expect(types(written)).toEqual(["interaction.created", "participant.joined", "message.created"]);
    expect(written.every((event) => event.interactionId === answer!.body.interaction.id)).toBe(true);
    const own = written.filter((event) => event.type !== "message.status_changed");
    expect(own.every((event) => event.actor.type === "agent" && event.actor.id === "agent-al")).toBe(true);
    expect(written[0]!.data.interaction).toMatchObject({ handler: "agent", assignedTo: "agent-al", from: FROM, to: number(0) });
    expect(written[2]!.data.message).toMatchObject({ id: answer!.body.message.id, direction: "outbound", status: "queued" });
  });

  it("injected: message.created only for an agent in the live group; participant.joined for a new one", async () => {
    await send(al, 1);
    expect(types(await eventsOf(() => send(al, 1)))).toEqual(["message.created"]);
    expect(types(await eventsOf(() => send(bo, 1)))).toEqual(["participant.joined", "message.created"]);
    expect(types(await eventsOf(() => send(bo, 1)))).toEqual(["message.created"]);
  });

  it("replaced_virtual_agent: the old one closed with the reason, then the new one's creation", async () => {
    const opened = await reply(2, "is anyone there?");
    let answer: Awaited<ReturnType<typeof send>> | undefined;
    const written = await eventsOf(async () => (answer = await send(al, 2)));
    expect(types(written, opened.interactionId)).toEqual(["interaction.closed"]);
    expect(written.find((event) => event.type === "interaction.closed")!.data).toEqual({
      reason: "replaced_virtual_agent",
      replacedBy: answer!.body.interaction.id,
    });
    expect(types(written, answer!.body.interaction.id)).toEqual(["interaction.created", "participant.joined", "message.created"]);
  });

  it("replaced_other_consumer with a confirmed reassociation: closed, created, joined, profile.reassociated, message", async () => {
    await send(al, 3);
    let answer: Awaited<ReturnType<typeof send>> | undefined;
    const written = await eventsOf(
      async () =>
        (answer = await h.call("initiateMessage", {
          as: bo,
          body: { consumerId: "c-other", to: number(3), message: "hi", confirmReassociation: true },
        })),
    );
    expect(answer!.body.outcome).toBe("replaced_other_consumer");
    expect(types(written, answer!.body.closedInteractionId)).toEqual(["interaction.closed"]);
    expect(types(written, answer!.body.interaction.id)).toEqual([
      "interaction.created",
      "participant.joined",
      "profile.reassociated",
      "message.created",
    ]);
    expect(written.find((event) => event.type === "profile.reassociated")!.data).toEqual({
      phoneNumber: number(3),
      fromConsumerId: "c-3",
      toConsumerId: "c-other",
    });
  });

  it("replies: message.created by the customer; the first opens with interaction.created", async () => {
    const opened = await eventsOf(() => reply(4, "hello?"));
    expect(types(opened)).toEqual(["interaction.created", "message.created"]);
    expect(opened[0]!.data.interaction).toMatchObject({ handler: "virtual_agent" });
    expect(opened.every((event) => event.actor.type === "customer")).toBe(true);
    expect(opened.some((event) => event.type === "message.status_changed")).toBe(false);
    expect(types(await eventsOf(() => reply(4, "still there?")))).toEqual(["message.created"]);
  });

  it("keywords: STOP and START change consent (with the confirmation, by the system), a second STOP only its message", async () => {
    await send(al, 5);
    const stop = await eventsOf(() => reply(5, "STOP"));
    expect(types(stop)).toEqual(["message.created", "consent.changed", "message.created"]);
    const stopOwn = stop.filter((event) => event.type !== "message.status_changed");
    expect(stopOwn[1]!.data).toEqual({
      customerNumber: number(5),
      providerNumber: FROM,
      optedOut: true,
      state: "opted_out",
      source: "keyword",
      entryId: expect.stringMatching(/^cns_/),
    });
    expect(stopOwn[2]!.actor).toEqual({ type: "system" });
    expect(types(await eventsOf(() => reply(5, "stop")))).toEqual(["message.created"]);
    const start = (await eventsOf(() => reply(5, "START"))).filter((event) => event.type !== "message.status_changed");
    expect(start[1]!.data).toMatchObject({ optedOut: false, state: "opted_in", source: "keyword" });
  });

  it("close by an agent and the idle close: interaction.closed with closed_by_agent and idle", async () => {
    const first = await send(al, 6);
    const closed = await eventsOf(() => h.call("closeInteraction", { as: bo, params: { id: first.body.interaction.id } }));
    expect(closed.map((event) => [event.type, event.data.reason, event.actor])).toEqual([
      ["interaction.closed", "closed_by_agent", { type: "agent", id: "agent-bo" }],
    ]);
    const second = await send(al, 7);
    const adapters = createAdapters({ tableName: h.table.tableName, dynamoDbEndpoint: h.table.endpoint, defaultCountry: "US" });
    const idle = await eventsOf(() =>
      closeIdleInteractions({ ...adapters, clock: { now: () => new Date(Date.now() + 25 * 3600_000) }, idleCloseAfterMs: 24 * 3600_000 }),
    );
    expect(
      idle.filter((event) => event.interactionId === second.body.interaction.id).map((event) => [event.type, event.data.reason]),
    ).toEqual([["interaction.closed", "idle"]]);
  });

  it("a refused request writes none: opted out, reassociation needed, invalid, dry run", async () => {
    await send(al, 8);
    await reply(8, "STOP");
    const refused = await eventsOf(async () => {
      expect((await send(al, 8)).status).toBe(409);
      expect((await h.call("initiateMessage", { as: al, body: { consumerId: "c-other", to: number(9), message: "x" } })).status).toBe(409);
      expect((await send(al, 9, { message: "" })).status).toBe(422);
      expect((await send(al, 9, { dryRun: true })).status).toBe(200);
    });
    expect(refused).toEqual([]);
  });

  it("message.status_changed for every status move: the pipeline's, a receipt's, a retry's (by the agent)", async () => {
    let answer: Awaited<ReturnType<typeof send>> | undefined;
    const sendEvents = await eventsOf(async () => (answer = await send(al, 12)));
    const id = answer!.body.message.id as string;
    const statuses = (list: Event[]) =>
      list.filter((event) => event.type === "message.status_changed" && event.data.messageId === id).map((event) => event.data.status);
    expect(statuses(sendEvents)).toEqual(["sending", "sent"]);
    expect(sendEvents.at(-1)!.data).toMatchObject({ status: "sent", providerMessageId: `outbox-${id}` });
    // Sequence goes on after the send's own events.
    const ownLast = Math.max(...sendEvents.filter((event) => event.type !== "message.status_changed").map((event) => event.sequence));
    expect(sendEvents.filter((event) => event.type === "message.status_changed").every((event) => event.sequence > ownLast)).toBe(true);

    const { handler } = (await import("../../functions/delivery-receipts/handler")) as {
      handler: (e: SNSEvent, c: Context) => Promise<unknown[]>;
    };
    const receipt = (eventType: string) =>
      JSON.stringify({
        eventType,
        eventTimestamp: Date.now(),
        messageId: `eum-${eventType}`,
        context: { messageId: id },
        destinationPhoneNumber: number(12),
      });
    const failedReceipt = await eventsOf(() =>
      handler(
        { Records: [{ Sns: { Message: receipt("TEXT_CARRIER_UNREACHABLE"), MessageId: "r-1" } }] } as unknown as SNSEvent,
        lambdaContext("delivery-receipts"),
      ),
    );
    expect(failedReceipt.map((event) => [event.data.status, event.data.errorCode])).toEqual([["failed", "TEXT_CARRIER_UNREACHABLE"]]);

    const retried = await eventsOf(() => h.call("retryMessage", { as: bo, params: { id: answer!.body.interaction.id, messageId: id } }));
    expect(statuses(retried)).toEqual(["queued", "sending", "sent"]);
    expect(retried[0]!.actor).toEqual({ type: "agent", id: "agent-bo" });
  });
});

describe("sequence and uniqueness under concurrency", () => {
  it("10 simultaneous sends on one key: one interaction.created, strictly increasing sequence, no duplicate ids", async () => {
    const written = await eventsOf(() =>
      Promise.all(Array.from({ length: 10 }, (_, k) => send({ sub: `agent-${k % 3}`, groups: ["agents"] }, 10))),
    );
    const interactionIds = new Set(written.map((event) => event.interactionId));
    expect(interactionIds.size).toBe(1);
    expect(types(written).filter((type) => type === "interaction.created")).toHaveLength(1);
    expect(types(written).filter((type) => type === "message.created")).toHaveLength(10);
    expect(types(written).filter((type) => type === "participant.joined")).toHaveLength(3);
    expect(new Set(written.map((event) => event.id)).size).toBe(written.length);
    const sequences = written.map((event) => event.sequence);
    for (let k = 1; k < sequences.length; k++) expect(sequences[k]!).toBeGreaterThan(sequences[k - 1]!);
    // Commit order: the interaction's creation comes first.
    expect(written[0]!.type).toBe("interaction.created");
  });

  it("12 simultaneous first replies: one interaction.created", async () => {
    const written = await eventsOf(() => Promise.all(Array.from({ length: 12 }, (_, k) => reply(11, `reply ${k}`))));
    expect(types(written).filter((type) => type === "interaction.created")).toHaveLength(1);
    expect(types(written).filter((type) => type === "message.created")).toHaveLength(12);
    expect(new Set(written.map((event) => event.id)).size).toBe(written.length);
    expect(written[0]!.type).toBe("interaction.created");
  });
});
