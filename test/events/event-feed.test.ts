import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { admin, createHarness } from "../support/handler-harness";
import { receiveThroughSns } from "../support/inbound-sms";

/**
 * GET /api/now/events (the feed: cursor, long-poll, who sees what) and
 * GET /api/now/interactions/{id}/events, through the real handlers against DynamoDB Local.
 */
type Event = { id: string; type: string; interactionId: string; sequence: number; data: any }; // eslint-disable-line @typescript-eslint/no-explicit-any

let h: Awaited<ReturnType<typeof createHarness>>;
const FROM = "+14155550100";
const number = (i: number) => `+1415555${String(4000 + i).padStart(4, "0")}`;
const al = { sub: "agent-al", groups: ["agents"] };
const bo = { sub: "agent-bo", groups: ["agents"] };

beforeAll(async () => {
  h = await createHarness("event-feed");
  await h.call("createProvider", { as: admin, body: { number: FROM, name: "Support" } });
  for (let i = 0; i < 6; i++)
    await h.call("createConsumer", { as: admin, body: { id: `c-${i}`, name: `C ${i}`, phoneNumbers: [number(i)] } });
});
afterAll(async () => h.table.drop());

const feed = (as: typeof al, query: Record<string, string> = {}) => h.call("followEvents", { as, query });
const send = (as: typeof al, i: number) =>
  h.call("initiateMessage", { as, body: { consumerId: `c-${i}`, to: number(i), message: "hello" } });

async function reply(i: number, body: string) {
  const result = await receiveThroughSns({ from: number(i), to: FROM, body });
  return result;
}

/** Everything the reader's feed shows from `cursor` on, following it until it is quiet. */
async function readAll(as: typeof al, cursor: string): Promise<{ items: Event[]; cursor: string }> {
  const items: Event[] = [];
  for (;;) {
    const page = await feed(as, { after: cursor, waitSeconds: "2" });
    expect(page.status, JSON.stringify(page.body)).toBe(200);
    cursor = page.body.cursor;
    if (page.body.items.length === 0) return { items, cursor };
    items.push(...page.body.items);
  }
}

describe("GET /api/now/events", () => {
  it("without a cursor: no items and the cursor of now", async () => {
    await send(al, 0);
    const now = await feed(al);
    expect(now.status).toBe(200);
    expect(now.body).toEqual({ items: [], cursor: expect.any(String) });
  });

  it("shows each agent the events of interactions they joined, and new virtual-agent ones; an admin all", async () => {
    const start = (await feed(admin)).body.cursor as string;
    const mine = await send(al, 1);
    const opened = await reply(2, "anyone?");
    await reply(2, "hello??");
    const [forAl, forBo, forAdmin] = await Promise.all([readAll(al, start), readAll(bo, start), readAll(admin, start)]);

    // The conversation's own events (the pipeline's status changes aside).
    const of = (list: Event[], id: string) =>
      list.filter((event) => event.interactionId === id && event.type !== "message.status_changed").map((event) => event.type);
    expect(of(forAl.items, mine.body.interaction.id)).toEqual(["interaction.created", "participant.joined", "message.created"]);
    expect(of(forBo.items, mine.body.interaction.id)).toEqual([]);
    // The virtual agent's new conversation is news for every agent; its messages only for those in it.
    expect(of(forBo.items, opened.interactionId)).toEqual(["interaction.created"]);
    expect(of(forAl.items, opened.interactionId)).toEqual(["interaction.created"]);
    expect(of(forAdmin.items, opened.interactionId)).toEqual(["interaction.created", "message.created", "message.created"]);
    expect(of(forAdmin.items, mine.body.interaction.id)).toHaveLength(3);

    // Bo joins Al's conversation: from then on, Bo sees it too.
    const joined = await h.call("initiateMessage", { as: bo, body: { consumerId: "c-1", to: number(1), message: "me too" } });
    expect(joined.body.outcome).toBe("injected");
    const after = await readAll(bo, forBo.cursor);
    expect(of(after.items, mine.body.interaction.id)).toEqual(["participant.joined", "message.created"]);
    // Oldest first, no event twice.
    const ids = forAdmin.items.map((event) => event.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("a long-poll opened before a reply answers with it within 2 s of the commit", async () => {
    await send(al, 3);
    const cursor = (await feed(al)).body.cursor as string;
    const polling = feed(al, { after: cursor, waitSeconds: "10" }).then((answer) => ({ answer, at: Date.now() }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    await reply(3, "Friday works");
    const committedAt = Date.now();
    const { answer, at } = await polling;
    console.log(`[long-poll] answered ${at - committedAt} ms after the reply committed`);
    expect(answer.body.items.map((event: Event) => event.type)).toEqual(["message.created"]);
    expect(answer.body.items[0].data.message).toMatchObject({ direction: "inbound", body: "Friday works" });
    expect(at - committedAt).toBeLessThan(2000);
  });

  it("with nothing new, answers after waitSeconds with no items", async () => {
    const cursor = (await feed(al)).body.cursor as string;
    const started = Date.now();
    const answer = await feed(bo, { after: cursor, waitSeconds: "1" });
    const took = Date.now() - started;
    console.log(`[long-poll] nothing new: answered after ${took} ms (waitSeconds 1)`);
    expect(answer.body.items).toEqual([]);
    expect(took).toBeGreaterThanOrEqual(900);
    expect(typeof answer.body.cursor).toBe("string");
  });

  it("refuses a cursor it did not give (another list's, or garbage) with 400 INVALID_CURSOR", async () => {
    const first = await send(al, 4);
    const page = await h.call("listInteractionEvents", { as: al, params: { id: first.body.interaction.id }, query: { limit: "1" } });
    expect(page.body.cursor).toEqual(expect.any(String));
    for (const after of [page.body.cursor, "bm90IGEgY3Vyc29y", "x"]) {
      const refused = await feed(al, { after });
      expect(refused.status).toBe(400);
      expect(refused.body.error.code).toBe("INVALID_CURSOR");
    }
    const feedCursor = (await feed(al)).body.cursor;
    const refused = await h.call("listInteractionEvents", {
      as: al,
      params: { id: first.body.interaction.id },
      query: { after: feedCursor },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("INVALID_CURSOR");
    expect((await feed(al, { waitSeconds: "21" })).status).toBe(400);
  });
});

describe("GET /api/now/interactions/{id}/events", () => {
  it("pages one interaction's events in commit order; 404 for an unknown interaction", async () => {
    const first = await send(al, 5);
    await send(bo, 5);
    await reply(5, "thanks both");
    const id = first.body.interaction.id as string;
    const seen: Event[] = [];
    let after: string | undefined;
    do {
      const page = await h.call("listInteractionEvents", { as: al, params: { id }, query: { limit: "2", ...(after ? { after } : {}) } });
      expect(page.status).toBe(200);
      seen.push(...page.body.items);
      after = page.body.cursor;
    } while (after);
    expect(seen.filter((event) => event.type !== "message.status_changed").map((event) => event.type)).toEqual([
      "interaction.created",
      "participant.joined",
      "message.created",
      "participant.joined",
      "message.created",
      "message.created",
    ]);
    for (let k = 1; k < seen.length; k++) expect(seen[k]!.sequence).toBeGreaterThan(seen[k - 1]!.sequence);
    const missing = await h.call("listInteractionEvents", { as: al, params: { id: "int_nosuch" } });
    expect(missing.status).toBe(404);
  });
});

describe("GET /api/now/interactions/{id}/messages", () => {
  it("answers { items, cursor? } oldest first, a page at a time; another list's cursor is 400", async () => {
    const first = await send(al, 0);
    const id = first.body.interaction.id as string;
    await reply(0, "one");
    await reply(0, "two");
    const all = await h.call("listMessages", { as: al, params: { id } });
    const bodies = all.body.items.map((message: { body: string }) => message.body);
    expect(bodies.slice(-2)).toEqual(["one", "two"]);
    expect(all.body.cursor).toBeUndefined();
    const paged: string[] = [];
    let after: string | undefined;
    do {
      const page = await h.call("listMessages", { as: al, params: { id }, query: { limit: "2", ...(after ? { after } : {}) } });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      paged.push(...page.body.items.map((message: { body: string }) => message.body));
      after = page.body.cursor;
    } while (after);
    expect(paged).toEqual(bodies);
    const events = await h.call("listInteractionEvents", { as: al, params: { id }, query: { limit: "1" } });
    const refused = await h.call("listMessages", { as: al, params: { id }, query: { after: events.body.cursor } });
    expect(refused.status).toBe(400);
    expect(refused.body.error.code).toBe("INVALID_CURSOR");
  });
});
