import { captureLogs } from "../support/capture-logs";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { admin, agent, createHarness } from "../support/handler-harness";

let h: Awaited<ReturnType<typeof createHarness>>;
let lines: string[] = [];

beforeAll(async () => {
  // The level is read when the logger module loads (the handler's first import), as on Lambda.
  h = await createHarness("logging", { POWERTOOLS_LOG_LEVEL: "INFO" });
  await h.call("createConsumer", { as: admin, body: { id: "log-1", name: "Log", phoneNumbers: ["+14155550171"] } });
});
afterAll(async () => h.table.drop());
afterEach(() => vi.restoreAllMocks());

describe("logs", () => {
  it("are one JSON line per request with route, status, request id, and the number masked", async () => {
    lines = captureLogs();
    const res = await h.call("findConsumers", { as: agent, query: { phoneNumber: "+14155550171" } });
    expect(res.status).toBe(200);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = records.find((r) => r.message === "request");
    expect(access).toMatchObject({
      level: "INFO",
      service: "agent-initiated-sms",
      route: "find-consumers",
      status: 200,
      caller: "agent-ann",
      correlation_id: res.headers["x-request-id"],
      query: { phoneNumber: "+1415•••••71" },
    });
    expect(lines.join("\n")).not.toContain("4155550171");
  });

  it("mask numbers in path parameters and in answers that fail", async () => {
    lines = captureLogs();
    const res = await h.call("findConsumers", { as: agent, query: { phoneNumber: "+1415555017" } });
    expect(res.status).toBe(422);
    const access = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((r) => r.message === "request");
    expect(access).toMatchObject({ status: 422, query: { phoneNumber: "+1415••••17" } });
    expect(lines.join("\n")).not.toMatch(/415555017/);
  });
});
