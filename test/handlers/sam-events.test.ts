import { readFileSync, readdirSync } from "node:fs";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context, SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { routeList, routes, type RouteKey } from "../../shared/adapters/http/routes";
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
  ["closeInteraction", 404],
  ["retryMessage", 404],
];

let h: Awaited<ReturnType<typeof createHarness>>;
beforeAll(async () => {
  h = await createHarness("sam-events");
});
afterAll(async () => h.table.drop());

describe("events/ fixtures", () => {
  it("has one fixture per route, matching its route key", () => {
    const files = readdirSync(new URL("../../events/", import.meta.url)).filter((f) => f.endsWith(".json"));
    expect(files.sort()).toEqual([...routeList.map((r) => `${r.id}.json`), "inbound-sms.json", "delivery-receipts.json"].sort());
    for (const route of routeList) expect(fixture(route.id).routeKey).toBe(`${route.method} ${route.path}`);
  });

  it.each(expected)("%s answers %i", async (key, status) => {
    const handler = await h.handlerFor(key);
    const result = await handler(fixture(routes[key].id), lambdaContext(routes[key].id));
    expect(result.statusCode, result.body).toBe(status);
    if (key === "validatePhoneNumber") expect(JSON.parse(result.body!)).toMatchObject({ valid: true, e164: "+14155550171" });
    if (key === "initiateMessage") expect(JSON.parse(result.body!)).toMatchObject({ outcome: "created", message: { status: "sent" } });
    if (key === "composeOptions") expect(JSON.parse(result.body!)).toMatchObject({ available: true, defaultSendTo: "+14155550171" });
  });

  it("inbound-sms (an SNS event) joins the conversation the agent started", async () => {
    const { handler } = (await import("../../functions/inbound-sms/handler")) as { handler: (e: SNSEvent, c: Context) => Promise<unknown[]> };
    const results = await handler(JSON.parse(readFileSync(new URL("../../events/inbound-sms.json", import.meta.url), "utf8")) as SNSEvent, lambdaContext("inbound-sms"));
    expect(results).toEqual([expect.objectContaining({ outcome: "joined" })]);
  });
});
