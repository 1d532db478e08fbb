import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { queuedOutboundFilter } from "../../shared/adapters/dynamo/stream-records";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { statusOf } from "../../shared/adapters/http/error-status";
import type { ServiceError } from "../../shared/core/errors";
import type { StoredMessage } from "../../shared/core/model/message";
import type { Clock } from "../../shared/core/ports/clock-and-ids";
import type { OutboundQueue } from "../../shared/core/ports/outbound-queue";
import { SmsSendError, type OutboundSms, type SmsTransport } from "../../shared/core/ports/sms-transport";
import { createAdapters } from "../../shared/platform/composition-root";
import { createConsumer } from "../../shared/use-cases/create-consumer";
import { createProvider } from "../../shared/use-cases/create-provider";
import { defaultHandOverSettings, type HandOverOutcome } from "../../shared/use-cases/hand-over-queued-sms";
import { initiateMessage } from "../../shared/use-cases/initiate-message";
import { receiveInboundSms } from "../../shared/use-cases/receive-inbound-sms";
import { keywordReplies } from "../../shared/core/rules/sms-keywords";
import { items } from "../../shared/adapters/dynamo/items";
import { retryMessage } from "../../shared/use-cases/retry-message";
import { defaultSweepSettings, staleAfterFor, sweepOutboundQueue } from "../../shared/use-cases/sweep-outbound-queue";
import { handStreamBatch, type StreamBatchDeps } from "../../functions/sms-sender/stream-batch";
import { createStreamPoller, type StreamPoller } from "../../local/stream-poller";
import { invariantViolations } from "../support/table-invariants";
import { createTestTable, type TestTable } from "../support/test-table";

/**
 * The SMS pipeline against DynamoDB Local, fed by the table's real change stream (read as the
 * local server reads it): the sender's batch step with transports and crashes injected through
 * the ports, and the sweep with its clock moved on. Each test counts what the transport was handed
 * per message: lost = a message not ended `sent` or `failed` with a code; doubled = handed twice.
 */
let table: TestTable;
let adapters: ReturnType<typeof createAdapters>;
let poller: StreamPoller;
let dynamo: DynamoDBClient;
const FROM = "+14155550100";
/** A 10DLC-like number: one message part per second. */
const PACED = "+14155550300";
/** Messages valid one minute. */
const SHORT_LIVED = "+14155550400";
const CUSTOMERS = 45;
const customer = (i: number) => `+1415555${String(1000 + i).padStart(4, "0")}`;

/** A transport whose behaviour the test sets; it remembers every hand-over, with when it happened. */
class ScriptedTransport implements SmsTransport {
  readonly name = "scripted";
  readonly handed: (OutboundSms & { at: number })[] = [];
  constructor(private readonly answer: (sms: OutboundSms) => Promise<void> = async () => undefined) {}
  async send(sms: OutboundSms) {
    this.handed.push({ ...sms, at: Date.now() });
    await this.answer(sms);
    return { providerMessageId: `scripted-${sms.messageId}` };
  }
  times(messageId: string): number {
    return this.handed.filter((sms) => sms.messageId === messageId).length;
  }
}

/** What the stream's batches are handed to: set per test (a crash, another transport). */
let onBatch: (event: DynamoDBStreamEvent) => Promise<unknown>;
const outcomes: HandOverOutcome[] = [];

function senderDeps(overrides: Partial<StreamBatchDeps> = {}): StreamBatchDeps {
  return {
    queue: adapters.queue,
    pacer: adapters.pacer,
    providers: adapters.providers,
    transport: new ScriptedTransport(),
    clock: { now: () => new Date() },
    ids: adapters.ids,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    ...overrides,
  };
}

/** The sender as the handler runs it, with these deps and a 20 s deadline. */
function sender(deps: StreamBatchDeps, deadlineMs = 20_000) {
  return (event: DynamoDBStreamEvent) =>
    handStreamBatch(deps, event, new Date(deps.clock.now().getTime() + deadlineMs), defaultHandOverSettings, (_id, outcome, error) => {
      if (outcome === "error") throw error;
      outcomes.push(outcome);
    });
}

beforeAll(async () => {
  table = await createTestTable("pipeline");
  adapters = createAdapters({ tableName: table.tableName, dynamoDbEndpoint: table.endpoint, defaultCountry: "US" });
  dynamo = new DynamoDBClient({
    endpoint: table.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  poller = createStreamPoller({
    dynamo,
    endpoint: table.endpoint,
    tableName: table.tableName,
    startAt: "TRIM_HORIZON",
    // One attempt: a batch that fails is given up on, as after Lambda's retries (the sweep finds it).
    retryAttempts: 1,
    // One record per batch, so a crash hits each message, not only the first of a batch.
    batchSize: 1,
    logError: () => undefined,
    consumers: [{ id: "sms-sender", filter: queuedOutboundFilter, invoke: (event) => onBatch(event) as never }],
  });
  await createProvider(adapters, { number: FROM, name: "Support" });
  await createProvider(adapters, { number: PACED, name: "10DLC", mps: 1 });
  await createProvider(adapters, { number: SHORT_LIVED, name: "Short-lived", validForSeconds: 60 });
  for (let i = 0; i < CUSTOMERS; i++) await createConsumer(adapters, { id: `c-${i}`, name: `Customer ${i}`, phoneNumbers: [customer(i)] });
});
afterAll(async () => {
  await poller.stop();
  dynamo.destroy();
  await table.drop();
});
beforeEach(async () => {
  // Whatever an earlier test left in the stream is read (and ignored) before this one starts.
  onBatch = async () => ({ batchItemFailures: [] });
  await poller.drain();
  outcomes.length = 0;
});

/** The stream's batches are kept here instead of handed over (a test hands them over itself). */
function setBatchesAside(): DynamoDBStreamEvent[] {
  const events: DynamoDBStreamEvent[] = [];
  onBatch = async (event) => {
    events.push(event);
    return { batchItemFailures: [] };
  };
  return events;
}

/** An agent's send: written queued, answered at once. */
async function send(i: number, message: string, from = FROM): Promise<StoredMessage> {
  const answer = await initiateMessage(
    { ...adapters, extension: defaultComposeExtension },
    { consumerId: `c-${i}`, to: customer(i), from, message },
    { agentId: "agent-al" },
  );
  if ("dryRun" in answer) throw new Error("dry run");
  expect(answer.message.status).toBe("queued");
  return answer.message;
}

async function stored(message: StoredMessage): Promise<StoredMessage> {
  return (await adapters.messages.get({ interactionId: message.interactionId, createdAt: message.createdAt, messageId: message.id }))!;
}

/** Lost and doubled, as the issue counts them, over these messages and this transport. */
async function tally(messages: StoredMessage[], transport: ScriptedTransport) {
  const now = await Promise.all(messages.map(stored));
  return {
    lost: now.filter((m) => !(m.status === "sent" || (m.status === "failed" && m.errorCode))).length,
    doubled: messages.filter((m) => transport.times(m.id) > 1).length,
    statuses: now.map((m) => `${m.status}${m.errorCode ? ` ${m.errorCode}` : ""}`),
  };
}

/** Customer i writes to the support number (a STOP, a START ...), as an inbound SMS. */
const customerWrites = (i: number, body: string, inboundMessageId: string) =>
  receiveInboundSms(
    { ...adapters, clock: { now: () => new Date() }, helpText: "help" },
    { originationNumber: customer(i), destinationNumber: FROM, messageBody: body, inboundMessageId },
  );

const later = (ms: number): Clock => ({ now: () => new Date(Date.now() + ms) });
const sweep = (clock: Clock) =>
  sweepOutboundQueue({ queue: adapters.queue, providers: adapters.providers, interactions: adapters.interactions, clock });
const batchOf = (n: number) => Array.from({ length: n }, (_, k) => k);

describe("the hand-over", () => {
  it("hands a queued message over once and records sent with the provider's id", async () => {
    const transport = new ScriptedTransport();
    onBatch = sender(senderDeps({ transport }));
    const message = await send(0, "hello");
    await poller.drain();
    expect(await stored(message)).toMatchObject({
      status: "sent",
      providerMessageId: `scripted-${message.id}`,
      sentAt: expect.any(String),
    });
    const after = await stored(message);
    expect(after.claim).toBeUndefined();
    expect(transport.times(message.id)).toBe(1);
    expect(await invariantViolations(table)).toEqual([]);
  });

  it.each([
    ["times out", new SmsSendError("TRANSPORT_TIMEOUT", "no answer in time", { retryable: true }), "TRANSPORT_TIMEOUT"],
    ["throws something unexpected", new Error("socket hang up"), "TRANSPORT_ERROR"],
  ])("a transport that %s: the message ends failed with the code, never sent, the conversation stands", async (_how, error, code) => {
    const transport = new ScriptedTransport(async () => {
      throw error;
    });
    onBatch = sender(senderDeps({ transport }));
    const message = await send(1, `failing ${code}`);
    await poller.drain();
    expect(await stored(message)).toMatchObject({ status: "failed", errorCode: code });
    expect(transport.times(message.id)).toBe(1);
    expect((await adapters.interactions.get(message.interactionId))?.active).toBe(true);
  });

  it("the carrier's opt-out: failed RECIPIENT_OPTED_OUT, the opt-out recorded with it, the next send 409 before anything is written", async () => {
    const transport = new ScriptedTransport(async () => {
      throw new SmsSendError("RECIPIENT_OPTED_OUT", "opted out at the carrier");
    });
    onBatch = sender(senderDeps({ transport }));
    const message = await send(2, "to an opted-out phone");
    await poller.drain();
    expect(await stored(message)).toMatchObject({ status: "failed", errorCode: "RECIPIENT_OPTED_OUT" });
    const items = await table.scanAll();
    expect(items.filter((i) => i.itemType === "optOut" && i.customerNumber === customer(2))).toEqual([
      expect.objectContaining({ providerNumber: FROM, keyword: "carrier" }),
    ]);
    // And the consent ledger holds the carrier's answer as an entry.
    expect((await adapters.consents.read(customer(2))).entries).toEqual([
      expect.objectContaining({
        phoneNumber: customer(2),
        providerNumber: FROM,
        state: "opted_out",
        source: "carrier",
        messageId: message.id,
      }),
    ]);
    const refusal = await send(2, "again").catch((error: ServiceError) => error);
    expect(refusal).toMatchObject({ code: "RECIPIENT_OPTED_OUT" });
    expect(statusOf(refusal as unknown as ServiceError)).toBe(409);
    expect(await table.scanAll()).toEqual(items);
  });

  it("a STOP that lands while a message waits for the sender: the claim meets it, failed RECIPIENT_OPTED_OUT, never handed over; the STOP's confirmation goes", async () => {
    const events = setBatchesAside();
    const message = await send(40, "accepted before the STOP");
    const stop = await customerWrites(40, "STOP", "pipeline-stop-40");
    await poller.drain();
    const records = events.flatMap((event) => event.Records);
    const transport = new ScriptedTransport();
    const hand = () => sender(senderDeps({ transport }))({ Records: records });
    expect(await hand()).toEqual({ batchItemFailures: [] });
    expect(await stored(message)).toMatchObject({ status: "failed", errorCode: "RECIPIENT_OPTED_OUT", failedAt: expect.any(String) });
    expect(await stored(message)).not.toHaveProperty("claim");
    expect(transport.times(message.id)).toBe(0);
    // The confirmation, on the same conversation key after it, is exempt: it goes once.
    expect(transport.handed).toEqual([expect.objectContaining({ to: customer(40), body: keywordReplies.stop })]);
    expect("autoReplyMessageId" in stop && transport.handed[0]!.messageId).toBe("autoReplyMessageId" in stop && stop.autoReplyMessageId);
    expect(outcomes).toEqual(["opted_out", "sent"]);
    // The same records again (a redelivered batch, images still queued): each claim is refused, nothing more goes.
    outcomes.length = 0;
    await hand();
    expect(transport.handed).toHaveLength(1);
    expect(outcomes).toEqual(["claimed_elsewhere", "claimed_elsewhere"]);
    expect(await invariantViolations(table)).toEqual([]);
  });

  it("STOP, START and STOP again before the answers go: both STOPs are confirmed, the START's answer is not sent", async () => {
    const events = setBatchesAside();
    await customerWrites(42, "STOP", "pipeline-42-1");
    await customerWrites(42, "START", "pipeline-42-2");
    await customerWrites(42, "STOP", "pipeline-42-3");
    await poller.drain();
    const transport = new ScriptedTransport();
    await sender(senderDeps({ transport }))({ Records: events.flatMap((event) => event.Records) });
    expect(transport.handed.map((sms) => sms.body)).toEqual([keywordReplies.stop, keywordReplies.stop]);
    expect(outcomes).toEqual(["sent", "opted_out", "sent"]);
  });

  it("a STOP's confirmation that failed can be retried by an agent although the customer opted out: it goes once", async () => {
    const failing = new ScriptedTransport(async () => {
      throw new SmsSendError("TRANSPORT_TIMEOUT", "no answer in time", { retryable: true });
    });
    onBatch = sender(senderDeps({ transport: failing }));
    const stop = await customerWrites(43, "STOP", "pipeline-stop-43");
    await poller.drain();
    const interactionId = "interactionId" in stop ? stop.interactionId : "";
    const messageId = "autoReplyMessageId" in stop ? stop.autoReplyMessageId! : "";
    expect(failing.handed.map((sms) => sms.messageId)).toEqual([messageId]);
    const working = new ScriptedTransport();
    onBatch = sender(senderDeps({ transport: working }));
    const retried = await retryMessage(adapters, { interactionId, messageId }, { agentId: "agent-al" });
    expect(retried.message).toMatchObject({ status: "queued", attempts: 2, answersKeyword: "stop" });
    await poller.drain();
    expect(working.handed).toEqual([expect.objectContaining({ messageId, body: keywordReplies.stop })]);
  });

  it("a sender late with a stale image never ends the attempt an agent's retry made since", async () => {
    const failing = new ScriptedTransport(async () => {
      throw new SmsSendError("TRANSPORT_TIMEOUT", "no answer in time", { retryable: true });
    });
    onBatch = sender(senderDeps({ transport: failing }));
    const first = await send(44, "first attempt");
    await poller.drain();
    const aside = setBatchesAside();
    const retried = await retryMessage(adapters, { interactionId: first.interactionId, messageId: first.id }, { agentId: "agent-al" });
    // The first attempt's image (queued, no retriedAt), as a redelivered record would carry it.
    expect(await adapters.queue.endQueued(first, "RECIPIENT_OPTED_OUT", new Date().toISOString())).toMatchObject({ done: false });
    expect(await stored(first)).toMatchObject({ status: "queued", attempts: 2, retriedAt: retried.message.retriedAt });
    expect(await stored(first)).not.toHaveProperty("errorCode");
    // The retried attempt goes as usual.
    await poller.drain();
    const working = new ScriptedTransport();
    await sender(senderDeps({ transport: working }))({ Records: aside.flatMap((event) => event.Records) });
    expect(await stored(first)).toMatchObject({ status: "sent", attempts: 2 });
    expect(working.times(first.id)).toBe(1);
  });

  it("an opt-out of every send-from number (`*`, recorded by a person) lands before the claim: the same", async () => {
    const events = setBatchesAside();
    const message = await send(41, "accepted before the opt-out");
    await poller.drain();
    await table.documentClient.send(
      new PutCommand({ TableName: table.tableName, Item: items.optOut(customer(41), "*", new Date().toISOString(), "agent") }),
    );
    const transport = new ScriptedTransport();
    await sender(senderDeps({ transport }))({ Records: events.flatMap((event) => event.Records) });
    expect(await stored(message)).toMatchObject({ status: "failed", errorCode: "RECIPIENT_OPTED_OUT" });
    expect(transport.handed).toEqual([]);
    expect(outcomes).toEqual(["opted_out"]);
  });

  it("ignores records it has no business with: other items, inbound and sent messages, removals", async () => {
    const transport = new ScriptedTransport();
    // Images only: nothing of this is in the table.
    const message = {
      id: "msg_elsewhere",
      interactionId: "int_elsewhere",
      direction: "outbound",
      body: "x",
      from: FROM,
      to: customer(3),
      createdAt: new Date().toISOString(),
    };
    const image = (item: Record<string, unknown>) => marshall(item, { removeUndefinedValues: true }) as never;
    const record = (eventName: "INSERT" | "MODIFY" | "REMOVE", item: Record<string, unknown>, sequence: string) => ({
      eventName,
      eventSource: "aws:dynamodb",
      dynamodb: { ...(eventName === "REMOVE" ? { OldImage: image(item) } : { NewImage: image(item) }), SequenceNumber: sequence },
    });
    const event = {
      Records: [
        record("INSERT", { itemType: "interaction", id: message.interactionId, status: "queued" }, "1"),
        record("INSERT", { itemType: "message", ...message, direction: "inbound", status: "received" }, "2"),
        record("MODIFY", { itemType: "message", ...message, status: "sent" }, "3"),
        record("REMOVE", { itemType: "message", ...message }, "4"),
      ],
    } as unknown as DynamoDBStreamEvent;
    expect(await sender(senderDeps({ transport }))(event)).toEqual({ batchItemFailures: [] });
    expect(transport.handed).toHaveLength(0);
    expect(outcomes).toEqual([]);
  });
});

describe("crash safety: the process dies between two steps, the sweep finishes the work", () => {
  const N = 8;

  it("between commit and claim (the stream record is lost): the sweep dispatches again, every message sent once", async () => {
    onBatch = async () => {
      throw new Error("the sender's container died");
    };
    const messages = await Promise.all(batchOf(N).map((k) => send(4 + k, `crash-1 ${k}`)));
    await poller.drain();
    expect((await Promise.all(messages.map(stored))).map((m) => m.status)).toEqual(messages.map(() => "queued"));

    const transport = new ScriptedTransport();
    onBatch = sender(senderDeps({ transport }));
    // Not yet stale: nothing is dispatched again.
    expect(await sweep(later(0))).toEqual({ redispatched: 0, expired: 0, lapsed: 0, promoted: 0, optedOut: 0, numberMoved: 0 });
    expect(await sweep(later(31_000))).toEqual({ redispatched: N, expired: 0, lapsed: 0, promoted: 0, optedOut: 0, numberMoved: 0 });
    await poller.drain();
    const figures = await tally(messages, transport);
    console.log(`[crash commit→claim] ${N} messages: lost ${figures.lost}, doubled ${figures.doubled}: ${figures.statuses.join(", ")}`);
    expect(figures).toMatchObject({ lost: 0, doubled: 0 });
    expect(figures.statuses).toEqual(messages.map(() => "sent"));
    expect(transport.handed).toHaveLength(N);
  });

  it("a message the sweep already dispatched again waits twice as long before the next time (a slow pipeline is not flooded)", async () => {
    onBatch = async () => {
      throw new Error("the sender is down");
    };
    const messages = await Promise.all(batchOf(N).map((k) => send(4 + k, `sweep-backoff ${k}`)));
    await poller.drain();
    // One instant the sweeps count from (a clock read at each sweep would drift by however long
    // the machine took between them, and the margins here are a second).
    const base = Date.now();
    const at = (ms: number): Clock => ({ now: () => new Date(base + ms) });
    // 30 s, then 60 s, then 120 s after the previous sweep touched them.
    expect(await sweep(at(31_000))).toMatchObject({ redispatched: N });
    expect(await sweep(at(31_000 + 59_000))).toMatchObject({ redispatched: 0 });
    expect(await sweep(at(31_000 + 61_000))).toMatchObject({ redispatched: N });
    expect(await sweep(at(92_000 + 119_000))).toMatchObject({ redispatched: 0 });
    expect(await sweep(at(92_000 + 121_000))).toMatchObject({ redispatched: N });
    expect((await Promise.all(messages.map(stored))).map((m) => m.sweeps)).toEqual(messages.map(() => 3));
    expect(staleAfterFor({ sweeps: 3 }, defaultSweepSettings)).toBe(240_000);
    expect(staleAfterFor({ sweeps: 40 }, defaultSweepSettings)).toBe(32 * 30_000);

    // The sender is back: the last redispatch hands each over, once.
    const transport = new ScriptedTransport();
    onBatch = sender(senderDeps({ transport }));
    await sweep(at(213_000 + 241_000));
    await poller.drain();
    const figures = await tally(messages, transport);
    expect(figures).toMatchObject({ lost: 0, doubled: 0 });
    expect(figures.statuses).toEqual(messages.map(() => "sent"));
  });

  it("between claim and transport: the lease runs out, the sweep ends them OUTCOME_UNKNOWN, never handed over; a retry sends once", async () => {
    const transport = new ScriptedTransport();
    const crashingQueue: OutboundQueue = Object.assign(Object.create(adapters.queue) as OutboundQueue, {
      claim: async (...args: Parameters<OutboundQueue["claim"]>) => {
        await adapters.queue.claim(...args);
        throw new Error("died right after the claim");
      },
    });
    onBatch = sender(senderDeps({ transport, queue: crashingQueue }));
    const messages = await Promise.all(batchOf(N).map((k) => send(12 + k, `crash-2 ${k}`)));
    await poller.drain();
    expect((await Promise.all(messages.map(stored))).map((m) => m.status)).toEqual(messages.map(() => "sending"));

    // The lease still runs: the sweep leaves the claims alone.
    expect(await sweep(later(60_000))).toEqual({ redispatched: 0, expired: 0, lapsed: 0, promoted: 0, optedOut: 0, numberMoved: 0 });
    expect(await sweep(later(defaultHandOverSettings.leaseMs + 1000))).toEqual({
      redispatched: 0,
      expired: 0,
      lapsed: N,
      promoted: 0,
      optedOut: 0,
      numberMoved: 0,
    });
    const figures = await tally(messages, transport);
    console.log(`[crash claim→transport] ${N} messages: lost ${figures.lost}, doubled ${figures.doubled}: ${figures.statuses.join(", ")}`);
    expect(figures).toMatchObject({ lost: 0, doubled: 0 });
    expect(figures.statuses).toEqual(messages.map(() => "failed OUTCOME_UNKNOWN"));
    expect(transport.handed).toHaveLength(0);

    const working = new ScriptedTransport();
    onBatch = sender(senderDeps({ transport: working }));
    const retried = await retryMessage(
      adapters,
      { interactionId: messages[0]!.interactionId, messageId: messages[0]!.id },
      { agentId: "agent-al" },
    );
    expect(retried.message).toMatchObject({ status: "queued", attempts: 2 });
    await poller.drain();
    expect(await stored(messages[0]!)).toMatchObject({ status: "sent", attempts: 2 });
    expect(working.handed).toHaveLength(1);
  });

  it("between transport and verdict: handed over once, ended OUTCOME_UNKNOWN by the sweep, never handed again", async () => {
    const transport = new ScriptedTransport();
    const crashingQueue: OutboundQueue = Object.assign(Object.create(adapters.queue) as OutboundQueue, {
      recordVerdict: async () => {
        throw new Error("died before writing the verdict");
      },
    });
    onBatch = sender(senderDeps({ transport, queue: crashingQueue }));
    const messages = await Promise.all(batchOf(N).map((k) => send(32 + k, `crash-3 ${k}`)));
    await poller.drain();
    // A working sender from here on: whatever it reads, the claim stops a second hand-over.
    onBatch = sender(senderDeps({ transport }));
    expect(await sweep(later(31_000))).toEqual({ redispatched: 0, expired: 0, lapsed: 0, promoted: 0, optedOut: 0, numberMoved: 0 });
    expect(await sweep(later(defaultHandOverSettings.leaseMs + 1000))).toMatchObject({ lapsed: N });
    await poller.drain();
    const figures = await tally(messages, transport);
    console.log(
      `[crash transport→verdict] ${N} messages: lost ${figures.lost}, doubled ${figures.doubled}: ${figures.statuses.join(", ")}`,
    );
    expect(figures).toMatchObject({ lost: 0, doubled: 0 });
    expect(figures.statuses).toEqual(messages.map(() => "failed OUTCOME_UNKNOWN"));
    expect(transport.handed).toHaveLength(N);
    expect(await invariantViolations(table)).toEqual([]);
  });
});

describe("once, whoever reads the record", () => {
  it("a redelivered batch and two senders on the same records: one hand-over per message", async () => {
    const events = setBatchesAside();
    const messages = await Promise.all([send(20, "twice read a"), send(21, "twice read b"), send(22, "twice read c")]);
    await poller.drain();
    expect(events.flatMap((event) => event.Records)).toHaveLength(3);

    const transport = new ScriptedTransport();
    const one = sender(senderDeps({ transport }));
    const two = sender(senderDeps({ transport }));
    await Promise.all(events.flatMap((event) => [one(event), two(event)]));
    // And the same batch once more, after the fact (Lambda retrying it).
    for (const event of events) await one(event);
    await poller.drain();
    for (const message of messages) expect(transport.times(message.id)).toBe(1);
    expect((await Promise.all(messages.map(stored))).map((m) => m.status)).toEqual(["sent", "sent", "sent"]);
    expect(outcomes.filter((outcome) => outcome === "sent")).toHaveLength(3);
    expect(
      outcomes.filter((outcome) => outcome !== "sent").every((outcome) => outcome === "claimed_elsewhere" || outcome === "not_queued"),
    ).toBe(true);
  });
});

describe("pacing, throttling, validity and order", () => {
  it("mps 1: six one-segment sends from one number are handed over at least a second apart, all sent", async () => {
    const transport = new ScriptedTransport();
    onBatch = sender(senderDeps({ transport }));
    const messages = await Promise.all(batchOf(6).map((k) => send(23 + k, `paced ${k}`, PACED)));
    await poller.drain();
    const times = transport.handed.map((sms) => sms.at);
    const gaps = times.slice(1).map((at, k) => at - times[k]!);
    console.log(`[pacing] mps 1, 6 sends: gaps between hand-overs ${gaps.join(", ")} ms`);
    expect(transport.handed).toHaveLength(6);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(995);
    expect((await Promise.all(messages.map(stored))).map((m) => m.status)).toEqual(messages.map(() => "sent"));
  });

  it("a throttling transport: put back with backoff, never failed for it, until validity runs out: VALIDITY_EXPIRED", async () => {
    // A fake clock that the sender's waits move on, so a minute of backoff takes no time.
    let offset = 0;
    const clock: Clock = { now: () => new Date(Date.now() + offset) };
    const transport = new ScriptedTransport(async () => {
      throw new SmsSendError("THROTTLED", "slow down", { retryable: true });
    });
    const seen: string[] = [];
    const deps = senderDeps({
      transport,
      clock,
      sleep: async (ms) => {
        offset += ms;
      },
    });
    const run = sender(deps, 3_600_000);
    onBatch = async (event) => {
      for (const record of event.Records) seen.push(String(record.dynamodb?.NewImage?.status?.S));
      return run(event);
    };
    const message = await send(29, "throttled all the way", SHORT_LIVED);
    await poller.drain();
    const final = await stored(message);
    console.log(
      `[throttling] ${transport.handed.length} hand-overs, backoff ${Math.round(offset / 1000)} s in all, ended ${final.status} ${final.errorCode}`,
    );
    expect(final).toMatchObject({ status: "failed", errorCode: "VALIDITY_EXPIRED" });
    expect(transport.handed.length).toBeGreaterThanOrEqual(5);
    expect(outcomes.filter((outcome) => outcome === "throttled")).toHaveLength(transport.handed.length);
    expect(outcomes.at(-1)).toBe("expired");
    // Every record the sender saw was the message back in the queue: never failed by a throttle.
    expect(new Set(seen)).toEqual(new Set(["queued"]));
  });

  it("keeps the order of a conversation key even when the records arrive in reverse", async () => {
    const events = setBatchesAside();
    const first = await send(30, "first");
    const second = await send(30, "second");
    const third = await send(30, "third");
    await poller.drain();
    const transport = new ScriptedTransport();
    onBatch = sender(senderDeps({ transport }));
    const records = events.flatMap((event) => event.Records).reverse();
    await onBatch({ Records: records });
    await poller.drain();
    expect(transport.handed.map((sms) => sms.body)).toEqual(["first", "second", "third"]);
    expect((await Promise.all([first, second, third].map(stored))).map((m) => m.status)).toEqual(["sent", "sent", "sent"]);
    expect(outcomes.slice(0, 3)).toEqual(["behind_earlier", "behind_earlier", "sent"]);
  });

  it("hands over different conversation keys of a batch at once, each key in order; a record that throws fails from its place on", async () => {
    const events = setBatchesAside();
    // Interleaved: key 31, key 32, key 31, key 32.
    const sent = [await send(31, "31 first"), await send(32, "32 first"), await send(31, "31 second"), await send(32, "32 second")];
    await poller.drain();
    const records = events.flatMap((event) => event.Records);
    expect(records).toHaveLength(4);

    // Each key's first SMS waits until the other key's is handed over too: only concurrent keys finish.
    let bothHanded: () => void = () => undefined;
    const handedTogether = new Promise<void>((resolve) => (bothHanded = resolve));
    const transport = new ScriptedTransport(async () => {
      if (transport.handed.length >= 2) bothHanded();
      await Promise.race([
        handedTogether,
        new Promise((_, reject) => setTimeout(() => reject(new Error("the other key was not handed over meanwhile")), 3_000)),
      ]);
    });
    expect(await sender(senderDeps({ transport }))({ Records: records })).toEqual({ batchItemFailures: [] });
    expect(
      transport.handed
        .slice(0, 2)
        .map((sms) => sms.body)
        .sort(),
    ).toEqual(["31 first", "32 first"]);
    expect(transport.handed.filter((sms) => sms.to === customer(31)).map((sms) => sms.body)).toEqual(["31 first", "31 second"]);
    expect(transport.handed.filter((sms) => sms.to === customer(32)).map((sms) => sms.body)).toEqual(["32 first", "32 second"]);
    expect((await Promise.all(sent.map(stored))).map((m) => m.status)).toEqual(["sent", "sent", "sent", "sent"]);
    await poller.drain();

    // Key 33's first record throws (the claim's write fails); key 34 goes on. Failures: from that record on.
    const moreEvents = setBatchesAside();
    const more = [await send(34, "34 first"), await send(33, "33 first"), await send(34, "34 second"), await send(33, "33 second")];
    await poller.drain();
    const next = moreEvents.flatMap((event) => event.Records);
    const failingQueue: OutboundQueue = Object.assign(Object.create(adapters.queue) as OutboundQueue, {
      claim: async (...args: Parameters<OutboundQueue["claim"]>) => {
        if (args[0].to === customer(33)) throw new Error("DynamoDB unreachable");
        return adapters.queue.claim(...args);
      },
    });
    const other = new ScriptedTransport();
    const answer = await handStreamBatch(
      senderDeps({ transport: other, queue: failingQueue }),
      { Records: next },
      new Date(Date.now() + 20_000),
      defaultHandOverSettings,
    );
    expect(answer.batchItemFailures).toEqual(next.slice(1).map((record) => ({ itemIdentifier: record.dynamodb!.SequenceNumber })));
    expect(other.handed.map((sms) => sms.body)).toEqual(["34 first", "34 second"]);
    expect((await Promise.all(more.map(stored))).map((m) => m.status)).toEqual(["sent", "queued", "sent", "queued"]);
  });

  it("the sweep ends a message that waited past its validity VALIDITY_EXPIRED", async () => {
    onBatch = async () => ({ batchItemFailures: [] });
    const message = await send(31, "never handed over", SHORT_LIVED);
    await poller.drain();
    expect(await sweep(later(61_000))).toMatchObject({ expired: 1 });
    expect(await stored(message)).toMatchObject({ status: "failed", errorCode: "VALIDITY_EXPIRED" });
  });
});
