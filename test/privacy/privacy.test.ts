import type { Context } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig, readMessageRetention } from "../../shared/platform/config";
import { runErasures, type ErasureRun } from "../../shared/use-cases/run-erasures";
import type { ServiceEvent } from "../../shared/core/model/service-event";
import { admin, agent, createHarness, lambdaContext } from "../support/handler-harness";
import { receiveThroughSns } from "../support/inbound-sms";
import { invariantViolations } from "../support/table-invariants";

/**
 * Privacy (the spec's section): a number's export, its erasure in the background (interrupted
 * again and again, resumed each time, with the same counts as an erasure left alone), nothing in
 * the table holding the number or its messages afterwards, the opt-out surviving as a keyed hash,
 * and MESSAGE_RETENTION's TTL.
 */
let h: Awaited<ReturnType<typeof createHarness>>;
const FROM = "+14155550100";
const OTHER = "+14155550101";
const number = (n: number) => `+1415555${String(4000 + n).padStart(4, "0")}`;
/** What each test conversation's messages say: unique, so a scan can look for them. */
const bodies = (n: number) => [`Your parcel ${n} ships today`, `Is parcel ${n} insured?`, `Parcel ${n} is insured, yes`];

beforeAll(async () => {
  h = await createHarness("privacy");
  await h.call("createProvider", { as: admin, body: { number: FROM, name: "Support" } });
  await h.call("createProvider", { as: admin, body: { number: OTHER, name: "Billing" } });
  for (const n of [1, 2]) await converse(n);
});
afterAll(async () => h.table.drop());

/**
 * A test conversation: a consumer listing the number (and another one of theirs), an agent's
 * send, the customer's reply, the agent's answer, the customer's STOP to that send-from number
 * (an opt-out, its confirmation, a consent entry), and a phone interaction still open.
 */
async function converse(n: number) {
  const [first, reply, answer] = bodies(n);
  await h.call("createConsumer", { as: admin, body: { id: `c-${n}`, name: `Customer ${n}`, phoneNumbers: [number(n), number(50 + n)] } });
  const sent = await h.call("initiateMessage", { as: agent, body: { consumerId: `c-${n}`, to: number(n), from: FROM, message: first } });
  expect(sent.status).toBe(201);
  await receiveThroughSns({ from: number(n), to: FROM, body: reply! });
  await h.deliver();
  expect(
    (await h.call("initiateMessage", { as: agent, body: { consumerId: `c-${n}`, to: number(n), from: FROM, message: answer } })).status,
  ).toBe(200);
  await receiveThroughSns({ from: number(n), to: FROM, body: "STOP" });
  await h.deliver();
  expect(
    (await h.call("createInteraction", { as: agent, body: { type: "phone", consumerId: `c-${n}`, phoneNumber: number(n) } })).status,
  ).toBe(201);
}

/** Every page of a number's export, with how many pages it took. */
type Records = Record<string, unknown>[];

async function exportAll(phoneNumber: string, limit: string) {
  const all: Record<"profiles" | "consumers" | "consents" | "interactions" | "messages", Records> = {
    profiles: [],
    consumers: [],
    consents: [],
    interactions: [],
    messages: [],
  };
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await h.call("privacyExport", { as: admin, query: { phoneNumber, limit, ...(cursor ? { cursor } : {}) } });
    expect(res.status).toBe(200);
    expect(res.body.phoneNumber).toBe(phoneNumber);
    for (const kind of Object.keys(all) as (keyof typeof all)[]) all[kind].push(...res.body[kind]);
    cursor = res.body.cursor;
    pages++;
  } while (cursor && pages < 50);
  return { ...all, pages };
}

/** The scheduled worker, as EventBridge (or the local server's timer) runs it. */
async function runWorker(): Promise<ErasureRun> {
  const { handler } = (await import("../../functions/privacy-erasure/handler")) as {
    handler: (event: unknown, context: Context) => Promise<ErasureRun>;
  };
  const run = await handler({ "detail-type": "Scheduled Event" }, lambdaContext("privacy-erasure"));
  await h.deliver();
  return run;
}

const erasure = (id: string) => h.call("getErasure", { as: admin, params: { id } });

describe("export", () => {
  it("gives, a page at a time, the number's profiles, the consumers listing it, its consent history, its interactions and their messages", async () => {
    const small = await exportAll(number(1), "2");
    const whole = await exportAll(number(1), "100");
    expect(whole.pages).toBe(1);
    expect(small.pages).toBeGreaterThan(4);
    // The same records however it is paged.
    expect({ ...small, pages: 0 }).toEqual({ ...whole, pages: 0 });
    expect(whole.profiles).toEqual([expect.objectContaining({ phoneNumber: number(1), consumerId: "c-1", active: true })]);
    expect(whole.consumers).toEqual([expect.objectContaining({ id: "c-1", phoneNumbers: [number(1), number(51)] })]);
    expect(whole.consents).toEqual([
      expect.objectContaining({ phoneNumber: number(1), providerNumber: FROM, state: "opted_out", source: "keyword" }),
    ]);
    expect(whole.interactions.map((i) => [i.type, i.to, i.active])).toEqual([
      ["sms", number(1), true],
      ["phone", number(1), true],
    ]);
    const texts = whole.messages.map((m) => m.body);
    for (const body of [...bodies(1), "STOP"]) expect(texts).toContain(body);
    // The STOP's confirmation too: 5 messages in all.
    expect(whole.messages).toHaveLength(5);
  });

  it("refuses another number's cursor, and is for administrators only: agents get 403 on every privacy route", async () => {
    const first = await h.call("privacyExport", { as: admin, query: { phoneNumber: number(1), limit: "1" } });
    const other = await h.call("privacyExport", { as: admin, query: { phoneNumber: number(2), cursor: first.body.cursor } });
    expect([other.status, other.body.error.code]).toEqual([400, "INVALID_CURSOR"]);
    const before = await h.table.scanAll();
    for (const res of [
      await h.call("privacyExport", { as: agent, query: { phoneNumber: number(1) } }),
      await h.call("requestErasure", { as: agent, body: { phoneNumber: number(1) } }),
      await h.call("getErasure", { as: agent, params: { id: "era_x" } }),
    ]) {
      expect([res.status, res.body.error.code]).toEqual([403, "FORBIDDEN"]);
    }
    expect(await h.table.scanAll()).toEqual(before);
  });
});

describe("erasure", () => {
  const completed: Record<number, Record<string, unknown>> = {};

  it("runs in the background: 202 running, the same erasure for a second request meanwhile, then completed with counts", async () => {
    const requested = await h.call("requestErasure", { as: admin, body: { phoneNumber: "(415) 555-4002" } });
    expect(requested.status).toBe(202);
    expect(requested.body).toMatchObject({ id: expect.stringMatching(/^era_/), status: "running", step: "hash", requestedBy: admin.sub });
    expect(JSON.stringify(requested.body)).not.toContain(number(2));
    const again = await h.call("requestErasure", { as: admin, body: { phoneNumber: number(2) } });
    expect(again.body.id).toBe(requested.body.id);

    const started = performance.now();
    const run = await runWorker();
    const ms = performance.now() - started;
    expect(run.completed).toEqual([requested.body.id]);
    const done = await erasure(requested.body.id);
    expect(done.body).toMatchObject({ status: "completed", completedAt: expect.any(String) });
    expect(done.body.step).toBeUndefined();
    completed[2] = done.body.counts;
    expect(done.body.counts).toEqual({
      profiles: 1,
      consumers: 1,
      interactions: 2,
      closedInteractions: 2,
      messages: 5,
      // interaction.created (2: the SMS, nothing for the phone call) and message.created (5) hold the number or a body; consent.changed too.
      events: expect.any(Number),
      consents: 1,
      optOutsKept: 1,
      itemsTouched: expect.any(Number),
    });
    expect(done.body.counts.events).toBeGreaterThanOrEqual(6);
    console.log(
      `[privacy] erasure of a test conversation (2 interactions, 5 messages, 1 opt-out): ${done.body.counts.itemsTouched} items touched, ${ms.toFixed(0)} ms in the worker (${run.steps} steps)`,
    );
  });

  it("survives a crash at any write: interrupted after every few writes, resumed each time, it completes with the same counts", async () => {
    const requested = await h.call("requestErasure", { as: admin, body: { phoneNumber: number(1) } });
    const adapters = createAdapters({ tableName: h.table.tableName, dynamoDbEndpoint: h.table.endpoint, defaultCountry: "US" });
    // The worker's document client fails every third write it sends, as a process killed there would stop.
    let writes = 0;
    adapters.documentClient.middlewareStack.add(
      (next, context) => async (args) => {
        if (/^(Put|Update|Delete|TransactWrite|BatchWrite)/.test(context.commandName ?? "") && ++writes % 3 === 0) {
          throw new Error(`injected crash before write ${writes} (${context.commandName})`);
        }
        return next(args);
      },
      { step: "initialize", name: "crashEveryThirdWrite" },
    );
    const deps = { ...adapters, numberHasher: adapters.numberHasher };
    let crashes = 0;
    const stepsSeen = new Set<string>();
    for (let run = 0; run < 100; run++) {
      const state = await erasure(requested.body.id);
      if (state.body.status === "completed") break;
      stepsSeen.add(state.body.step);
      try {
        await runErasures(deps, { deadline: Date.now() + 30_000, interactionsPerStep: 1 });
      } catch (error) {
        expect(String(error)).toContain("injected crash");
        crashes++;
      }
    }
    const done = await erasure(requested.body.id);
    expect(done.body.status).toBe("completed");
    expect(crashes).toBeGreaterThan(5);
    expect([...stepsSeen]).toEqual(expect.arrayContaining(["hash", "interactions", "consents-delete", "number-delete"]));
    await h.deliver();
    completed[1] = done.body.counts;
    // Exactly what the same conversation's erasure counted without a crash.
    expect(done.body.counts).toEqual(completed[2]);
    console.log(`[privacy] erasure interrupted ${crashes} times, resumed each time: ${JSON.stringify(done.body.counts)}`);
    expect(await invariantViolations(h.table)).toEqual([]);
  });

  it("leaves nothing readable that holds the number or its messages: a scan of the whole table", async () => {
    const items = await h.table.scanAll();
    for (const n of [1, 2]) {
      const holding = items.filter((item) => JSON.stringify(item).includes(number(n)));
      expect(holding, `items holding ${number(n)}`).toEqual([]);
      for (const body of bodies(n)) expect(items.filter((item) => JSON.stringify(item).includes(body))).toEqual([]);
    }
    // The records stay, their customer does not: interactions closed, bodies null, the number replaced.
    const interactions = items.filter((item) => item.itemType === "interaction");
    expect(interactions.map((i) => [i.to, i.active, i.closedReason])).toEqual(
      expect.arrayContaining([
        ["erased", false, "erased"],
        ["erased", false, "erased"],
      ]),
    );
    const messages = items.filter((item) => item.itemType === "message");
    expect(messages.length).toBe(10);
    for (const message of messages) {
      expect(message).toMatchObject({ body: null, redacted: true });
      expect([message.from, message.to]).toContain("erased");
      expect(message.gsi4pk).toBeUndefined();
    }
    // The erasure's record keeps the keyed hash, never the number.
    const records = items.filter((item) => item.itemType === "erasure");
    for (const record of records) {
      expect(record.phoneNumber).toBeUndefined();
      expect(record.numberHash).toMatch(/^[0-9a-f]{64}$/);
    }
    // Consumers keep their other numbers.
    expect(items.find((item) => item.pk === "CONSUMER#c-1")?.phoneNumbers).toEqual([number(51)]);
  });

  it("the API shows the records without the customer: messages with body null and redacted, the interaction with its number erased", async () => {
    const interaction = (await h.table.scanAll()).find((item) => item.itemType === "interaction" && item.type === "sms")!;
    const messages = await h.call("listMessages", { as: agent, params: { id: String(interaction.id) } });
    expect(messages.status).toBe(200);
    expect(messages.body.items[0]).toMatchObject({ body: null, redacted: true, to: "erased", status: "sent" });
    const events = await h.call("listInteractionEvents", { as: admin, params: { id: String(interaction.id) } });
    expect(JSON.stringify(events.body)).not.toMatch(/\+14155554/);
    expect(events.body.items.at(-1)).toMatchObject({ type: "interaction.closed", data: { reason: "erased" } });
  });

  it("writes privacy.erased without the number (nor its hash), and exports nothing afterwards", async () => {
    const erased = (await h.eventBus.list())
      .map((entry) => JSON.parse(entry.Detail) as ServiceEvent)
      .filter((event) => event.type === "privacy.erased");
    expect(erased).toHaveLength(2);
    expect(erased[0]!.data).toMatchObject({ erasureId: expect.stringMatching(/^era_/), counts: completed[2] });
    expect(JSON.stringify(erased)).not.toMatch(/\+14155554|[0-9a-f]{64}/);
    for (const n of [1, 2]) {
      const after = await exportAll(number(n), "100");
      expect(after).toEqual({ profiles: [], consumers: [], consents: [], interactions: [], messages: [], pages: 1 });
    }
  });

  it("is harmless twice, and a number that never existed completes with zero counts", async () => {
    for (const phoneNumber of [number(1), number(9)]) {
      const requested = await h.call("requestErasure", { as: admin, body: { phoneNumber } });
      expect(requested.status).toBe(202);
      expect((await runWorker()).completed).toEqual([requested.body.id]);
      const done = await erasure(requested.body.id);
      expect(done.body).toMatchObject({ status: "completed" });
      expect(Object.values(done.body.counts).every((count) => count === 0)).toBe(true);
    }
    const unknown = await erasure("era_nope");
    expect([unknown.status, unknown.body.error.code]).toEqual([404, "ERASURE_NOT_FOUND"]);
  });

  it("keeps the opt-out: a send to the number is refused, also for a new consumer listing it; the number it did not opt out of still sends", async () => {
    const res = await h.call("createConsumer", { as: admin, body: { id: "c-1-new", name: "New holder", phoneNumbers: [number(1)] } });
    expect(res.status).toBe(201);
    for (const consumerId of ["c-1", "c-1-new"]) {
      const refused = await h.call("initiateMessage", {
        as: agent,
        // c-1 no longer holds the number's profile: the send moves it back (and is refused all the same).
        body: { consumerId, to: number(1), from: FROM, message: "Are you still there?", confirmReassociation: true },
      });
      expect([refused.status, refused.body.error.code]).toEqual([409, "RECIPIENT_OPTED_OUT"]);
      expect(refused.body.error.message).toContain("erased");
    }
    const other = await h.call("initiateMessage", {
      as: agent,
      body: { consumerId: "c-1-new", to: number(1), from: OTHER, message: "Hello" },
    });
    expect(other.status).toBe(201);
    expect(await invariantViolations(h.table)).toEqual([]);
  });

  it("lifts the kept opt-out with an administrator's opt-in (a signed form), and only then", async () => {
    const send = () =>
      h.call("initiateMessage", { as: agent, body: { consumerId: "c-1-new", to: number(1), from: FROM, message: "Welcome back" } });
    // The customer's START finds no opt-out of theirs to lift: the kept one stands.
    await receiveThroughSns({ from: number(1), to: FROM, body: "START" });
    await h.deliver();
    expect((await send()).body.error.code).toBe("RECIPIENT_OPTED_OUT");
    const optIn = await h.call("recordConsent", {
      as: admin,
      body: { phoneNumber: number(1), providerNumber: FROM, state: "opted_in", evidence: "Signed form" },
    });
    expect(optIn.status).toBe(201);
    expect((await send()).status).toBe(201);
  });
});

describe("an erasure meeting new data about the number while it runs", () => {
  it("goes back over a conversation the customer opened and a consumer listing the number again, then leaves nothing", async () => {
    await converse(3);
    const requested = await h.call("requestErasure", { as: admin, body: { phoneNumber: number(3) } });
    const adapters = createAdapters({ tableName: h.table.tableName, dynamoDbEndpoint: h.table.endpoint, defaultCountry: "US" });
    // One step at a time, up to where the number's own records are about to be counted and deleted.
    for (let i = 0; i < 50 && (await erasure(requested.body.id)).body.step !== "number"; i++) {
      await runErasures(adapters, { deadline: Date.now() + 30_000, maxSteps: 1 });
    }
    expect((await erasure(requested.body.id)).body.step).toBe("number");
    await receiveThroughSns({ from: number(3), to: OTHER, body: "Hello? Parcel 3 again" });
    expect(
      (await h.call("createConsumer", { as: admin, body: { id: "c-3-again", name: "Again", phoneNumbers: [number(3)] } })).status,
    ).toBe(201);
    expect((await runWorker()).completed).toEqual([requested.body.id]);
    const items = await h.table.scanAll();
    expect(items.filter((item) => JSON.stringify(item).includes(number(3)))).toEqual([]);
    expect(items.filter((item) => JSON.stringify(item).includes("Parcel 3 again"))).toEqual([]);
    expect((await erasure(requested.body.id)).body.counts).toMatchObject({ interactions: 3, consumers: 2, closedInteractions: 3 });
    expect(await invariantViolations(h.table)).toEqual([]);
  });
});

describe("an erasure and the number's scheduled messages", () => {
  it("ends a message scheduled for the number failed ERASED, out of the sweep's index: it never goes", async () => {
    // A customer whose clock reads 3 a.m., and a send-from number with its own daytime window.
    const hour = (27 - new Date().getUTCHours()) % 24;
    const offset = hour > 12 ? hour - 24 : hour;
    const timeZone = offset >= 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
    const DAY = "+14155550109";
    await h.call("createProvider", { as: admin, body: { number: DAY, name: "Day line", sendWindow: "08:00-21:00" } });
    await h.call("createConsumer", { as: admin, body: { id: "c-9", name: "Customer 9", timeZone, phoneNumbers: [number(9)] } });
    const sent = await h.call("initiateMessage", {
      as: agent,
      body: { consumerId: "c-9", to: number(9), from: DAY, message: "Scheduled for 9", scheduleIfOutsideWindow: true },
    });
    expect(sent.status).toBe(202);
    expect(sent.body.message).toMatchObject({ status: "scheduled" });

    const requested = await h.call("requestErasure", { as: admin, body: { phoneNumber: number(9) } });
    await runWorker();
    expect((await erasure(requested.body.id)).body).toMatchObject({ status: "completed" });
    const item = (await h.table.scanAll()).find((candidate) => candidate.itemType === "message" && candidate.id === sent.body.message.id);
    expect(item).toMatchObject({ status: "failed", errorCode: "ERASED", body: null, redacted: true });
    expect(item).not.toHaveProperty("gsi4pk");
    expect(item).not.toHaveProperty("gsi4sk");
  });
});

describe("MESSAGE_RETENTION", () => {
  it("reads a duration of at least 3 days, or off", () => {
    expect(readMessageRetention(undefined)).toBeUndefined();
    expect(readMessageRetention("off")).toBeUndefined();
    expect(readMessageRetention("400d")).toBe(400 * 86_400_000);
    expect(() => readMessageRetention("1d")).toThrow(/at least 3d/);
    expect(() => readMessageRetention("soon")).toThrow(/MESSAGE_RETENTION/);
    expect(readConfig({}).messageRetentionMs).toBeUndefined();
  });

  it("puts a TTL on messages (when written), on interactions (when closed) and on events (never longer than the messages')", async () => {
    const { initiateMessage } = await import("../../shared/use-cases/initiate-message");
    const { defaultComposeExtension } = await import("../../shared/adapters/compose/default-compose-extension");
    const retention = 4 * 86_400;
    const adapters = createAdapters({
      tableName: h.table.tableName,
      dynamoDbEndpoint: h.table.endpoint,
      defaultCountry: "US",
      messageRetentionMs: retention * 1000,
    });
    await h.call("createConsumer", { as: admin, body: { id: "c-ttl", name: "Kept briefly", phoneNumbers: [number(7)] } });
    const sent = await initiateMessage(
      { ...adapters, extension: defaultComposeExtension },
      { consumerId: "c-ttl", to: number(7), from: FROM, message: "Kept four days" },
      { agentId: agent.sub },
    );
    if ("dryRun" in sent) throw new Error("not a dry run");
    const open = (await h.table.scanAll()).filter((item) => item.pk === `INTERACTION#${sent.interaction.id}`);
    const epoch = (at: unknown) => Math.floor(Date.parse(String(at)) / 1000);
    const message = open.find((item) => item.itemType === "message")!;
    expect(message.expiresAt).toBe(epoch(message.createdAt) + retention);
    expect(open.find((item) => item.itemType === "interaction")!.expiresAt).toBeUndefined();
    for (const event of open.filter((item) => item.itemType === "event")) expect(event.expiresAt).toBe(epoch(event.occurredAt) + retention);

    const interaction = (await adapters.interactions.get(sent.interaction.id))!;
    expect(await adapters.conversations.closeInteraction(interaction, "closed_complete", new Date().toISOString())).toBe("closed");
    const closed = (await adapters.interactions.get(sent.interaction.id))!;
    const item = (await h.table.scanAll()).find((i) => i.pk === `INTERACTION#${closed.id}` && i.itemType === "interaction")!;
    expect(item.expiresAt).toBe(epoch(closed.closedAt) + retention);
  });
});
