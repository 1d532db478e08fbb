import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, agent, createHarness } from "../support/handler-harness";

/**
 * `scheduleIfOutsideWindow` through the real initiate_message handler: the 202, its idempotent
 * replay and the dry run, each answer checked against docs/openapi.json by the harness. The
 * customer's zone is an `Etc/GMT` zone where it is 3 a.m. now (the handlers read the real clock).
 */
let h: Awaited<ReturnType<typeof createHarness>>;
const TO = "+14155550177";
const FROM = "+14155550100";

/** The fixed-offset zone whose wall clock reads 03:xx now, as the README's walk-through picks it. */
function zoneAt3am(): string {
  const hours = (27 - new Date().getUTCHours()) % 24;
  const offset = hours > 12 ? hours - 24 : hours;
  return offset >= 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

beforeAll(async () => {
  h = await createHarness("schedule-http", { SEND_WINDOW: "08:00-21:00" });
  await h.call("createProvider", { as: admin, body: { number: FROM, name: "Support" } });
  await h.call("createConsumer", { as: admin, body: { id: "owl", name: "Nat Owl", timeZone: zoneAt3am(), phoneNumbers: [TO] } });
});
afterAll(async () => h.table.drop());

describe("POST /api/now/initiate_message with scheduleIfOutsideWindow", () => {
  const body = { consumerId: "owl", to: TO, from: FROM, message: "Your refund is on its way.", scheduleIfOutsideWindow: true };

  it("at the customer's 3 a.m.: 202, the message scheduled for the window's opening, nothing handed over", async () => {
    const refused = await h.call("initiateMessage", { as: agent, body: { ...body, scheduleIfOutsideWindow: false } });
    expect(refused.status).toBe(409);
    const nextAllowedAt = refused.body.error.nextAllowedAt as string;

    const res = await h.call("initiateMessage", { as: agent, body, headers: { "idempotency-key": "owl-1" } });
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({
      outcome: "created",
      interaction: { assignedTo: agent.sub, to: TO, from: FROM },
      message: { status: "scheduled", scheduledFor: new Date(nextAllowedAt).toISOString() },
    });
    expect(await h.outbox.list()).toEqual([]);

    const messages = await h.call("listMessages", { as: agent, params: { id: res.body.interaction.id } });
    expect(messages.body.items).toEqual([expect.objectContaining({ id: res.body.message.id, status: "scheduled" })]);

    const replay = await h.call("initiateMessage", { as: agent, body, headers: { "idempotency-key": "owl-1" } });
    expect(replay.status).toBe(202);
    expect(replay.body.message).toEqual(res.body.message);
  });

  it("the dry run answers 200 with wouldSchedule and scheduledFor", async () => {
    const res = await h.call("initiateMessage", { as: agent, body: { ...body, dryRun: true } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ dryRun: true, sendWindow: { open: false }, wouldSchedule: true, scheduledFor: expect.any(String) });
    expect(Date.parse(res.body.scheduledFor)).toBe(Date.parse(res.body.sendWindow.nextAllowedAt));
  });
});
