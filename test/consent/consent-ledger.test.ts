import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdapters } from "../../shared/platform/composition-root";
import { defaultComposeExtension } from "../../shared/adapters/compose/default-compose-extension";
import { initiateMessage } from "../../shared/use-cases/initiate-message";
import { receiveInboundSms } from "../../shared/use-cases/receive-inbound-sms";
import { recordConsent } from "../../shared/use-cases/consent-ledger";
import type { ServiceError } from "../../shared/core/errors";
import { admin, agent, createHarness } from "../support/handler-harness";
import { receiveThroughSns } from "../support/inbound-sms";
import type { ServiceEvent } from "../../shared/core/model/service-event";
import { invariantViolations } from "../support/table-invariants";

/**
 * The consent ledger (`GET`/`POST /api/now/consents`): keywords, the carrier and people in one
 * history; a person's opt-out of every number (`*`); and the send's own transaction refusing a
 * send that an opt-out overtook while it was being decided.
 */
let h: Awaited<ReturnType<typeof createHarness>>;
const FROM = "+14155550100";
const OTHER = "+14155550101";
let counter = 0;
const number = (n: number) => `+1415555${String(3000 + n).padStart(4, "0")}`;

beforeAll(async () => {
  h = await createHarness("consents");
  await h.call("createProvider", { as: admin, body: { number: FROM, name: "Support" } });
  await h.call("createProvider", { as: admin, body: { number: OTHER, name: "Billing" } });
  for (let n = 1; n <= 6; n++) {
    await h.call("createConsumer", { as: admin, body: { id: `c-${n}`, name: `Customer ${n}`, phoneNumbers: [number(n)] } });
  }
});
afterAll(async () => h.table.drop());

async function reply(n: number, body: string, destination = FROM) {
  const result = await receiveThroughSns({ from: number(n), to: destination, body, inboundMessageId: `consent-${++counter}` });
  // A keyword's answer is written queued: the stream hands it to the sender, and events to the bus.
  await h.deliver();
  return result;
}
const send = (n: number, from = FROM) =>
  h.call("initiateMessage", { as: agent, body: { consumerId: `c-${n}`, to: number(n), from, message: "About your order" } });
const ledger = (n: number, as = agent) => h.call("getConsents", { as, query: { phoneNumber: number(n) } });
const record = (as: { sub: string; groups: string[] }, body: Record<string, unknown>) => h.call("recordConsent", { as, body });

describe("the ledger", () => {
  it("a number nobody said anything about: no state, no history", async () => {
    const res = await ledger(1);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ phoneNumber: number(1), consents: [], history: [] });
  });

  it("keywords, an agent's opt-out of every number and an administrator's opt-in, in one history, oldest first", async () => {
    await reply(1, "STOP");
    await reply(1, "start");
    const byAgent = await record(agent, {
      phoneNumber: "(415) 555-3001",
      providerNumber: "*",
      state: "opted_out",
      evidence: "Asked on the call of 2 Dec not to be texted",
    });
    expect(byAgent.status).toBe(201);
    expect(byAgent.body.entry).toMatchObject({
      phoneNumber: number(1),
      providerNumber: "*",
      state: "opted_out",
      source: "agent",
      actorId: agent.sub,
      evidence: "Asked on the call of 2 Dec not to be texted",
    });
    expect(byAgent.body.consents).toEqual([
      { providerNumber: "*", state: "opted_out", since: byAgent.body.entry.at },
      { providerNumber: FROM, state: "opted_in", since: expect.any(String) },
    ]);
    const byAdmin = await record(admin, { phoneNumber: number(1), providerNumber: "*", state: "opted_in" });
    expect(byAdmin.status).toBe(201);

    const res = await ledger(1, admin);
    expect(
      res.body.history.map((entry: { source: string; state: string; providerNumber: string }) => [
        entry.source,
        entry.state,
        entry.providerNumber,
      ]),
    ).toEqual([
      ["keyword", "opted_out", FROM],
      ["keyword", "opted_in", FROM],
      ["agent", "opted_out", "*"],
      ["admin", "opted_in", "*"],
    ]);
    const times = res.body.history.map((entry: { at: string }) => entry.at);
    expect([...times].sort()).toEqual(times);
    expect(res.body.history[0]).toMatchObject({ evidence: "STOP", messageId: expect.stringMatching(/^msg_/) });
    expect(res.body.consents).toEqual([
      { providerNumber: "*", state: "opted_in", since: byAdmin.body.entry.at },
      { providerNumber: FROM, state: "opted_in", since: res.body.history[1].at },
    ]);
  });

  it("every entry is a consent.changed event on the bus, a person's without an interaction", async () => {
    const entries = (await ledger(1)).body.history as { id: string; source: string }[];
    const published = (await h.eventBus.list())
      .map((entry) => JSON.parse(entry.Detail) as ServiceEvent)
      .filter((event) => event.type === "consent.changed" && event.data.customerNumber === number(1));
    expect(published.map((event) => event.data.entryId).sort()).toEqual(entries.map((entry) => entry.id).sort());
    const people = published.filter((event) => event.data.source === "agent" || event.data.source === "admin");
    expect(people).toHaveLength(2);
    for (const event of people) {
      expect(event.interactionId).toBeUndefined();
      expect(event.actor).toMatchObject({ type: "agent" });
    }
  });

  it("an agent's opt-out of every number (*) refuses sends from every number, says so in Compose SMS, and holds", async () => {
    expect((await send(2)).status).toBe(201);
    expect((await record(agent, { phoneNumber: number(2), providerNumber: "*", state: "opted_out" })).status).toBe(201);
    for (const from of [FROM, OTHER]) {
      const res = await send(2, from);
      expect(res.status).toBe(409);
      expect(res.body.error.code).toBe("RECIPIENT_OPTED_OUT");
      expect(res.body.error.message).toContain("every number");
    }
    const compose = await h.call("composeOptions", { as: agent, query: { consumerId: "c-2" } });
    expect(compose.body.optedOut).toBe(true);
    // The customer's START to one number lifts that number's own opt-out only: a person's `*` needs an administrator.
    await reply(2, "START");
    expect((await send(2)).status).toBe(409);
    expect((await ledger(2)).body.consents).toContainEqual({ providerNumber: "*", state: "opted_out", since: expect.any(String) });
  });

  it("an agent may not record an opt-in (403, nothing written); an administrator may", async () => {
    const before = await h.table.scanAll();
    const res = await record(agent, { phoneNumber: number(2), providerNumber: "*", state: "opted_in" });
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("FORBIDDEN");
    expect(res.body.error.message).toContain("administrator");
    expect(await h.table.scanAll()).toEqual(before);
    expect((await record(admin, { phoneNumber: number(2), providerNumber: "*", state: "opted_in", evidence: "Signed form" })).status).toBe(
      201,
    );
    // Sends again: it joins the conversation the first send opened (200).
    expect((await send(2)).body).toMatchObject({ outcome: "injected" });
  });

  it("an opt-out of one send-from number blocks that number only", async () => {
    expect((await record(agent, { phoneNumber: number(3), providerNumber: OTHER, state: "opted_out" })).status).toBe(201);
    expect((await send(3, OTHER)).body.error.code).toBe("RECIPIENT_OPTED_OUT");
    expect((await send(3, FROM)).status).toBe(201);
  });

  it("says what to fix: an unknown send-from number (422), a bad number (422), a bad state (400), and writes nothing", async () => {
    const before = await h.table.scanAll();
    const unknown = await record(agent, { phoneNumber: number(4), providerNumber: "+14155550199", state: "opted_out" });
    expect([unknown.status, unknown.body.error.code]).toEqual([422, "UNKNOWN_SEND_FROM"]);
    const invalid = await record(agent, { phoneNumber: "12", providerNumber: "*", state: "opted_out" });
    expect([invalid.status, invalid.body.error.code]).toEqual([422, "INVALID_PHONE_NUMBER"]);
    const state = await record(agent, { phoneNumber: number(4), providerNumber: "*", state: "maybe" });
    expect([state.status, state.body.error.code]).toEqual([400, "VALIDATION_FAILED"]);
    expect(await h.table.scanAll()).toEqual(before);
    expect(await invariantViolations(h.table)).toEqual([]);
  });
});

describe("an opt-out that lands while a send is being decided", () => {
  /** The use cases over the real adapters, with a hook that runs another request just before the send's transaction. */
  function racingDeps() {
    const adapters = createAdapters({ tableName: h.table.tableName, dynamoDbEndpoint: h.table.endpoint, defaultCountry: "US" });
    let landing: (() => Promise<unknown>) | undefined;
    adapters.documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand" && landing) {
          const run = landing;
          landing = undefined;
          await run();
        }
        return next(args);
      },
      { step: "initialize", name: "landBeforeTheSendsTransaction" },
    );
    const deps = { ...adapters, extension: defaultComposeExtension, helpText: "help", backoff: async () => undefined };
    return { deps, before: (run: () => Promise<unknown>) => void (landing = run) };
  }

  it.each([
    [
      "the customer's STOP",
      (deps: ReturnType<typeof racingDeps>["deps"], n: number) =>
        receiveInboundSms(deps, {
          originationNumber: number(n),
          destinationNumber: FROM,
          messageBody: "STOP",
          inboundMessageId: `race-${n}`,
        }),
    ],
    [
      "an agent's opt-out of every number",
      (deps: ReturnType<typeof racingDeps>["deps"], n: number) =>
        recordConsent(deps, { phoneNumber: number(n), providerNumber: "*", state: "opted_out" }, { sub: "agent-bo", admin: false }),
    ],
  ])("%s: the send is refused, nothing of it written or sent", async (_what, optOut) => {
    const n = _what.includes("STOP") ? 5 : 6;
    const { deps, before } = racingDeps();
    const messagesBefore = (await h.table.scanAll()).filter((item) => item.itemType === "message" && item.to === number(n));
    before(() => optOut(deps, n));
    const refusal = await initiateMessage(
      deps,
      { consumerId: `c-${n}`, to: number(n), from: FROM, message: "Decided before the opt-out" },
      { agentId: "agent-ann" },
    ).catch((error: ServiceError) => error);
    expect(refusal).toMatchObject({ code: "RECIPIENT_OPTED_OUT" });
    await h.deliver();
    const agentMessages = (await h.table.scanAll()).filter(
      (item) => item.itemType === "message" && item.to === number(n) && item.body === "Decided before the opt-out",
    );
    expect(agentMessages).toEqual([]);
    expect(messagesBefore.filter((item) => item.body === "Decided before the opt-out")).toEqual([]);
    expect((await h.outbox.list()).filter((sms) => sms.body === "Decided before the opt-out")).toEqual([]);
    expect((await ledger(n)).body.consents.some((c: { state: string }) => c.state === "opted_out")).toBe(true);
    expect(await invariantViolations(h.table)).toEqual([]);
  });
});
