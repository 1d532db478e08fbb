import { describe, expect, it } from "vitest";
import type { ActiveProfileRef } from "../../shared/core/model/channel-user-profile";
import type { ConversationLock } from "../../shared/core/model/conversation-lock";
import type { InteractionHandler } from "../../shared/core/model/interaction";
import type { IdGenerator } from "../../shared/core/ports/clock-and-ids";
import type { Decision } from "../../shared/core/model/initiation";
import { buildInitiationPlan, lockAfter, type PlannedSend } from "../../shared/core/rules/initiation-plan";

/**
 * The records a decided send writes in its one transaction, straight against the pure rule: for
 * each kind of decision, the interaction the message lands in, the message, the events in the
 * order they happened, the profile written, and the lock the transaction leaves on the key.
 */
const NOW = "2026-03-02T09:00:00.000Z";
const STARTED = "2026-03-01T08:00:00.000Z";
const SUPPORT = { number: "+14155550100", providerId: "prv_support", name: "Support" };
const ANN = "+14155550111";

/** `<prefix>_1`, `<prefix>_2`, … per prefix: which id went where shows the order they were taken in. */
function countingIds(): IdGenerator {
  const counters = new Map<string, number>();
  return {
    next(prefix) {
      const n = (counters.get(prefix) ?? 0) + 1;
      counters.set(prefix, n);
      return `${prefix}_${n}`;
    },
  };
}

const lock = (handler: InteractionHandler, consumerId: string | null, assignedTo: string | null): ConversationLock => ({
  providerNumber: SUPPORT.number,
  customerNumber: ANN,
  interactionId: "int_running",
  interactionCreatedAt: STARTED,
  consumerId,
  handler,
  state: handler === "queue" ? "queued" : "work_in_progress",
  assignedTo,
  version: 4,
});
const theirs: ActiveProfileRef = { profileId: "cup_theirs", consumerId: "c-bob", createdAt: STARTED };

const send = (overrides: Partial<PlannedSend> = {}): PlannedSend => ({
  consumerId: "c-ann",
  sender: SUPPORT,
  to: ANN,
  body: "Your parcel ships today",
  agentId: "agent-ann",
  newParticipant: true,
  ...overrides,
});
/** Ann's SMS interaction on the key as the plan writes it: held by the sending agent, active now. */
const heldByTheAgent = (id: string, createdAt: string) => ({
  id,
  type: "sms",
  state: "work_in_progress",
  active: true,
  handler: "agent",
  assignedTo: "agent-ann",
  consumerId: "c-ann",
  from: SUPPORT.number,
  to: ANN,
  createdAt,
  updatedAt: NOW,
  lastActivityAt: NOW,
});
type Decided = Exclude<Decision, { kind: "reassociation_required" }>;
const plan = (decision: Decided, overrides: Partial<PlannedSend> = {}) =>
  buildInitiationPlan(decision, send(overrides), NOW, countingIds());
const eventsIn = (events: { id: string; type: string; interactionId?: string }[]) =>
  events.map(({ id, type, interactionId }) => [id, type, interactionId]);

describe("the plan of a decided send", () => {
  it("create: a new interaction taken by the agent, the message queued in it, the number's new profile, the lock at version 1", () => {
    const decision: Decided = { kind: "create", outcome: "created", profile: { kind: "create" } };
    const planned = plan(decision);
    expect(planned).toMatchObject({ decision, providerId: "prv_support", now: NOW, newParticipant: true });
    expect(planned.interaction).toEqual(heldByTheAgent("int_1", NOW));
    expect(planned.participant).toEqual({ agentId: "agent-ann", joinedAt: NOW });
    expect(planned.message).toEqual({
      id: "msg_1",
      interactionId: "int_1",
      direction: "outbound",
      body: "Your parcel ships today",
      from: SUPPORT.number,
      to: ANN,
      agentId: "agent-ann",
      status: "queued",
      createdAt: NOW,
    });
    expect(eventsIn(planned.events)).toEqual([
      ["evt_1", "interaction.created", "int_1"],
      ["evt_2", "participant.joined", "int_1"],
      ["evt_3", "message.created", "int_1"],
    ]);
    expect(planned.events[2]!.data).toEqual({ message: planned.message, outcome: "created" });
    expect(planned.newProfile).toEqual({
      id: "cup_1",
      phoneNumber: ANN,
      channel: "sms",
      consumerId: "c-ann",
      active: true,
      createdAt: NOW,
    });
    expect(lockAfter(planned)).toEqual({
      providerNumber: SUPPORT.number,
      customerNumber: ANN,
      interactionId: "int_1",
      interactionCreatedAt: NOW,
      consumerId: "c-ann",
      handler: "agent",
      state: "work_in_progress",
      assignedTo: "agent-ann",
      version: 1,
    });
  });

  it("create on the consumer's own profile keeps it: no profile is written", () => {
    const planned = plan({ kind: "create", outcome: "created", profile: { kind: "keep", consumerId: "c-ann" } });
    expect(planned).not.toHaveProperty("newProfile");
    expect(eventsIn(planned.events).map(([, type]) => type)).toEqual(["interaction.created", "participant.joined", "message.created"]);
  });

  it("outside the window, asked to schedule: the message is stored scheduled for when it opens, not queued", () => {
    const planned = plan(
      { kind: "create", outcome: "created", profile: { kind: "keep", consumerId: "c-ann" } },
      { scheduledFor: "2026-03-02T13:00:00.000Z" },
    );
    expect(planned.message).toMatchObject({ status: "scheduled", scheduledFor: "2026-03-02T13:00:00.000Z" });
    expect(planned.events.at(-1)!.data).toMatchObject({ message: { status: "scheduled", scheduledFor: "2026-03-02T13:00:00.000Z" } });
  });

  it("inject into a queued interaction: the agent takes it, joins it, no interaction is created, the lock moves a version on", () => {
    const join = lock("queue", "c-ann", null);
    const planned = plan({ kind: "inject", outcome: "injected", join, assign: true, profile: { kind: "keep", consumerId: "c-ann" } });
    expect(planned.interaction).toEqual(heldByTheAgent("int_running", STARTED));
    expect(planned.message).toMatchObject({ id: "msg_1", interactionId: "int_running", status: "queued" });
    expect(eventsIn(planned.events)).toEqual([
      ["evt_1", "participant.joined", "int_running"],
      ["evt_2", "message.created", "int_running"],
    ]);
    expect(planned.events[1]!.data).toMatchObject({ outcome: "injected" });
    expect(planned.newProfile).toBeUndefined();
    expect(lockAfter(planned)).toEqual({ ...join, handler: "agent", state: "work_in_progress", assignedTo: "agent-ann", version: 5 });
  });

  it("inject into another agent's interaction the agent is already in: nobody is reassigned, no join, the lock is left as read", () => {
    const join = lock("agent", "c-ann", "agent-bo");
    const planned = plan(
      { kind: "inject", outcome: "injected", join, assign: false, profile: { kind: "keep", consumerId: "c-ann" } },
      { newParticipant: false },
    );
    expect(planned.interaction).toMatchObject({
      id: "int_running",
      handler: "agent",
      state: "work_in_progress",
      assignedTo: "agent-bo",
      createdAt: STARTED,
      updatedAt: NOW,
      lastActivityAt: NOW,
    });
    expect(planned.newParticipant).toBe(false);
    expect(eventsIn(planned.events)).toEqual([["evt_1", "message.created", "int_running"]]);
    expect(lockAfter(planned)).toBe(join);
  });

  it("replace another consumer's interaction: closed, created, joined, reassociated, message created; the profile moves; the new lock is a version on the closed one's", () => {
    const close = lock("virtual_agent", "c-bob", null);
    const decision: Decided = { kind: "replace", outcome: "replaced_other_consumer", close, profile: { kind: "move", from: theirs } };
    const planned = plan(decision);
    expect(planned.interaction).toMatchObject({
      id: "int_1",
      handler: "agent",
      assignedTo: "agent-ann",
      consumerId: "c-ann",
      createdAt: NOW,
    });
    expect(planned.message).toMatchObject({ id: "msg_1", interactionId: "int_1", status: "queued" });
    expect(eventsIn(planned.events)).toEqual([
      ["evt_1", "interaction.closed", "int_running"],
      ["evt_2", "interaction.created", "int_1"],
      ["evt_3", "participant.joined", "int_1"],
      ["evt_4", "profile.reassociated", "int_1"],
      ["evt_5", "message.created", "int_1"],
    ]);
    expect(planned.events[0]).toMatchObject({
      occurredAt: NOW,
      actor: { type: "agent", id: "agent-ann" },
      data: { reason: "replaced_other_consumer", replacedBy: "int_1" },
    });
    expect(planned.events[3]!.data).toEqual({ phoneNumber: ANN, fromConsumerId: "c-bob", toConsumerId: "c-ann" });
    expect(planned.newProfile).toMatchObject({ id: "cup_1", phoneNumber: ANN, consumerId: "c-ann", active: true });
    expect(lockAfter(planned)).toMatchObject({ interactionId: "int_1", consumerId: "c-ann", handler: "agent", version: 5 });
  });

  it("replace a virtual agent's interaction on the consumer's own profile: closed and created, the profile kept", () => {
    const close = lock("virtual_agent", "c-ann", null);
    const planned = plan({
      kind: "replace",
      outcome: "replaced_virtual_agent",
      close,
      profile: { kind: "keep", consumerId: "c-ann" },
    });
    expect(planned.events.map((event) => event.type)).toEqual([
      "interaction.closed",
      "interaction.created",
      "participant.joined",
      "message.created",
    ]);
    expect(planned.events[0]!.data).toEqual({ reason: "replaced_virtual_agent", replacedBy: "int_1" });
    expect(planned.newProfile).toBeUndefined();
  });
});
