import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { statusOf } from "../../shared/adapters/http/error-status";
import { ServiceError } from "../../shared/core/errors";
import { parseSendWindow } from "../../shared/core/rules/send-window";
import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { composeOptions } from "../../shared/use-cases/compose-options";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { createProvider } from "../../shared/use-cases/create-provider";
import { initiateMessage, type InitiateMessageInput } from "../../shared/use-cases/initiate-message";
import { receiveInboundSms } from "../../shared/use-cases/receive-inbound-sms";
import { updateProvider } from "../../shared/use-cases/update-provider";
import { createTestTable, type TestTable } from "../support/test-table";

/**
 * The send window on the request path, against DynamoDB Local with a clock the test sets: a send
 * outside the recipient's hours writes nothing and says when it may go; the customer's recent reply
 * lifts it; a provider's own window replaces the service's; dry run and compose options report it.
 */

const FROM = "+14155550100";
const NARROW = "+14155550109";
const NEW_YORKER = "+12125550101";
const SOMEWHERE_IN_US = "+14155550102";
// Toll-free: a US number whose prefix names no zone.
const TOLL_FREE = "+18005550102";

let table: TestTable;
let adapters: ReturnType<typeof createAdapters>;
let now = new Date("2026-07-15T14:00:00Z");
const clock = { now: () => new Date(now) };
const deps = () => ({ ...adapters, extension: defaultComposeExtension, clock });

beforeAll(async () => {
  table = await createTestTable("send-window");
  adapters = createAdapters({
    tableName: table.tableName,
    dynamoDbEndpoint: table.endpoint,
    defaultCountry: "US",
    sendWindow: parseSendWindow("08:00-21:00")!,
    replyGraceMs: 60 * 60_000,
  });
  await createProvider(adapters, { number: FROM, name: "Support" });
  await createProvider(adapters, { number: NARROW, name: "Lunch line", sendWindow: "12:00-13:00" });
  await createConsumer(adapters, { id: "ny", name: "Nia", timeZone: "America/New_York", phoneNumbers: [NEW_YORKER] });
  await createConsumer(adapters, { id: "us", name: "Uma", phoneNumbers: [SOMEWHERE_IN_US] });
});
afterAll(async () => table.drop());

async function refusal(input: InitiateMessageInput): Promise<{ status: number; code: string; details: Record<string, unknown> }> {
  try {
    await initiateMessage(deps(), input, { agentId: "ann" });
  } catch (error) {
    if (!(error instanceof ServiceError)) throw error;
    return { status: statusOf(error), code: error.code, details: error.details ?? {} };
  }
  throw new Error("the send was not refused");
}

describe("the send window on an agent's send", () => {
  it("a 3 a.m. send is refused 409 OUTSIDE_SEND_WINDOW with the next 08:00 in the consumer's zone, and nothing is written", async () => {
    now = new Date("2026-07-15T07:00:00Z"); // 03:00 in New York (EDT)
    const before = await table.scanAll();
    expect(await refusal({ consumerId: "ny", to: NEW_YORKER, from: FROM, message: "Your parcel ships today" })).toEqual({
      status: 409,
      code: "OUTSIDE_SEND_WINDOW",
      details: { nextAllowedAt: "2026-07-15T08:00:00-04:00", timeZone: "America/New_York", timeZoneSource: "consumer" },
    });
    expect(await table.scanAll()).toEqual(before);
  });

  it("the refusal offers scheduleIfOutsideWindow; on the local server it also names SEND_WINDOW, unless the window is a provider's own", async () => {
    now = new Date("2026-07-15T07:00:00Z"); // 03:00 in New York
    // As a handler builds them, from its environment: the local server's sets LOCAL_SERVER.
    const handlerDeps = (env: Record<string, string>) => ({
      ...createAdapters(readConfig({ TABLE_NAME: table.tableName, DYNAMODB_ENDPOINT: table.endpoint, SEND_WINDOW: "08:00-21:00", ...env })),
      extension: defaultComposeExtension,
      clock,
    });
    const send = { consumerId: "ny", to: NEW_YORKER, from: FROM, message: "Your parcel ships today" };
    const refused =
      "+12125550101 may only be sent to between 08:00 and 21:00 in America/New_York; nothing was sent. " +
      "Send again from 2026-07-15T08:00:00-04:00, or now with scheduleIfOutsideWindow: true to have it sent when the window opens";
    await expect(initiateMessage(handlerDeps({}), send, { agentId: "ann" })).rejects.toMatchObject({
      code: "OUTSIDE_SEND_WINDOW",
      message: refused,
    });
    const local = handlerDeps({ LOCAL_SERVER: "true" });
    await expect(initiateMessage(local, send, { agentId: "ann" })).rejects.toMatchObject({
      code: "OUTSIDE_SEND_WINDOW",
      message: refused + ". This local server's window is set with SEND_WINDOW, e.g. SEND_WINDOW=00:00-24:00 npm start",
    });
    // The lunch line's own 12:00-13:00: SEND_WINDOW would not change it.
    await expect(initiateMessage(local, { ...send, from: NARROW }, { agentId: "ann" })).rejects.toMatchObject({
      message:
        "+12125550101 may only be sent to between 12:00 and 13:00 in America/New_York; nothing was sent. " +
        "Send again from 2026-07-15T12:00:00-04:00, or now with scheduleIfOutsideWindow: true to have it sent when the window opens",
    });
  });

  it("the dry run and compose options say so before the agent writes; at 08:00 the same send goes", async () => {
    now = new Date("2026-07-15T07:00:00Z");
    const dry = await initiateMessage(
      deps(),
      { consumerId: "ny", to: NEW_YORKER, from: FROM, message: "Hi", dryRun: true },
      { agentId: "ann" },
    );
    expect(dry).toMatchObject({
      dryRun: true,
      sendWindow: { open: false, timeZone: "America/New_York", nextAllowedAt: "2026-07-15T08:00:00-04:00" },
    });
    const options = await composeOptions(deps(), { consumerId: "ny" });
    expect(options.sendWindow).toEqual({
      open: false,
      timeZone: "America/New_York",
      timeZoneSource: "consumer",
      nextAllowedAt: "2026-07-15T08:00:00-04:00",
    });

    now = new Date("2026-07-15T12:00:00Z"); // 08:00 EDT
    expect((await composeOptions(deps(), { consumerId: "ny" })).sendWindow).toEqual({
      open: true,
      timeZone: "America/New_York",
      timeZoneSource: "consumer",
    });
    const sent = await initiateMessage(
      deps(),
      { consumerId: "ny", to: NEW_YORKER, from: FROM, message: "Good morning" },
      { agentId: "ann" },
    );
    expect(sent).toMatchObject({ outcome: "created", message: { status: "queued" } });
  });

  it("without a consumer zone, a US number of no place (toll-free) waits for the most restrictive zone: 08:00 in Honolulu", async () => {
    now = new Date("2026-07-15T15:00:00Z"); // 11:00 in New York, 05:00 in Honolulu
    expect(await refusal({ consumerId: "us", to: TOLL_FREE, from: FROM, message: "Hello" })).toMatchObject({
      details: { nextAllowedAt: "2026-07-15T08:00:00-10:00", timeZone: "Pacific/Honolulu" },
    });
  });

  it("without a consumer zone, a 415 number is read in San Francisco: refused at 07:59 there, sent from 08:00 (the dry run says so)", async () => {
    now = new Date("2026-07-15T14:59:00Z"); // 07:59 in San Francisco (PDT), 04:59 in Honolulu
    expect(await refusal({ consumerId: "us", to: SOMEWHERE_IN_US, from: FROM, message: "Morning" })).toMatchObject({
      details: { nextAllowedAt: "2026-07-15T08:00:00-07:00", timeZone: "America/Los_Angeles" },
    });
    now = new Date("2026-07-15T15:00:00Z");
    const dry = await initiateMessage(
      deps(),
      { consumerId: "us", to: SOMEWHERE_IN_US, from: FROM, message: "Morning", dryRun: true },
      { agentId: "ann" },
    );
    expect(dry).toMatchObject({ sendWindow: { open: true, timeZone: "America/Los_Angeles", timeZoneSource: "number_prefix" } });
    const sent = await initiateMessage(
      deps(),
      { consumerId: "us", to: SOMEWHERE_IN_US, from: FROM, message: "Morning" },
      { agentId: "ann" },
    );
    expect(sent).toMatchObject({ outcome: "created", message: { status: "queued" } });
  });

  it("without a consumer zone, compose options reads a 415 number in San Francisco, where its area code is", async () => {
    now = new Date("2026-07-15T15:00:00Z"); // 08:00 in San Francisco (PDT), 05:00 in Honolulu
    expect((await composeOptions(deps(), { consumerId: "us" })).sendWindow).toEqual({
      open: true,
      timeZone: "America/Los_Angeles",
      timeZoneSource: "number_prefix",
    });
    now = new Date("2026-07-15T14:59:00Z");
    expect((await composeOptions(deps(), { consumerId: "us" })).sendWindow).toEqual({
      open: false,
      timeZone: "America/Los_Angeles",
      timeZoneSource: "number_prefix",
      nextAllowedAt: "2026-07-15T08:00:00-07:00",
    });
  });

  it("a provider's own window replaces the service's, and removing it brings the service's back", async () => {
    now = new Date("2026-07-16T14:00:00Z"); // 10:00 in New York: inside 08:00-21:00, outside the line's 12:00-13:00
    expect(await refusal({ consumerId: "ny", to: NEW_YORKER, from: NARROW, message: "Lunch menu" })).toMatchObject({
      details: { nextAllowedAt: "2026-07-16T12:00:00-04:00" },
    });
    const [narrow] = (await adapters.providers.list()).filter((provider) => provider.number === NARROW);
    await updateProvider(adapters, narrow!.id, { sendWindow: null });
    const sent = await initiateMessage(
      deps(),
      { consumerId: "ny", to: NEW_YORKER, from: NARROW, message: "Lunch menu" },
      { agentId: "ann" },
    );
    expect(sent).toMatchObject({ outcome: "created" });
  });
});

describe("the reply grace", () => {
  const reply = (id: string) =>
    receiveInboundSms(
      { ...adapters, clock, helpText: "help" },
      { originationNumber: NEW_YORKER, destinationNumber: FROM, messageBody: "Are you still there?", inboundMessageId: id },
    );

  it("59 minutes after the customer's last message an agent may answer at night; 61 minutes after, not", async () => {
    now = new Date("2026-07-17T02:30:00Z"); // 22:30 in New York, the window closed
    await reply("grace-1");

    now = new Date("2026-07-17T03:29:00Z"); // 59 minutes later, 23:29
    const options = await composeOptions(deps(), { consumerId: "ny" });
    expect(options.sendWindow).toMatchObject({ open: false, replyGraceUntil: "2026-07-17T03:30:00.000Z" });
    const answered = await initiateMessage(
      deps(),
      { consumerId: "ny", to: NEW_YORKER, from: FROM, message: "Yes, still here" },
      { agentId: "ann" },
    );
    expect(answered).toMatchObject({ message: { status: "queued" } });

    now = new Date("2026-07-17T03:31:00Z"); // 61 minutes after the customer wrote (an agent's message does not extend it)
    expect(await refusal({ consumerId: "ny", to: NEW_YORKER, from: FROM, message: "One more thing" })).toMatchObject({
      code: "OUTSIDE_SEND_WINDOW",
      details: { nextAllowedAt: "2026-07-17T08:00:00-04:00" },
    });
  });

  it("the grace is per conversation key: a reply to one send-from number does not open another", async () => {
    now = new Date("2026-07-18T02:30:00Z");
    await reply("grace-2");
    now = new Date("2026-07-18T02:40:00Z");
    const [narrow] = (await adapters.providers.list()).filter((provider) => provider.number === NARROW);
    expect(narrow?.sendWindow).toBeUndefined();
    expect(await refusal({ consumerId: "ny", to: NEW_YORKER, from: NARROW, message: "From the other line" })).toMatchObject({
      code: "OUTSIDE_SEND_WINDOW",
    });
  });

  it("an opted-out customer is told so at night too: the refusal for good comes before the window's", async () => {
    now = new Date("2026-07-20T02:00:00Z");
    await receiveInboundSms(
      { ...adapters, clock, helpText: "help" },
      { originationNumber: SOMEWHERE_IN_US, destinationNumber: FROM, messageBody: "STOP", inboundMessageId: "stop-1" },
    );
    now = new Date("2026-07-20T06:00:00Z"); // four hours later: no grace, the window closed everywhere in the US
    expect(await refusal({ consumerId: "us", to: SOMEWHERE_IN_US, from: FROM, message: "Hello?" })).toMatchObject({
      code: "RECIPIENT_OPTED_OUT",
    });
  });
});
