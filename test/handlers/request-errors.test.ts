import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { ApiHandler } from "../../shared/adapters/http/http-handler";
import { maxBodyBytes } from "../../shared/adapters/http/http-handler";
import { routeList, type RouteKey, routes } from "../../shared/adapters/http/routes";
import { admin, apiEvent, createHarness, lambdaContext } from "../support/handler-harness";

const deskLead = { sub: "lead-lee", groups: ["agents", "admins"] };

let h: Awaited<ReturnType<typeof createHarness>>;
beforeAll(async () => {
  h = await createHarness("request-errors");
});
afterAll(async () => h.table.drop());

const bodyRoutes = (Object.keys(routes) as RouteKey[]).filter((key) => "body" in routes[key]);
const params = { id: "x" };

describe("bad input is a 4xx that says what to fix, and writes nothing", () => {
  it.each(bodyRoutes)("%s: not JSON, empty, wrong content type, oversize, unknown field", async (key) => {
    const before = await h.table.scanAll();
    const notJson = await h.call(key, { as: deskLead, params, rawBody: "{phoneNumber: +1415" });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe("MALFORMED_JSON");

    const empty = await h.call(key, { as: deskLead, params, rawBody: "" });
    expect(empty.status).toBe(400);
    expect(empty.body.error.message).toContain("empty");

    const form = await h.call(key, {
      as: deskLead,
      params,
      rawBody: "a=b",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(form.status).toBe(415);
    expect(form.body.error).toMatchObject({ code: "UNSUPPORTED_MEDIA_TYPE" });
    expect(form.body.error.message).toContain("application/json");

    const huge = await h.call(key, { as: deskLead, params, body: { padding: "x".repeat(maxBodyBytes) } });
    expect(huge.status).toBe(413);
    expect(huge.body.error.message).toContain(`the limit is ${maxBodyBytes} bytes`);

    const array = await h.call(key, { as: deskLead, params, body: [] });
    expect(array.status).toBe(400);
    expect(array.body.error.code).toBe("VALIDATION_FAILED");

    const unknown = await h.call(key, { as: deskLead, params, body: { surprise: true } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain("unknown field 'surprise'");

    expect(await h.table.scanAll()).toEqual(before);
  });

  it("accepts JSON content types with parameters and +json suffixes", async () => {
    const res = await h.call("validatePhoneNumber", {
      body: { phoneNumber: "+14155550171" },
      headers: { "content-type": "application/json; charset=utf-8" },
    });
    expect(res.status).toBe(200);
  });

  it("rejects unknown query parameters and bad path parameters", async () => {
    const query = await h.call("listProviders", { query: { page: "2" } });
    expect(query.status).toBe(400);
    expect(query.body.error.message).toContain("unknown field 'page'");
    const path = await h.call("getConsumer", { params: { id: "bad id with spaces" } });
    expect(path.status).toBe(400);
    expect(path.body.error.message).toContain("invalid path parameter: id must be");
  });

  it("answers 401 without a subject and 403 for a token without the route's group, on every route", async () => {
    for (const route of routeList) {
      const key = (Object.keys(routes) as RouteKey[]).find((k) => routes[k] === route)!;
      const anonymous = await h.call(key, { as: null, params, body: {} });
      expect(anonymous.status, route.id).toBe(401);
      expect(anonymous.body.error.code).toBe("UNAUTHORIZED");
      const stranger = await h.call(key, { as: { sub: "x", groups: ["visitors"] }, params, body: {} });
      expect(stranger.status, route.id).toBe(403);
      expect(stranger.body.error.message).toBe(`this route needs group ${route.groups.join(" or ")}; the token has visitors`);
    }
  });

  it("reads the groups claim as API Gateway passes it, and as a parsed list", async () => {
    const handler = await h.handlerFor("listProviders");
    const event = apiEvent("listProviders", { as: admin });
    event.requestContext.authorizer.jwt.claims["cognito:groups"] = "[visitors admins]";
    expect((await handler(event, lambdaContext("list-providers"))).statusCode).toBe(200);
    (event.requestContext.authorizer.jwt.claims as Record<string, unknown>)["cognito:groups"] = ["admins"];
    expect((await handler(event, lambdaContext("list-providers"))).statusCode).toBe(200);
  });

  it("answers 503 OUTCOME_UNKNOWN, not a bare failure, when Lambda's time runs out mid-request", async () => {
    const handler = await h.handlerFor("listProviders");
    // 501 ms left: middy answers 500 ms before Lambda would cut the request off, i.e. at once.
    const res = await handler(apiEvent("listProviders", { as: admin }), {
      ...lambdaContext("list-providers"),
      getRemainingTimeInMillis: () => 501,
    });
    expect(res.statusCode).toBe(503);
    expect(JSON.parse(res.body ?? "").error).toMatchObject({ code: "OUTCOME_UNKNOWN" });
    expect(JSON.parse(res.body ?? "").error.message).toContain("same Idempotency-Key");
  });

  it("answers a failure it did not expect with 500 and no internals", async () => {
    // Adapters are composed when the module loads: load a fresh copy pointed at a missing table.
    process.env.TABLE_NAME = "a-table-that-does-not-exist";
    vi.resetModules();
    const fresh = (await import("../../functions/list-providers/handler")) as { handler: ApiHandler };
    process.env.TABLE_NAME = h.table.tableName;
    const event = apiEvent("listProviders", { as: admin });
    const res = await fresh.handler(event, lambdaContext("list-providers"));
    expect(res.statusCode).toBe(500);
    const body = JSON.parse(res.body ?? "");
    expect(body.error.code).toBe("INTERNAL_ERROR");
    expect(body.error.message).toContain(`quote request id ${event.requestContext.requestId}`);
    expect(res.body).not.toMatch(/ResourceNotFound|does-not-exist|at .*\.ts/);
  });
});
