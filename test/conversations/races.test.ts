import type { Context, SNSEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiEvent, createHarness, lambdaContext, type CallOptions, type CallResult } from "../support/handler-harness";
import { routes, type RouteKey } from "../../shared/adapters/http/routes";
import { invariantViolations } from "../support/table-invariants";

/**
 * Real concurrent requests (Promise.all over the real handlers, one shared module as a warm fleet
 * would share code) against DynamoDB Local: the conversation-key invariant, exactly-once storage
 * and exactly-once sending under races. Each race logs a one-line summary.
 *
 * The raced calls get a 60 s Lambda deadline instead of the harness's 10 s: here 25 requests share
 * one event loop and two cores (with DynamoDB Local and other test files), so on a busy machine the
 * slowest of them can pass 10 s, and middy's early-timeout answers 500 for it while its work goes
 * on. In a fleet each request has its own container and budget. The summaries report the slowest
 * request, so a real slowdown still shows.
 */
type Item = Record<string, unknown>;
type InboundResult =
  { outcome: "opened" | "joined"; interactionId: string; messageId: string } | { outcome: "duplicate"; inboundMessageId: string };
type InboundHandler = (event: SNSEvent, context: Context) => Promise<InboundResult[]>;
type Caller = { sub: string; groups: string[] };

let h: Awaited<ReturnType<typeof createHarness>>;
let inboundHandler: InboundHandler;
const admin = { sub: "admin", groups: ["admins"] };
const agentA = { sub: "agent-a", groups: ["agents"] };
const agentB = { sub: "agent-b", groups: ["agents"] };
const agentC = { sub: "agent-c", groups: ["agents"] };
const FROM = "+14155550100";
let snsCounter = 0;
/** Latency of every raced call, reset per race. */
let latencies: number[] = [];
const raceDeadlineMs = 60_000;
/** Per test: a loaded 2-core machine runs a race several times slower than an idle one. */
const raceTimeout = 45_000;
const raceContext = (functionName: string) => ({ ...lambdaContext(functionName), getRemainingTimeInMillis: () => raceDeadlineMs });

/** `h.call`, with the race deadline and timed. */
async function call(key: RouteKey, options: CallOptions): Promise<CallResult> {
  const started = Date.now();
  const handler = await h.handlerFor(key);
  const result = await handler(apiEvent(key, options), raceContext(routes[key].id));
  latencies.push(Date.now() - started);
  // Then the stream's records go to the sender, as the event source mapping would hand them over.
  await h.deliver();
  const text = result.body ?? "";
  return { status: result.statusCode ?? 200, body: text ? JSON.parse(text) : undefined, headers: result.headers ?? {} };
}
const slowest = () => {
  const value = Math.max(0, ...latencies);
  latencies = [];
  return `slowest request ${value} ms`;
};

beforeAll(async () => {
  h = await createHarness("races");
  inboundHandler = ((await import("../../functions/inbound-sms/handler")) as { handler: InboundHandler }).handler;
  const provider = await h.call("createProvider", { as: admin, body: { number: FROM, name: "Support" } });
  expect(provider.status, JSON.stringify(provider.body)).toBe(201);
});
afterAll(async () => h.table.drop());

/** A consumer who lists `number` (so the number has its active profile). */
async function consumer(id: string, number: string) {
  const res = await h.call("createConsumer", { as: admin, body: { id, name: id, phoneNumbers: [number] } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

const send = (as: Caller, body: Record<string, unknown>, headers?: Record<string, string>) =>
  call("initiateMessage", { as, body: { from: FROM, ...body }, ...(headers ? { headers } : {}) });

/** One SNS record through the real inbound handler. */
async function inbound(from: string, messageBody: string, inboundMessageId: string): Promise<InboundResult> {
  const message = JSON.stringify({ originationNumber: from, destinationNumber: FROM, messageBody, inboundMessageId });
  const event = {
    Records: [{ EventSource: "aws:sns", Sns: { Message: message, MessageId: `sns-${++snsCounter}` } }],
  } as unknown as SNSEvent;
  const started = Date.now();
  const [result] = await inboundHandler(event, raceContext("inbound-sms"));
  latencies.push(Date.now() - started);
  await h.deliver();
  return result!;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const histogram = (values: unknown[]) => {
  const counts: Record<string, number> = {};
  for (const value of values) counts[String(value)] = (counts[String(value)] ?? 0) + 1;
  return counts;
};

async function snapshot(customer: string) {
  const items = await h.table.scanAll();
  const interactions = items.filter((i) => i.itemType === "interaction" && i.type === "sms" && i.from === FROM && i.to === customer);
  const ids = new Set(interactions.map((i) => String(i.id)));
  return {
    items,
    interactions,
    active: interactions.filter((i) => i.active === true),
    messages: items.filter((i) => i.itemType === "message" && ids.has(String(i.interactionId))),
    participants: (interactionId: string) =>
      items.filter((i) => i.itemType === "participant" && i.pk === `INTERACTION#${interactionId}`).map((i) => String(i.agentId)),
  };
}
const bodies = (messages: Item[]) => messages.map((m) => String(m.body));
const is2xx = (res: CallResult) => res.status === 200 || res.status === 201;

describe("races on one conversation key", () => {
  it(
    "25 initiations by three agents at once: one created, the rest injected, each message stored and sent once",
    async () => {
      const TO = "+14155550201";
      await consumer("c-race-1", TO);
      const agents = [agentA, agentB, agentC];
      const requests = Array.from({ length: 25 }, (_, i) => ({ as: agents[i % 3]!, text: `race-1 message ${i}` }));
      const started = Date.now();
      const answers = await Promise.all(requests.map((r) => send(r.as, { consumerId: "c-race-1", to: TO, message: r.text })));
      console.log(
        `[race 1] 25 initiations in ${Date.now() - started} ms: statuses ${JSON.stringify(histogram(answers.map((a) => a.status)))}, outcomes ${JSON.stringify(histogram(answers.map((a) => a.body?.outcome ?? a.body?.error?.code)))}, ${slowest()}`,
      );

      for (const answer of answers) expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
      const created = answers.filter((a) => a.status === 201);
      expect(created).toHaveLength(1);
      expect(created[0]!.body.outcome).toBe("created");
      const injected = answers.filter((a) => a.status === 200);
      expect(injected.map((a) => a.body.outcome)).toEqual(Array(24).fill("injected"));
      const interactionId = created[0]!.body.interaction.id as string;
      for (const answer of answers) expect(answer.body.interaction.id).toBe(interactionId);
      const creator = requests[answers.indexOf(created[0]!)]!.as.sub;

      const accepted = requests.filter((_, i) => is2xx(answers[i]!));
      const state = await snapshot(TO);
      expect(state.active.map((i) => i.id)).toEqual([interactionId]);
      expect(state.active[0]).toMatchObject({ handler: "agent", assignedTo: creator, state: "work_in_progress", consumerId: "c-race-1" });
      const outbound = state.messages.filter((m) => m.direction === "outbound" && m.interactionId === interactionId);
      expect(outbound).toHaveLength(accepted.length);
      expect(bodies(outbound).sort()).toEqual(accepted.map((r) => r.text).sort());
      expect(outbound.every((m) => m.status === "sent")).toBe(true);

      const sent = (await h.outbox.list()).filter((e) => e.to === TO);
      expect(sent.map((e) => e.body).sort()).toEqual(accepted.map((r) => r.text).sort());
      expect(new Set(sent.map((e) => e.id)).size).toBe(sent.length);

      expect(state.participants(interactionId).sort()).toEqual([...new Set(accepted.map((r) => r.as.sub))].sort());
      const read = await h.call("getInteraction", { as: agentA, params: { id: interactionId } });
      expect(read.body).toMatchObject({ assignedTo: creator, handler: "agent", active: true });
      expect(await invariantViolations(h.table)).toEqual([]);
    },
    raceTimeout,
  );

  it(
    "two agents replacing one virtual-agent interaction at once: one replaces it, the other is injected into the new one",
    async () => {
      const figures: string[] = [];
      for (let round = 0; round < 5; round++) {
        const TO = `+1415555021${round}`;
        const consumerId = `c-race-2-${round}`;
        await consumer(consumerId, TO);
        const opened = await inbound(TO, "is anyone there?", `race-2-in-${round}`);
        expect(opened.outcome).toBe("opened");
        const vaId = (opened as { interactionId: string }).interactionId;
        expect((await snapshot(TO)).active).toEqual([expect.objectContaining({ id: vaId, handler: "virtual_agent" })]);

        const answers = await Promise.all([
          send(agentA, { consumerId, to: TO, message: `race-2-${round} from a` }),
          send(agentB, { consumerId, to: TO, message: `race-2-${round} from b` }),
        ]);
        figures.push(answers.map((a, i) => `${["a", "b"][i]}:${a.status} ${a.body?.outcome ?? a.body?.error?.code}`).join(" "));

        for (const answer of answers) expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
        expect(answers.map((a) => a.status).sort()).toEqual([200, 201]);
        const winner = answers.find((a) => a.status === 201)!;
        const loser = answers.find((a) => a.status === 200)!;
        expect(winner.body).toMatchObject({ outcome: "replaced_virtual_agent", closedInteractionId: vaId });
        const newId = winner.body.interaction.id as string;
        expect(newId).not.toBe(vaId);
        expect(loser.body.outcome).toBe("injected");
        expect(loser.body.interaction.id).toBe(newId);
        expect(loser.body.closedInteractionId).toBeUndefined();

        const state = await snapshot(TO);
        expect(state.interactions).toHaveLength(2);
        expect(state.interactions.find((i) => i.id === vaId)).toMatchObject({
          state: "closed_complete",
          active: false,
          handler: "virtual_agent",
        });
        const winnerAgent = answers[0] === winner ? "agent-a" : "agent-b";
        expect(state.active).toEqual([expect.objectContaining({ id: newId, handler: "agent", assignedTo: winnerAgent })]);
        const outbound = state.messages.filter((m) => m.direction === "outbound");
        expect(outbound.every((m) => m.interactionId === newId)).toBe(true);
        expect(bodies(outbound).sort()).toEqual([`race-2-${round} from a`, `race-2-${round} from b`]);
        expect(state.messages.filter((m) => m.direction === "inbound").map((m) => m.interactionId)).toEqual([vaId]);
        expect(state.participants(newId).sort()).toEqual(["agent-a", "agent-b"]);
        expect((await h.outbox.list()).filter((e) => e.to === TO)).toHaveLength(2);
      }
      console.log(`[race 2] 5 rounds of two agents vs one virtual-agent interaction: ${figures.join(" | ")}; ${slowest()}`);
      expect(await invariantViolations(h.table)).toEqual([]);
    },
    raceTimeout,
  );

  it(
    "an inbound reply racing an agent's first message, on 10 keys: one active interaction, the reply stored once",
    async () => {
      const outcomes: string[] = [];
      for (let round = 0; round < 10; round++) {
        const TO = `+1415555022${round}`;
        const consumerId = `c-race-3-${round}`;
        await consumer(consumerId, TO);
        const inboundId = `race-3-in-${round}`;
        // The reply starts 0–27 ms after the agent's request, so both orders are exercised.
        const [answer, reply] = await Promise.all([
          send(agentA, { consumerId, to: TO, message: `race-3-${round} from the desk` }),
          sleep((round % 10) * 3).then(() => inbound(TO, `race-3-${round} from the customer`, inboundId)),
        ]);
        outcomes.push(`${answer.body?.outcome ?? answer.body?.error?.code}+${reply.outcome}`);

        expect([200, 201], JSON.stringify(answer.body)).toContain(answer.status);
        const agentInteraction = answer.body.interaction.id as string;
        const state = await snapshot(TO);
        expect(state.active.map((i) => i.id)).toEqual([agentInteraction]);
        const replies = state.messages.filter((m) => m.direction === "inbound" && m.providerMessageId === inboundId);
        expect(replies).toHaveLength(1);
        expect(state.messages.filter((m) => m.direction === "outbound").map((m) => m.interactionId)).toEqual([agentInteraction]);
        if (answer.body.outcome === "created") {
          // The agent's interaction came first: the reply joined it.
          expect(reply).toMatchObject({ outcome: "joined", interactionId: agentInteraction });
          expect(replies[0]!.interactionId).toBe(agentInteraction);
          expect(state.interactions).toHaveLength(1);
        } else {
          // The reply opened a virtual-agent interaction first; the agent replaced it.
          expect(answer.body.outcome).toBe("replaced_virtual_agent");
          expect(reply.outcome).toBe("opened");
          const vaId = (reply as { interactionId: string }).interactionId;
          expect(answer.body.closedInteractionId).toBe(vaId);
          expect(replies[0]!.interactionId).toBe(vaId);
          expect(state.interactions.find((i) => i.id === vaId)).toMatchObject({ active: false, state: "closed_complete" });
        }
      }
      console.log(`[race 3] agent initiation vs inbound reply, 10 keys: ${JSON.stringify(histogram(outcomes))}; ${slowest()}`);
      expect(await invariantViolations(h.table)).toEqual([]);
    },
    raceTimeout,
  );
});

describe("races on inbound SMS", () => {
  it(
    "12 simultaneous first replies from one number open exactly one virtual-agent interaction holding all 12",
    async () => {
      const TO = "+14155550231";
      await consumer("c-race-4", TO);
      const ids = Array.from({ length: 12 }, (_, i) => `race-4-in-${i}`);
      const results = await Promise.all(ids.map((id, i) => inbound(TO, `race-4 reply ${i}`, id)));
      console.log(`[race 4] 12 first replies: outcomes ${JSON.stringify(histogram(results.map((r) => r.outcome)))}; ${slowest()}`);

      expect(results.filter((r) => r.outcome === "opened")).toHaveLength(1);
      expect(results.filter((r) => r.outcome === "joined")).toHaveLength(11);
      const interactionId = (results.find((r) => r.outcome === "opened") as { interactionId: string }).interactionId;
      for (const result of results) expect(result).toMatchObject({ interactionId });

      const state = await snapshot(TO);
      expect(state.interactions).toHaveLength(1);
      expect(state.active).toEqual([
        expect.objectContaining({ id: interactionId, handler: "virtual_agent", assignedTo: null, consumerId: "c-race-4" }),
      ]);
      expect(state.messages).toHaveLength(12);
      expect(state.messages.every((m) => m.interactionId === interactionId && m.direction === "inbound")).toBe(true);
      expect(state.messages.map((m) => m.providerMessageId).sort()).toEqual([...ids].sort());
      expect(state.items.filter((i) => String(i.pk).startsWith("INBOUND#race-4-in-"))).toHaveLength(12);
      expect(await invariantViolations(h.table)).toEqual([]);
    },
    raceTimeout,
  );

  it(
    "one inboundMessageId delivered 5 times at once is stored once",
    async () => {
      const TO = "+14155550241";
      await consumer("c-race-5", TO);
      const results = await Promise.all(Array.from({ length: 5 }, () => inbound(TO, "race-5 the one reply", "race-5-in")));
      console.log(
        `[race 5] 5 deliveries of one inboundMessageId: outcomes ${JSON.stringify(histogram(results.map((r) => r.outcome)))}; ${slowest()}`,
      );

      const stored = results.filter((r) => r.outcome !== "duplicate");
      expect(stored).toHaveLength(1);
      expect(["opened", "joined"]).toContain(stored[0]!.outcome);
      expect(results.filter((r) => r.outcome === "duplicate")).toEqual(
        Array(4).fill({ outcome: "duplicate", inboundMessageId: "race-5-in" }),
      );

      const state = await snapshot(TO);
      expect(state.interactions).toHaveLength(1);
      expect(state.messages).toEqual([expect.objectContaining({ providerMessageId: "race-5-in", body: "race-5 the one reply" })]);
      expect(state.items.filter((i) => i.pk === "INBOUND#race-5-in")).toHaveLength(1);
      expect(await invariantViolations(h.table)).toEqual([]);
    },
    raceTimeout,
  );
});

describe("idempotency under concurrency", () => {
  it(
    "one Idempotency-Key sent 5 times at once: one outcome, one message, one SMS; repeats replay it; another body is refused",
    async () => {
      const TO = "+14155550251";
      await consumer("c-race-6", TO);
      const body = { consumerId: "c-race-6", to: TO, message: "race-6 exactly once" };
      const headers = { "idempotency-key": "k1" };
      const answers = await Promise.all(Array.from({ length: 5 }, () => send(agentA, body, headers)));
      const summary = (a: CallResult) => ({
        status: a.status,
        outcome: a.body?.outcome,
        interactionId: a.body?.interaction?.id,
        messageId: a.body?.message?.id,
      });
      console.log(
        `[race 6] 5 concurrent requests with one Idempotency-Key: statuses ${JSON.stringify(histogram(answers.map((a) => a.status)))}, distinct (outcome, interaction, message) ${new Set(answers.map((a) => JSON.stringify(summary(a)))).size}, message statuses ${JSON.stringify(histogram(answers.map((a) => a.body?.message?.status)))}, ${slowest()}`,
      );

      for (const answer of answers) expect(answer.status, JSON.stringify(answer.body)).toBe(201);
      const first = summary(answers[0]!);
      expect(first.outcome).toBe("created");
      for (const answer of answers) expect(summary(answer)).toEqual(first);
      // A repeat answers the message as it is now: queued, or already handed over by the pipeline.
      for (const answer of answers) expect(["queued", "sending", "sent"]).toContain(answer.body.message.status);
      expect((await h.outbox.list()).filter((e) => e.to === TO)).toHaveLength(1);

      const again = await send(agentA, body, headers);
      expect(summary(again)).toEqual(first);
      expect(again.body.message).toMatchObject({ status: "sent", body: "race-6 exactly once" });
      expect((await h.outbox.list()).filter((e) => e.to === TO)).toHaveLength(1);

      const reused = await send(agentA, { ...body, message: "race-6 something else" }, headers);
      expect(reused.status).toBe(422);
      expect(reused.body.error.code).toBe("IDEMPOTENCY_KEY_REUSED");

      const state = await snapshot(TO);
      expect(state.interactions.map((i) => i.id)).toEqual([first.interactionId]);
      expect(state.messages).toEqual([expect.objectContaining({ id: first.messageId, body: "race-6 exactly once", status: "sent" })]);
      expect((await h.outbox.list()).filter((e) => e.to === TO)).toHaveLength(1);
      expect(await invariantViolations(h.table)).toEqual([]);
    },
    raceTimeout,
  );
});
