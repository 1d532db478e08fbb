import { describe, expect, it } from "vitest";
import { ServiceError } from "../../shared/core/errors";
import { closeInteraction } from "../../shared/use-cases/close-interaction";
import { ANN, BILLING, BOB, desk, FRESH, inbound, interactionOf, SECOND, send, sent, SUPPORT } from "./fixtures";

/**
 * The use cases over in-memory ports: the spec's conversation rules proven without DynamoDB Local.
 * The DynamoDB Local suites (test/messages, test/interactions) prove the same rules hold under the
 * table's conditions and transactions; these prove the use cases ask for the right thing.
 */
async function refusal(promise: Promise<unknown>): Promise<ServiceError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(error instanceof ServiceError)) throw new Error(`expected a ServiceError, got ${String(error)}`);
  return error;
}

describe("initiating over in-memory ports", () => {
  it("creates an agent-handled interaction and its lock when nothing is active", async () => {
    const ports = await desk();
    const result = await sent(send(ports, "agent-al", { consumerId: "c-ann" }));
    expect(result.outcome).toBe("created");
    expect(result.interaction).toMatchObject({
      type: "sms",
      active: true,
      handler: "agent",
      assignedTo: "agent-al",
      from: SUPPORT,
      to: ANN,
    });
    expect(ports.world.lockOf(ANN, SUPPORT)?.interactionId).toBe(result.interaction.id);
    expect(ports.world.activeSmsOn(ANN, SUPPORT)).toHaveLength(1);
  });

  it("joins the conversation already running on the key, as a second participant", async () => {
    const ports = await desk();
    const first = await sent(send(ports, "agent-al", { consumerId: "c-ann" }));
    ports.clock.advance(SECOND);
    const second = await sent(send(ports, "agent-bo", { consumerId: "c-ann" }));
    expect(second.outcome).toBe("injected");
    expect(second.interaction.id).toBe(first.interaction.id);
    expect(second.interaction.participants.map((p) => p.agentId).sort()).toEqual(["agent-al", "agent-bo"]);
    expect(ports.world.messagesOf(first.interaction.id)).toHaveLength(2);
  });

  it("closes the virtual agent's conversation and starts the agent's own", async () => {
    const ports = await desk();
    const opened = interactionOf(await inbound(ports, ANN, "hi"));
    expect(ports.world.interactions.get(opened)?.handler).toBe("virtual_agent");
    ports.clock.advance(SECOND);
    const result = await sent(send(ports, "agent-al", { consumerId: "c-ann" }));
    expect(result.outcome).toBe("replaced_virtual_agent");
    expect(result.closedInteractionId).toBe(opened);
    expect(ports.world.interactions.get(opened)?.active).toBe(false);
    expect(ports.world.activeSmsOn(ANN, SUPPORT).map((i) => i.id)).toEqual([result.interaction.id]);
  });

  it("asks before moving a number from one customer to another, then moves it", async () => {
    const ports = await desk();
    const before = ports.world.snapshot();
    const error = await refusal(send(ports, "agent-al", { consumerId: "c-bob", to: ANN }));
    expect(error.code).toBe("PROFILE_REASSOCIATION_REQUIRED");
    expect(ports.world.snapshot()).toEqual(before);
    const result = await sent(send(ports, "agent-al", { consumerId: "c-bob", to: ANN, confirmReassociation: true }));
    expect(result.interaction.consumerId).toBe("c-bob");
    expect(ports.world.activeProfiles.get(ANN)?.consumerId).toBe("c-bob");
  });

  it("writes nothing for a dry run", async () => {
    const ports = await desk();
    const before = ports.world.snapshot();
    const answer = await send(ports, "agent-al", { consumerId: "c-bob", dryRun: true });
    expect(answer).toMatchObject({ dryRun: true, outcome: "created", from: SUPPORT, to: BOB });
    expect(ports.world.snapshot()).toEqual(before);
  });

  it("refuses a number that opted out on that provider number, and sends from another", async () => {
    const ports = await desk();
    await inbound(ports, ANN, "STOP");
    ports.clock.advance(SECOND);
    const before = ports.world.allMessages().length;
    expect((await refusal(send(ports, "agent-al", { consumerId: "c-ann" }))).code).toBe("RECIPIENT_OPTED_OUT");
    expect(ports.world.allMessages()).toHaveLength(before);
    const other = await sent(send(ports, "agent-al", { consumerId: "c-ann", from: BILLING }));
    expect(other.interaction.from).toBe(BILLING);
  });

  it("replays an idempotent send without writing twice, and refuses the key with another body", async () => {
    const ports = await desk();
    const first = await sent(send(ports, "agent-al", { consumerId: "c-ann" }, "key-1"));
    const count = ports.world.allMessages().length;
    const replay = await sent(send(ports, "agent-al", { consumerId: "c-ann" }, "key-1"));
    expect(replay.message.id).toBe(first.message.id);
    expect(ports.world.allMessages()).toHaveLength(count);
    const error = await refusal(send(ports, "agent-al", { consumerId: "c-ann", message: "other text" }, "key-1"));
    expect(error.code).toBe("IDEMPOTENCY_KEY_REUSED");
  });

  it("decides again when another send commits between its read and its transaction", async () => {
    const ports = await desk();
    let rival: string | undefined;
    ports.beforeNextApply(async () => {
      rival = (await sent(send(ports, "agent-bo", { consumerId: "c-ann" }))).interaction.id;
    });
    const result = await sent(send(ports, "agent-al", { consumerId: "c-ann" }));
    expect(result.outcome).toBe("injected");
    expect(result.interaction.id).toBe(rival);
    expect(ports.world.activeSmsOn(ANN, SUPPORT)).toHaveLength(1);
  });

  it("refuses a number that is not a phone number with a code that says so", async () => {
    const ports = await desk();
    expect((await refusal(send(ports, "agent-al", { consumerId: "c-ann", to: "12" }))).code).toBe("INVALID_PHONE_NUMBER");
  });
});

describe("replies over in-memory ports", () => {
  it("joins the running conversation, and opens a virtual-agent one when none runs", async () => {
    const ports = await desk();
    const conversation = await sent(send(ports, "agent-al", { consumerId: "c-ann" }));
    ports.clock.advance(SECOND);
    const reply = await inbound(ports, ANN, "thanks");
    expect(reply).toMatchObject({ outcome: "joined", interactionId: conversation.interaction.id });
    const fresh = await inbound(ports, FRESH, "who is this?");
    expect(fresh.outcome).toBe("opened");
    expect(ports.world.interactions.get(interactionOf(fresh))).toMatchObject({ handler: "virtual_agent", consumerId: null });
  });

  it("answers STOP with a confirmation written queued with it, once; a second STOP changes nothing", async () => {
    const ports = await desk();
    const first = await inbound(ports, ANN, "STOP");
    expect(first).toMatchObject({ outcome: "opened", keyword: "stop", autoReplyMessageId: expect.any(String) });
    const interactionId = interactionOf(first);
    expect(ports.world.messagesOf(interactionId).map((m) => [m.direction, m.status])).toEqual([
      ["inbound", "received"],
      ["outbound", "queued"],
    ]);
    ports.clock.advance(SECOND);
    const second = await inbound(ports, ANN, "stop");
    expect(second).not.toHaveProperty("autoReplyMessageId");
    expect(ports.world.messagesOf(interactionId).filter((m) => m.direction === "outbound")).toHaveLength(1);
  });

  it("stores a redelivered reply once", async () => {
    const ports = await desk();
    await inbound(ports, ANN, "hello", { inboundMessageId: "dup-1" });
    const again = await inbound(ports, ANN, "hello", { inboundMessageId: "dup-1" });
    expect(again.outcome).toBe("duplicate");
    expect(ports.world.allMessages().filter((m) => m.direction === "inbound")).toHaveLength(1);
  });

  it("opens a new conversation after the agent closed the last one", async () => {
    const ports = await desk();
    const conversation = await sent(send(ports, "agent-al", { consumerId: "c-ann" }));
    await closeInteraction(ports, conversation.interaction.id);
    ports.clock.advance(SECOND);
    const reply = await inbound(ports, ANN, "one more thing");
    expect(reply.outcome).toBe("opened");
    expect(interactionOf(reply)).not.toBe(conversation.interaction.id);
    expect(ports.world.activeSmsOn(ANN, SUPPORT)).toHaveLength(1);
  });
});
