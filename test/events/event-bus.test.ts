import { EventBridgeClient, PutEventsCommand } from "@aws-sdk/client-eventbridge";
import { marshall } from "@aws-sdk/util-dynamodb";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { EventBridgeBus, eventSource } from "../../shared/adapters/events/eventbridge-bus";
import type { ServiceEvent } from "../../shared/core/model/service-event";
import { PublishFailed, publishEvents } from "../../shared/use-cases/publish-events";
import { admin, createHarness } from "../support/handler-harness";
import { RecordingMetrics } from "../support/in-memory-ports";

/**
 * The EventBridge side: the adapter through the real SDK client (aws-sdk-client-mock, the exact
 * PutEvents input asserted), the publishing rules (batches, throttled entries, refusals), and the
 * publisher fed by the table's stream end to end on the local bus.
 */
const eventBridge = mockClient(EventBridgeClient);
const bus = new EventBridgeBus(new EventBridgeClient({ region: "eu-west-1" }), "desk-bus");
const noWait = { sleep: async () => undefined, metrics: new RecordingMetrics() };

const event = (k: number): ServiceEvent => ({
  id: `evt_${k}`,
  type: "message.created",
  occurredAt: new Date(Date.UTC(2026, 11, 1, 10, 0, k)).toISOString(),
  interactionId: "int_1",
  sequence: 1000 + k,
  actor: { type: "customer" },
  data: { message: { id: `msg_${k}`, direction: "inbound" } },
});

beforeEach(() => eventBridge.reset());

describe("EventBridgeBus", () => {
  it("puts each event with source agent-initiated-sms, its type as detail-type, the envelope as detail", async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: "1" }] });
    expect(await bus.put([event(1)])).toEqual([]);
    expect(eventBridge.commandCalls(PutEventsCommand)[0]!.args[0].input).toEqual({
      Entries: [
        {
          EventBusName: "desk-bus",
          Source: "agent-initiated-sms",
          DetailType: "message.created",
          Detail: JSON.stringify(event(1)),
          Time: new Date(event(1).occurredAt),
        },
      ],
    });
    expect(eventSource).toBe("agent-initiated-sms");
  });

  it("answers the refused entries with their codes, throttling as retryable", async () => {
    eventBridge.on(PutEventsCommand).resolves({
      FailedEntryCount: 2,
      Entries: [{ EventId: "1" }, { ErrorCode: "ThrottlingException" }, { ErrorCode: "MalformedDetail" }],
    });
    const refused = await bus.put([event(1), event(2), event(3)]);
    expect(refused).toEqual([
      { event: event(2), code: "ThrottlingException", retryable: true },
      { event: event(3), code: "MalformedDetail", retryable: false },
    ]);
  });
});

describe("publishEvents", () => {
  it("batches by 10, in order", async () => {
    eventBridge
      .on(PutEventsCommand)
      .callsFake(async (input: { Entries: unknown[] }) => ({ FailedEntryCount: 0, Entries: input.Entries.map(() => ({})) }));
    expect(
      await publishEvents(
        { bus, ...noWait },
        Array.from({ length: 25 }, (_, k) => event(k)),
      ),
    ).toBe(25);
    const calls = eventBridge
      .commandCalls(PutEventsCommand)
      .map((call) => call.args[0].input.Entries!.map((entry) => JSON.parse(entry.Detail!).id));
    expect(calls.map((ids) => ids.length)).toEqual([10, 10, 5]);
    expect(calls.flat()).toEqual(Array.from({ length: 25 }, (_, k) => `evt_${k}`));
  });

  it("puts a throttled entry again, and only it, after a backoff", async () => {
    const waits: number[] = [];
    eventBridge
      .on(PutEventsCommand)
      .resolvesOnce({ FailedEntryCount: 1, Entries: [{}, { ErrorCode: "ThrottlingException" }, {}] })
      .resolves({ FailedEntryCount: 0, Entries: [{}] });
    const metrics = new RecordingMetrics();
    expect(await publishEvents({ bus, metrics, sleep: async (ms) => void waits.push(ms) }, [event(1), event(2), event(3)])).toBe(3);
    const second = eventBridge.commandCalls(PutEventsCommand)[1]!.args[0].input.Entries!;
    expect(second.map((entry) => JSON.parse(entry.Detail!).id)).toEqual(["evt_2"]);
    expect(waits).toEqual([100]);
    // Counted once each, when the bus took it: the throttled one after its second put.
    expect(metrics.counted).toEqual([{ name: "InboundSms" }, { name: "InboundSms" }, { name: "InboundSms" }]);
  });

  it("gives up on a refusal that will not pass (or throttling that never ends): PublishFailed names the event", async () => {
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "AccessDeniedException" }] });
    await expect(publishEvents({ bus, ...noWait }, [event(7)])).rejects.toEqual(new PublishFailed(event(7), "AccessDeniedException"));
    eventBridge.reset();
    eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [{ ErrorCode: "ThrottlingException" }] });
    await expect(publishEvents({ bus, ...noWait }, [event(8)])).rejects.toBeInstanceOf(PublishFailed);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(5);
  });
});

describe("the publisher, fed by the table's stream", () => {
  let h: Awaited<ReturnType<typeof createHarness>>;
  beforeAll(async () => {
    eventBridge.restore();
    h = await createHarness("event-bus");
    await h.call("createProvider", { as: admin, body: { number: "+14155550100", name: "Support" } });
    await h.call("createConsumer", { as: admin, body: { id: "c-1", name: "C", phoneNumbers: ["+14155550171"] } });
  });
  afterAll(async () => h.table.drop());

  it("puts every event the transactions wrote, once per stream record; a redelivered batch puts them again (same ids)", async () => {
    const sent = await h.call("initiateMessage", { body: { consumerId: "c-1", to: "+14155550171", message: "hello" } });
    expect(sent.status).toBe(201);
    const stored = (await h.table.scanAll()).filter((item) => item.itemType === "event");
    const put = await h.eventBus.list();
    expect(put.map((entry) => JSON.parse(entry.Detail).id).sort()).toEqual(stored.map((item) => item.id).sort());
    expect(put.filter((entry) => entry.DetailType !== "message.status_changed").map((entry) => [entry.Source, entry.DetailType])).toEqual([
      ["agent-initiated-sms", "interaction.created"],
      ["agent-initiated-sms", "participant.joined"],
      ["agent-initiated-sms", "message.created"],
    ]);
    expect(JSON.parse(put.find((entry) => entry.DetailType === "message.created")!.Detail)).toMatchObject({
      type: "message.created",
      interactionId: sent.body.interaction.id,
      actor: { type: "agent" },
    });

    // Lambda hands a batch over again (a retry): the same events again, deduplicated by id downstream.
    const { handler } = (await import("../../functions/event-publisher/handler")) as {
      handler: (event: unknown, context: unknown) => Promise<{ batchItemFailures: unknown[] }>;
    };
    const records = stored.map((item, k) => ({
      eventName: "INSERT",
      dynamodb: { NewImage: marshall(item, { removeUndefinedValues: true }), SequenceNumber: String(k) },
    }));
    expect(await handler({ Records: records }, {})).toEqual({ batchItemFailures: [] });
    const again = await h.eventBus.list();
    expect(again).toHaveLength(put.length * 2);
    expect(new Set(again.map((entry) => JSON.parse(entry.Detail).id)).size).toBe(put.length);
  });
});
