import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { statusOf } from "../../shared/adapters/http/error-status";
import { ServiceError } from "../../shared/core/errors";
import { parseSendWindow } from "../../shared/core/rules/send-window";
import { createAdapters } from "../../shared/platform/composition-root";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { createProvider } from "../../shared/use-cases/create-provider";
import { initiateMessage, type InitiateMessageInput, type InitiationResult } from "../../shared/use-cases/initiate-message";
import { receiveInboundSms } from "../../shared/use-cases/receive-inbound-sms";
import { invariantViolations } from "../support/table-invariants";
import { createTestTable, type TestTable } from "../support/test-table";

/**
 * A send that names both numbers in E.164 is decided on nothing read (the providers come from the
 * container's cache) and applied at once; every assumption it made is a condition of its
 * transaction. Against DynamoDB Local, each assumption proved wrong in turn: what the cancelled try
 * found is what the send is decided again on, and the answer is the one a send that read first
 * gives.
 */

const FROM = "+14155550100";
let table: TestTable;
let adapters: ReturnType<typeof createAdapters>;
const calls: string[] = [];
/** Each call's start (">Command") and end ("<Command"), in the order they happen. */
const spans: string[] = [];
// 18:00Z: 11:00 in California, 14:00 in New York (the window of a US number is open), 03:00 in Tokyo.
let now = new Date("2026-07-15T18:00:00Z");
const clock = { now: () => new Date(now) };
const deps = () => ({ ...adapters, extension: defaultComposeExtension, clock, helpText: "help", backoff: async () => undefined });
const send = (consumerId: string, to: string, extra: Partial<InitiateMessageInput> = {}) =>
  initiateMessage(deps(), { consumerId, to, from: FROM, message: "Your parcel ships today", ...extra }, { agentId: "ann" });

async function refusal(run: () => Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  try {
    await run();
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return { status: statusOf(error), code: error.code, message: error.message };
  }
  throw new Error("the send was not refused");
}

beforeAll(async () => {
  table = await createTestTable("unread");
  adapters = createAdapters({
    tableName: table.tableName,
    dynamoDbEndpoint: table.endpoint,
    defaultCountry: "US",
    sendWindow: parseSendWindow("08:00-21:00")!,
    replyGraceMs: 60 * 60_000,
    // As deployed: the container keeps the providers for a few seconds.
    providerCacheMs: 60_000,
  });
  adapters.documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      calls.push(String(context.commandName));
      return next(args);
    },
    { step: "initialize", name: "countDynamoDbCalls" },
  );
  adapters.documentClient.middlewareStack.add(
    (next, context) => async (args) => {
      spans.push(`>${String(context.commandName)}`);
      try {
        return await next(args);
      } finally {
        spans.push(`<${String(context.commandName)}`);
      }
    },
    { step: "initialize", name: "spanDynamoDbCalls" },
  );
  await createProvider(adapters, { number: FROM, name: "Support" });
  await createConsumer(adapters, { id: "uma", name: "Uma", phoneNumbers: ["+14155550101"] });
  await createConsumer(adapters, { id: "vic", name: "Vic", phoneNumbers: ["+14155550102"] });
  await createConsumer(adapters, { id: "kei", name: "Kei", timeZone: "Asia/Tokyo", phoneNumbers: ["+14155550103"] });
  await adapters.providers.list(); // the container's cache, filled
});
afterAll(async () => table.drop());
beforeEach(() => {
  calls.length = 0;
  spans.length = 0;
  now = new Date("2026-07-15T18:00:00Z");
});

describe("a send decided on nothing read", () => {
  it("to a consumer's own number with nothing running: one call, the transaction", async () => {
    const sent = (await send("uma", "+14155550101")) as InitiationResult;
    expect(sent).toMatchObject({ outcome: "created", interaction: { consumerId: "uma", to: "+14155550101", from: FROM } });
    expect(calls).toEqual(["TransactWriteItemsCommand"]);
  });

  it("joining the running conversation: the cancelled try returns its lock, the live group is read, one join", async () => {
    const first = (await send("uma", "+14155550101", { message: "Friday works?" })) as InitiationResult;
    calls.length = 0;
    now = new Date("2026-07-15T18:00:01Z"); // a later instant (events are numbered from the clock)
    // Keyed: what the container remembers is not used (a repeat must find its key first).
    const joined = (await initiateMessage(
      deps(),
      { consumerId: "uma", to: "+14155550101", from: FROM, message: "Or Monday" },
      { agentId: "bo", idempotencyKey: "bo-1" },
    )) as InitiationResult;
    expect(joined.outcome).toBe("injected");
    expect(joined.interaction.id).toBe(first.interaction.id);
    expect(joined.interaction.participants.map((participant) => participant.agentId)).toEqual(["ann", "bo"]);
    expect(calls).toEqual(["TransactWriteItemsCommand", "QueryCommand", "TransactWriteItemsCommand"]);

    // Unkeyed, the container's memory of the conversation is the first guess: no cancelled try.
    calls.length = 0;
    now = new Date("2026-07-15T18:00:02Z");
    const again = (await send("uma", "+14155550101", { message: "Monday it is" })) as InitiationResult;
    expect(again).toMatchObject({ outcome: "injected", interaction: { id: first.interaction.id } });
    expect(calls).toEqual(["QueryCommand", "TransactWriteItemsCommand"]);
  });

  it("what the container remembers went stale (the conversation closed elsewhere): the try finds no lock, the send opens a new one", async () => {
    const first = (await send("uma", "+14155550101", { message: "Anything else?" })) as InitiationResult;
    // Closed by another container (the idle sweep, another agent): this one's memory is not told.
    await adapters.conversations.closeInteraction(first.interaction, "closed_complete", "2026-07-15T18:00:03.000Z");
    calls.length = 0;
    now = new Date("2026-07-15T18:00:04Z");
    const reopened = (await send("uma", "+14155550101", { message: "One more thing" })) as InitiationResult;
    expect(reopened.outcome).toBe("created");
    expect(reopened.interaction.id).not.toBe(first.interaction.id);
    expect(calls).toEqual(["QueryCommand", "TransactWriteItemsCommand", "TransactWriteItemsCommand"]);
    expect(await invariantViolations(table)).toEqual([]);
  });

  it("a number with no profile: the try finds no pointer, the next transaction creates it", async () => {
    const sent = (await send("uma", "+14155550111")) as InitiationResult;
    expect(sent.outcome).toBe("created");
    const pointer = (await table.scanAll()).find(
      (item) => item.itemType === "activeProfile" && item.consumerId === "uma" && String(item.pk).includes("+14155550111"),
    );
    expect(pointer).toBeDefined();
    expect(calls).toEqual(["TransactWriteItemsCommand", "TransactWriteItemsCommand"]);
  });

  it("a number that is another consumer's: asks first, naming both (409), and writes nothing", async () => {
    const before = await table.scanAll();
    expect(await refusal(() => send("uma", "+14155550102"))).toEqual({
      status: 409,
      code: "PROFILE_REASSOCIATION_REQUIRED",
      message:
        "+14155550102 is currently associated with consumer Vic; sending will associate it with Uma. Send again with confirmReassociation: true to do so",
    });
    expect(await table.scanAll()).toEqual(before);
  });

  it("a consumer that does not exist: 404, nothing written", async () => {
    const before = await table.scanAll();
    expect(await refusal(() => send("nobody", "+14155550199"))).toMatchObject({ status: 404, code: "CONSUMER_NOT_FOUND" });
    expect(await table.scanAll()).toEqual(before);
  });

  it("a consumer asleep in their own time zone: refused in it; scheduled when asked; sent within the grace of their reply", async () => {
    const before = await table.scanAll();
    const refused = await refusal(() => send("kei", "+14155550103"));
    expect(refused).toMatchObject({ status: 409, code: "OUTSIDE_SEND_WINDOW" });
    expect(refused.message).toContain("Asia/Tokyo");
    expect(await table.scanAll()).toEqual(before);

    const scheduled = (await send("kei", "+14155550103", { scheduleIfOutsideWindow: true })) as InitiationResult;
    expect(scheduled.message).toMatchObject({ status: "scheduled", scheduledFor: "2026-07-15T23:00:00.000Z" });

    await receiveInboundSms(deps(), {
      originationNumber: "+14155550103",
      destinationNumber: FROM,
      messageBody: "Still up, go ahead",
      inboundMessageId: "kei-1",
    });
    now = new Date("2026-07-15T18:30:00Z");
    const sent = (await send("kei", "+14155550103", { message: "Here it is" })) as InitiationResult;
    expect(sent.message.status).toBe("queued");
  });

  it("an opt-out of the send-from number in force: the refusal names it (of every number: consent-ledger.test.ts)", async () => {
    await receiveInboundSms(deps(), {
      originationNumber: "+14155550121",
      destinationNumber: FROM,
      messageBody: "STOP",
      inboundMessageId: "stop-1",
    });
    await createConsumer(adapters, { id: "olu", name: "Olu", phoneNumbers: ["+14155550121"] });
    const refused = await refusal(() => send("olu", "+14155550121"));
    expect(refused).toMatchObject({ status: 409, code: "RECIPIENT_OPTED_OUT" });
    expect(refused.message).toContain(`opted out of messages from ${FROM}`);
    expect(await invariantViolations(table)).toEqual([]);
  });
});

describe("a send that reads first", () => {
  it("reads the state of a `to` written in international form alongside the consumer: one round trip, not two", async () => {
    const dryRun = await send("uma", "+14155550101", { dryRun: true });
    expect(dryRun).toMatchObject({ dryRun: true, to: "+14155550101" });
    expect(spans).toEqual([">GetItemCommand", ">QueryCommand", expect.stringMatching(/^</), expect.stringMatching(/^</)]);
  });

  it("reads the state of a national `to` after the consumer, whose location says how to read it", async () => {
    const dryRun = await send("uma", "(415) 555-0101", { dryRun: true });
    expect(dryRun).toMatchObject({ dryRun: true, to: "+14155550101" });
    expect(spans).toEqual([">GetItemCommand", "<GetItemCommand", ">QueryCommand", "<QueryCommand"]);
  });
});
