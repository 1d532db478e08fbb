import { readFileSync, readdirSync } from "node:fs";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context, SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routes, type RouteKey } from "../../shared/adapters/http/routes";
import { functionTable } from "../../shared/platform/function-table";
import { createHarness, lambdaContext } from "../support/handler-harness";

/** The fixtures `sam local invoke -e events/<id>.json` uses, run through the real handlers. */
const fixture = (id: string) =>
  JSON.parse(readFileSync(new URL(`../../events/${id}.json`, import.meta.url), "utf8")) as APIGatewayProxyEventV2WithJWTAuthorizer;

// In the order a new desk would call them; fixtures naming ids no desk has (prv_example,
// int_example) answer 404, which is what they show.
const expected: [RouteKey, number][] = [
  ["createProvider", 201],
  ["createConsumer", 201],
  ["validatePhoneNumber", 200],
  ["getConsumer", 200],
  ["findConsumers", 200],
  ["listProviders", 200],
  ["composeOptions", 200],
  ["updateProvider", 404],
  ["validateProfile", 200],
  ["listProfiles", 200],
  ["createInteraction", 201],
  ["initiateMessage", 201],
  ["listInteractions", 200],
  ["getInteraction", 404],
  ["listMessages", 404],
  ["listInteractionEvents", 404],
  ["followEvents", 200],
  ["closeInteraction", 404],
  ["retryMessage", 404],
  ["recordConsent", 201],
  ["getConsents", 200],
  ["privacyExport", 200],
  ["requestErasure", 202],
  ["getErasure", 404],
];

let h: Awaited<ReturnType<typeof createHarness>>;
beforeAll(async () => {
  h = await createHarness("sam-events");
});
afterAll(async () => h.table.drop());

describe("events/ fixtures", () => {
  it("has one fixture per function of the functions table, shaped as its trigger delivers", () => {
    // sam-env.json is the --env-vars file, not an event (the stack test checks it).
    const files = readdirSync(new URL("../../events/", import.meta.url)).filter((f) => f.endsWith(".json") && f !== "sam-env.json");
    expect(files.sort()).toEqual(functionTable.map((fn) => `${fn.id}.json`).sort());
    for (const fn of functionTable) {
      const event = fixture(fn.id) as unknown as Record<string, unknown> & { Records?: { EventSource?: string }[] };
      switch (fn.trigger.kind) {
        case "http":
          expect(event.routeKey, fn.id).toBe(`${fn.trigger.route.method} ${fn.trigger.route.path}`);
          break;
        case "sns":
          expect(
            event.Records?.map((record) => record.EventSource),
            fn.id,
          ).toEqual(["aws:sns"]);
          break;
        case "schedule":
          expect(event["detail-type"], fn.id).toBe("Scheduled Event");
          break;
        case "stream":
          expect(
            event.Records?.map((record) => record.EventSource ?? (record as { eventSource?: string }).eventSource),
            fn.id,
          ).toEqual(["aws:dynamodb"]);
          break;
      }
    }
  });

  it.each(expected)("%s answers %i", async (key, status) => {
    const handler = await h.handlerFor(key);
    const result = await handler(fixture(routes[key].id), lambdaContext(routes[key].id));
    expect(result.statusCode, result.body).toBe(status);
    if (key === "validatePhoneNumber") expect(JSON.parse(result.body!)).toMatchObject({ valid: true, e164: "+14155550171" });
    if (key === "initiateMessage") expect(JSON.parse(result.body!)).toMatchObject({ outcome: "created", message: { status: "queued" } });
    if (key === "composeOptions") expect(JSON.parse(result.body!)).toMatchObject({ available: true, defaultSendTo: "+14155550171" });
  });

  it("inbound-sms (an SNS event) joins the conversation the agent started", async () => {
    const { handler } = (await import("../../functions/inbound-sms/handler")) as {
      handler: (e: SNSEvent, c: Context) => Promise<unknown[]>;
    };
    const results = await handler(
      JSON.parse(readFileSync(new URL("../../events/inbound-sms.json", import.meta.url), "utf8")) as SNSEvent,
      lambdaContext("inbound-sms"),
    );
    expect(results).toEqual([expect.objectContaining({ outcome: "joined" })]);
  });

  it("delivery-receipts (an SNS event) keeps a receipt for an unknown message aside", async () => {
    const { handler } = (await import("../../functions/delivery-receipts/handler")) as {
      handler: (e: SNSEvent, c: Context) => Promise<unknown[]>;
    };
    const results = await handler(
      JSON.parse(readFileSync(new URL("../../events/delivery-receipts.json", import.meta.url), "utf8")) as SNSEvent,
      lambdaContext("delivery-receipts"),
    );
    expect(results).toEqual([expect.objectContaining({ outcome: "kept_aside", reason: "unknown_message" })]);
  });

  it("idle-close (a scheduled event) sweeps and closes nothing that is not idle", async () => {
    const { handler } = (await import("../../functions/idle-close/handler")) as { handler: (e: unknown, c: Context) => Promise<unknown> };
    const result = await handler(
      JSON.parse(readFileSync(new URL("../../events/idle-close.json", import.meta.url), "utf8")),
      lambdaContext("idle-close"),
    );
    expect(result).toMatchObject({ closed: 0, skipped: 0 });
  });

  it("sms-sender (a DynamoDB stream event) hands over nothing for a message the table does not hold, and reports no failure", async () => {
    const { handler } = (await import("../../functions/sms-sender/handler")) as {
      handler: (e: unknown, c: Context) => Promise<{ batchItemFailures: unknown[] }>;
    };
    const before = (await h.outbox.list()).length;
    const result = await handler(
      JSON.parse(readFileSync(new URL("../../events/sms-sender.json", import.meta.url), "utf8")),
      lambdaContext("sms-sender"),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    expect((await h.outbox.list()).length).toBe(before);
  });

  it("sms-sweep (a scheduled event) reports what it re-dispatched, expired, ended, promoted and ended as opted out", async () => {
    const { handler } = (await import("../../functions/sms-sweep/handler")) as { handler: (e: unknown, c: Context) => Promise<unknown> };
    const result = await handler(
      JSON.parse(readFileSync(new URL("../../events/sms-sweep.json", import.meta.url), "utf8")),
      lambdaContext("sms-sweep"),
    );
    expect(result).toEqual({ redispatched: 0, expired: 0, lapsed: 0, promoted: 0, optedOut: 0, numberMoved: 0 });
  });

  it("privacy-erasure (a scheduled event) carries out the erasure the request-erasure fixture asked for", async () => {
    const { handler } = (await import("../../functions/privacy-erasure/handler")) as {
      handler: (e: unknown, c: Context) => Promise<unknown>;
    };
    const result = await handler(
      JSON.parse(readFileSync(new URL("../../events/privacy-erasure.json", import.meta.url), "utf8")),
      lambdaContext("privacy-erasure"),
    );
    expect(result).toMatchObject({ completed: [expect.stringMatching(/^era_/)], paused: [] });
  });

  it("event-publisher (a DynamoDB stream event) puts the inserted event on the bus", async () => {
    const { handler } = (await import("../../functions/event-publisher/handler")) as {
      handler: (e: unknown, c: Context) => Promise<{ batchItemFailures: unknown[] }>;
    };
    const result = await handler(
      JSON.parse(readFileSync(new URL("../../events/event-publisher.json", import.meta.url), "utf8")),
      lambdaContext("event-publisher"),
    );
    expect(result).toEqual({ batchItemFailures: [] });
    const put = (await h.eventBus.list()).filter((entry) => JSON.parse(entry.Detail).id === "evt_example");
    expect(put).toEqual([expect.objectContaining({ Source: "agent-initiated-sms", DetailType: "interaction.closed" })]);
  });
});
