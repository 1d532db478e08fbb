import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { items } from "../../shared/adapters/dynamo/items";
import { queuedOutboundFilter } from "../../shared/adapters/dynamo/stream-records";
import { keys } from "../../shared/adapters/dynamo/table-design";
import { routes } from "../../shared/adapters/http/routes";
import { OutboxTransport } from "../../shared/adapters/sms/outbox-transport";
import type { StoredMessage } from "../../shared/core/model/message";
import { parseSendWindow } from "../../shared/core/rules/send-window";
import { createAdapters } from "../../shared/platform/composition-root";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { createProvider } from "../../shared/use-cases/create-provider";
import { defaultHandOverSettings } from "../../shared/use-cases/hand-over-queued-sms";
import {
  initiateMessage,
  type InitiateMessageInput,
  type InitiationResult,
  type DryRunResult,
} from "../../shared/use-cases/initiate-message";
import { receiveInboundSms } from "../../shared/use-cases/receive-inbound-sms";
import { retryMessage } from "../../shared/use-cases/retry-message";
import { sweepOutboundQueue } from "../../shared/use-cases/sweep-outbound-queue";
import { handStreamBatch } from "../../functions/sms-sender/stream-batch";
import { createStreamPoller, type StreamPoller } from "../../local/stream-poller";
import { expectDocumentedResponse } from "../support/openapi-responses";
import { invariantViolations } from "../support/table-invariants";
import { createTestTable, type TestTable } from "../support/test-table";

/**
 * `scheduleIfOutsideWindow` end to end against DynamoDB Local, with a clock the test sets: the send
 * outside the window is decided and written `scheduled` (202), stays out of the pending index, and
 * the sweep promotes it when its time comes; the table's change stream then hands it to the local
 * outbox transport as any queued message. A STOP (or an opt-out from every number) in between ends
 * it `failed` `RECIPIENT_OPTED_OUT` instead.
 */

const FROM = "+14155550100";
/** New York consumers (America/New_York), one per test so their conversation keys do not meet. */
const customer = (i: number) => `+1212555${String(1000 + i).padStart(4, "0")}`;
const NIGHT = "2026-07-15T07:00:00Z"; // 03:00 in New York (EDT)
const OPENS = "2026-07-15T12:00:00.000Z"; // 08:00 in New York
const OPENS_LOCAL = "2026-07-15T08:00:00-04:00";

let table: TestTable;
let adapters: ReturnType<typeof createAdapters>;
let poller: StreamPoller;
let dynamo: DynamoDBClient;
let now = new Date(NIGHT);
const clock = { now: () => new Date(now) };
const outboxFile = join(tmpdir(), `scheduled-${process.pid}-${Date.now()}.jsonl`);
const outbox = new OutboxTransport(outboxFile, () => new Date(now));
const deps = () => ({ ...adapters, extension: defaultComposeExtension, clock });

beforeAll(async () => {
  table = await createTestTable("scheduled");
  adapters = createAdapters({
    tableName: table.tableName,
    dynamoDbEndpoint: table.endpoint,
    defaultCountry: "US",
    sendWindow: parseSendWindow("08:00-21:00")!,
    replyGraceMs: 60 * 60_000,
  });
  dynamo = new DynamoDBClient({
    endpoint: table.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  // The sender as the stream's event source mapping runs it, on the test's clock, into the local outbox.
  poller = createStreamPoller({
    dynamo,
    endpoint: table.endpoint,
    tableName: table.tableName,
    startAt: "TRIM_HORIZON",
    logError: () => undefined,
    consumers: [
      {
        id: "sms-sender",
        filter: queuedOutboundFilter,
        invoke: (event) =>
          handStreamBatch(
            {
              queue: adapters.queue,
              pacer: adapters.pacer,
              providers: adapters.providers,
              transport: outbox,
              clock,
              ids: adapters.ids,
              sleep: async () => undefined,
            },
            event,
            new Date(clock.now().getTime() + 20_000),
            defaultHandOverSettings,
          ) as never,
      },
    ],
  });
  await createProvider(adapters, { number: FROM, name: "Support" });
  for (let i = 0; i < 8; i++) {
    await createConsumer(adapters, { id: `ny-${i}`, name: `Nia ${i}`, timeZone: "America/New_York", phoneNumbers: [customer(i)] });
  }
});
afterAll(async () => {
  await poller.stop();
  dynamo.destroy();
  await table.drop();
  rmSync(outboxFile, { force: true });
});
beforeEach(async () => {
  now = new Date(NIGHT);
  await poller.drain();
});

const send = (i: number, extra: Partial<InitiateMessageInput> = {}, idempotencyKey?: string) =>
  initiateMessage(
    deps(),
    { consumerId: `ny-${i}`, to: customer(i), from: FROM, message: `Your refund is on its way (${i})`, ...extra },
    { agentId: "ann", ...(idempotencyKey ? { idempotencyKey } : {}) },
  );

/** The HTTP status the route answers for this result, checked against docs/openapi.json. */
function httpStatus(answer: InitiationResult | DryRunResult): number {
  const status = routes.initiateMessage.status(answer);
  expectDocumentedResponse(routes.initiateMessage.id, status, JSON.parse(JSON.stringify(answer)));
  return status;
}

async function scheduled(i: number): Promise<StoredMessage> {
  const answer = await send(i, { scheduleIfOutsideWindow: true });
  expect(httpStatus(answer)).toBe(202);
  return (answer as InitiationResult).message;
}

const stored = async (message: StoredMessage) =>
  (await adapters.messages.get({ interactionId: message.interactionId, createdAt: message.createdAt, messageId: message.id }))!;
const sweep = () =>
  sweepOutboundQueue({ queue: adapters.queue, providers: adapters.providers, interactions: adapters.interactions, clock });
const handedOver = async (message: StoredMessage) => (await outbox.list()).filter((entry) => entry.id === `outbox-${message.id}`);
async function eventsOf(interactionId: string) {
  const page = await adapters.events.ofInteraction(interactionId, { limit: 100 });
  if (page === "invalid_cursor") throw new Error("invalid cursor");
  return page.items;
}
const statusEvents = async (message: StoredMessage) =>
  (await eventsOf(message.interactionId))
    .filter((event) => event.type === "message.status_changed" && event.data.messageId === message.id)
    .map((event) => `${String(event.data.status)}${event.data.errorCode ? ` ${String(event.data.errorCode)}` : ""}`);

describe("a send outside the window with scheduleIfOutsideWindow", () => {
  it("answers 202: the decision applied as usual, the message scheduled for the window's opening; nothing handed over, nothing pending", async () => {
    const answer = (await send(0, { scheduleIfOutsideWindow: true })) as InitiationResult;
    expect(httpStatus(answer)).toBe(202);
    expect(answer).toMatchObject({
      outcome: "created",
      interaction: { state: "work_in_progress", assignedTo: "ann", to: customer(0), from: FROM },
      message: { status: "scheduled", scheduledFor: OPENS, segments: 1 },
    });
    expect(Date.parse(answer.message.scheduledFor!)).toBe(Date.parse(OPENS_LOCAL));

    await poller.drain();
    expect(await handedOver(answer.message)).toEqual([]);
    expect(await stored(answer.message)).toMatchObject({ status: "scheduled", scheduledFor: OPENS });
    expect(await adapters.queue.pendingFrom(FROM)).toEqual([]);
    expect(await adapters.queue.firstPendingOnKey(FROM, customer(0))).toBeUndefined();
    const item = (await table.scanAll()).find((candidate) => candidate.itemType === "message" && candidate.id === answer.message.id);
    expect(item).toMatchObject({ gsi4pk: "SCHEDULED", gsi4sk: `${OPENS}#${answer.message.id}` });
    // The conversation exists as for any send: lock, interaction, and the message's creation event.
    expect(await adapters.conversations.readNumberState(customer(0))).toMatchObject({
      locks: [expect.objectContaining({ interactionId: answer.interaction.id })],
    });
    const events = await eventsOf(answer.interaction.id);
    expect(events.find((event) => event.type === "message.created")?.data).toMatchObject({
      outcome: "created",
      message: { status: "scheduled", scheduledFor: OPENS },
    });
    expect(await invariantViolations(table)).toEqual([]);
  });

  it("the dry run says it would be scheduled, and when; without the flag it says only that the window is closed", async () => {
    const dry = (await send(1, { dryRun: true, scheduleIfOutsideWindow: true })) as DryRunResult;
    expect(httpStatus(dry)).toBe(200);
    expect(dry).toMatchObject({
      dryRun: true,
      sendWindow: { open: false, timeZone: "America/New_York", nextAllowedAt: OPENS_LOCAL },
      wouldSchedule: true,
      scheduledFor: OPENS,
    });
    const plain = (await send(1, { dryRun: true })) as DryRunResult;
    expect(plain.sendWindow.open).toBe(false);
    expect(plain).not.toHaveProperty("wouldSchedule");
    expect(plain).not.toHaveProperty("scheduledFor");
  });

  it("with the window open the flag changes nothing: 201, queued, handed over at once", async () => {
    now = new Date("2026-07-15T14:00:00Z"); // 10:00 in New York
    const answer = (await send(2, { scheduleIfOutsideWindow: true })) as InitiationResult;
    expect(httpStatus(answer)).toBe(201);
    expect(answer.message.status).toBe("queued");
    expect(answer.message).not.toHaveProperty("scheduledFor");
    await poller.drain();
    expect(await handedOver(answer.message)).toHaveLength(1);
  });

  it("an idempotent replay answers the same 202, with the same message, and writes nothing", async () => {
    const first = (await send(3, { scheduleIfOutsideWindow: true }, "night-3")) as InitiationResult;
    const before = await table.scanAll();
    now = new Date("2026-07-15T07:05:00Z");
    const again = (await send(3, { scheduleIfOutsideWindow: true }, "night-3")) as InitiationResult;
    expect(httpStatus(again)).toBe(202);
    expect(again).toMatchObject({ outcome: "created", interaction: { id: first.interaction.id } });
    expect(again.message).toEqual(first.message);
    expect((await table.scanAll()).length).toBe(before.length);
  });

  it("does not block its conversation key: the customer writes, the agent's answer within the grace goes at once", async () => {
    const waiting = await scheduled(4);
    now = new Date("2026-07-15T07:10:00Z");
    await receiveInboundSms(
      { ...adapters, clock, helpText: "help" },
      { originationNumber: customer(4), destinationNumber: FROM, messageBody: "Is it?", inboundMessageId: "sched-in-4" },
    );
    const reply = (await send(4, { message: "Yes, it is", scheduleIfOutsideWindow: true })) as InitiationResult;
    expect(httpStatus(reply)).toBe(200); // within the grace: joins the conversation, not scheduled
    expect(reply).toMatchObject({ outcome: "injected", message: { status: "queued" } });
    await poller.drain();
    expect(await stored(reply.message)).toMatchObject({ status: "sent" });
    expect(await stored(waiting)).toMatchObject({ status: "scheduled" });
  });
});

describe("the sweep hands a scheduled message over at its time", () => {
  it("leaves it before scheduledFor; after, promotes it and the pipeline sends it once (validity counted from scheduledFor)", async () => {
    const message = await scheduled(5);

    now = new Date("2026-07-15T11:59:59Z");
    expect(await sweep()).toMatchObject({ promoted: 0, optedOut: 0 });
    await poller.drain();
    expect(await stored(message)).toMatchObject({ status: "scheduled" });
    expect(await handedOver(message)).toEqual([]);

    // Five hours after it was accepted: past the default hour of validity from createdAt, well within it from scheduledFor.
    now = new Date("2026-07-15T12:00:30Z");
    // (The earlier tests' scheduled messages, due at the same 08:00, are promoted with it.)
    expect(await sweep()).toMatchObject({ promoted: expect.any(Number), optedOut: 0 });
    await poller.drain();
    expect(await stored(message)).toMatchObject({
      status: "sent",
      scheduledFor: OPENS,
      promotedAt: "2026-07-15T12:00:30.000Z",
      providerMessageId: `outbox-${message.id}`,
    });
    expect(await handedOver(message)).toEqual([expect.objectContaining({ to: customer(5), body: message.body })]);
    expect(await statusEvents(message)).toEqual(["queued", "sending", "sent"]);

    // Nothing left to do: a later sweep and another drain hand nothing over again.
    now = new Date("2026-07-15T12:05:00Z");
    expect(await sweep()).toEqual({ redispatched: 0, expired: 0, lapsed: 0, promoted: 0, optedOut: 0, numberMoved: 0 });
    await poller.drain();
    expect(await handedOver(message)).toHaveLength(1);
    expect(await invariantViolations(table)).toEqual([]);
  });

  it("a STOP in between: the sweep ends it failed RECIPIENT_OPTED_OUT, never handed over", async () => {
    const message = await scheduled(6);
    now = new Date("2026-07-15T09:00:00Z");
    await receiveInboundSms(
      { ...adapters, clock, helpText: "help" },
      { originationNumber: customer(6), destinationNumber: FROM, messageBody: "STOP", inboundMessageId: "sched-stop-6" },
    );
    await poller.drain();

    now = new Date("2026-07-15T12:01:00Z");
    expect(await sweep()).toMatchObject({ promoted: 0, optedOut: 1 });
    await poller.drain();
    expect(await stored(message)).toMatchObject({
      status: "failed",
      errorCode: "RECIPIENT_OPTED_OUT",
      failedAt: "2026-07-15T12:01:00.000Z",
    });
    expect(await handedOver(message)).toEqual([]);
    expect(await statusEvents(message)).toEqual(["failed RECIPIENT_OPTED_OUT"]);
    const item = (await table.scanAll()).find((candidate) => candidate.itemType === "message" && candidate.id === message.id);
    expect(item).not.toHaveProperty("gsi4pk");
  });

  it("the number moved to another customer before its time (a wrong-customer send): NUMBER_MOVED, never handed over", async () => {
    await createConsumer(adapters, { id: "ny-8", name: "Nia 8", timeZone: "America/New_York", phoneNumbers: [customer(8)] });
    await createConsumer(adapters, { id: "new-owner-8", name: "Noor", timeZone: "America/New_York" });
    const message = await scheduled(8);

    // At 08:00 in New York, before the sweep runs, an agent writes to the number for its new owner.
    now = new Date("2026-07-15T12:00:05Z");
    const moved = (await initiateMessage(
      deps(),
      { consumerId: "new-owner-8", to: customer(8), from: FROM, message: "Welcome, Noor", confirmReassociation: true },
      { agentId: "ann" },
    )) as InitiationResult;
    expect(moved).toMatchObject({ outcome: "replaced_other_consumer", message: { status: "queued" } });
    await poller.drain();

    now = new Date("2026-07-15T12:00:30Z");
    expect(await sweep()).toMatchObject({ promoted: 0, numberMoved: 1 });
    await poller.drain();
    expect(await stored(message)).toMatchObject({ status: "failed", errorCode: "NUMBER_MOVED" });
    expect(await handedOver(message)).toEqual([]);
    expect(await handedOver(moved.message)).toHaveLength(1);
    expect(await statusEvents(message)).toEqual(["failed NUMBER_MOVED"]);
  });

  it("moved by a send from another number (its own conversation stays open): NUMBER_MOVED, and an agent may not retry it", async () => {
    const OTHER = "+14155550101";
    await createProvider(adapters, { number: OTHER, name: "Billing" });
    await createConsumer(adapters, { id: "ny-9", name: "Nia 9", timeZone: "America/New_York", phoneNumbers: [customer(9)] });
    await createConsumer(adapters, { id: "new-owner-9", name: "Nour", timeZone: "America/New_York" });
    const message = await scheduled(9);

    now = new Date("2026-07-15T12:00:05Z");
    await initiateMessage(
      deps(),
      { consumerId: "new-owner-9", to: customer(9), from: OTHER, message: "Welcome, Nour", confirmReassociation: true },
      { agentId: "ann" },
    );
    expect((await adapters.interactions.get(message.interactionId))?.active).toBe(true);
    now = new Date("2026-07-15T12:00:30Z");
    expect(await sweep()).toMatchObject({ numberMoved: 1 });
    await poller.drain();
    expect(await stored(message)).toMatchObject({ status: "failed", errorCode: "NUMBER_MOVED" });

    const retry = await retryMessage(deps(), { interactionId: message.interactionId, messageId: message.id }, { agentId: "ann" }).catch(
      (error: unknown) => error,
    );
    expect(retry).toMatchObject({ code: "MESSAGE_NOT_RETRYABLE", message: expect.stringContaining("another customer's") });
    await poller.drain();
    expect(await stored(message)).toMatchObject({ status: "failed", errorCode: "NUMBER_MOVED" });
    expect(await handedOver(message)).toEqual([]);
  });

  it("an opt-out from every send-from number (the ledger's `*` item) ends it the same way", async () => {
    const message = await scheduled(7);
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: items.optOut(customer(7), "*", "2026-07-15T10:00:00.000Z", "agent") }),
    );
    expect(keys.optOut(customer(7), "*")).toEqual({ pk: `PHONE#${customer(7)}`, sk: "OPTOUT#*" });

    now = new Date("2026-07-15T12:00:00Z");
    expect(await sweep()).toMatchObject({ promoted: 0, optedOut: 1 });
    await poller.drain();
    expect(await stored(message)).toMatchObject({ status: "failed", errorCode: "RECIPIENT_OPTED_OUT" });
    expect(await handedOver(message)).toEqual([]);
  });
});
