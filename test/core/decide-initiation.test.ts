import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ActiveProfileRef } from "../../shared/core/model/channel-user-profile";
import type { ConversationLock } from "../../shared/core/model/conversation-lock";
import type { InteractionHandler } from "../../shared/core/model/interaction";
import { decideInitiation, type InitiationState } from "../../shared/core/rules/decide-initiation";
import type { Decision, ProfileChange } from "../../shared/core/model/initiation";

/**
 * The spec's table ("Initiating a conversation") as rows, straight against the pure rule: the
 * situation of the conversation key (its lock), the number's active profile, and the agent's
 * confirmation, each with the whole Decision expected.
 */
const ME = "c-me";
const OTHER = "c-other";

const lock = (handler: InteractionHandler, consumerId: string | null): ConversationLock => ({
  providerNumber: "+14155550100",
  customerNumber: "+14155550111",
  interactionId: `int_${handler}_${consumerId ?? "nobody"}`,
  interactionCreatedAt: "2026-03-01T08:00:00.000Z",
  consumerId,
  handler,
  state: handler === "queue" ? "queued" : "work_in_progress",
  assignedTo: handler === "agent" ? "agent-bo" : null,
  version: 3,
});
const profile = (consumerId: string): ActiveProfileRef => ({
  profileId: `cup_${consumerId}`,
  consumerId,
  createdAt: "2026-02-01T08:00:00.000Z",
});

const locks = {
  none: undefined,
  agentMine: lock("agent", ME),
  agentNobody: lock("agent", null),
  agentOther: lock("agent", OTHER),
  virtualMine: lock("virtual_agent", ME),
  virtualNobody: lock("virtual_agent", null),
  virtualOther: lock("virtual_agent", OTHER),
  queueMine: lock("queue", ME),
  queueNobody: lock("queue", null),
  queueOther: lock("queue", OTHER),
} as const;
const profiles = { none: undefined, mine: profile(ME), theirs: profile(OTHER) } as const;

type Row = [situation: string, lock: keyof typeof locks, profile: keyof typeof profiles, confirm: boolean, expected: Decision];

const created = (p: ProfileChange): Decision => ({ kind: "create", outcome: "created", profile: p });
const keep = { kind: "keep", consumerId: ME } as const;
const create = { kind: "create" } as const;
const move = { kind: "move", from: profiles.theirs } as const;
const reassociation: Decision = { kind: "reassociation_required", currentConsumerId: OTHER };

// The rows are the spec's table, aligned as columns: prettier leaves them so.
// prettier-ignore
const rows: Row[] = [
  // situation for (from, to)                                    lock            profile   confirm  decision
  ["no active SMS interaction, no profile",                       "none",         "none",   false,   created(create)],
  ["no active SMS interaction, own profile",                      "none",         "mine",   false,   created(keep)],
  ["no active SMS interaction, another's profile, no confirm",    "none",         "theirs", false,   reassociation],
  ["no active SMS interaction, another's profile, confirmed",     "none",         "theirs", true,    created(move)],
  ["agent-handled, same consumer",                                "agentMine",    "mine",   false,   { kind: "inject", outcome: "injected", join: locks.agentMine, assign: false, profile: keep }],
  ["agent-handled, same consumer, number without profile",        "agentMine",    "none",   false,   { kind: "inject", outcome: "injected", join: locks.agentMine, assign: false, profile: create }],
  ["agent-handled, same consumer, another's profile, no confirm", "agentMine",    "theirs", false,   reassociation],
  ["agent-handled, same consumer, another's profile, confirmed",  "agentMine",    "theirs", true,    { kind: "inject", outcome: "injected", join: locks.agentMine, assign: false, profile: move }],
  ["agent-handled, no known consumer",                            "agentNobody",  "mine",   false,   { kind: "inject", outcome: "injected", join: locks.agentNobody, assign: false, profile: keep }],
  ["virtual agent, same consumer",                                "virtualMine",  "mine",   false,   { kind: "replace", outcome: "replaced_virtual_agent", close: locks.virtualMine, profile: keep }],
  ["virtual agent, unknown consumer",                             "virtualNobody","none",   false,   { kind: "replace", outcome: "replaced_virtual_agent", close: locks.virtualNobody, profile: create }],
  ["queue, same consumer: join and assign",                       "queueMine",    "mine",   false,   { kind: "inject", outcome: "injected", join: locks.queueMine, assign: true, profile: keep }],
  ["queue, unknown consumer: join and assign",                    "queueNobody",  "none",   false,   { kind: "inject", outcome: "injected", join: locks.queueNobody, assign: true, profile: create }],
  ["agent-handled, other consumer's, their profile, no confirm",  "agentOther",   "theirs", false,   reassociation],
  ["agent-handled, other consumer's, their profile, confirmed",   "agentOther",   "theirs", true,    { kind: "replace", outcome: "replaced_other_consumer", close: locks.agentOther, profile: move }],
  ["agent-handled, other consumer's, no profile",                 "agentOther",   "none",   false,   { kind: "replace", outcome: "replaced_other_consumer", close: locks.agentOther, profile: create }],
  ["agent-handled, other consumer's, profile already mine",       "agentOther",   "mine",   false,   { kind: "replace", outcome: "replaced_other_consumer", close: locks.agentOther, profile: keep }],
  ["virtual agent, other consumer's, confirmed",                  "virtualOther", "theirs", true,    { kind: "replace", outcome: "replaced_other_consumer", close: locks.virtualOther, profile: move }],
  ["queue, other consumer's, confirmed",                          "queueOther",   "theirs", true,    { kind: "replace", outcome: "replaced_other_consumer", close: locks.queueOther, profile: move }],
  ["confirmation where nothing moves changes nothing",            "agentMine",    "mine",   true,    { kind: "inject", outcome: "injected", join: locks.agentMine, assign: false, profile: keep }],
];

describe("decideInitiation: the spec's table", () => {
  it.each(rows)("%s", (_situation, lockName, profileName, confirm, expected) => {
    const state: InitiationState = {
      consumerId: ME,
      lock: locks[lockName],
      activeProfile: profiles[profileName],
      confirmReassociation: confirm,
    };
    expect(decideInitiation(state)).toEqual(expected);
  });

  it("joins or closes exactly the lock it read (its version is what the transaction re-checks)", () => {
    const read = { ...lock("queue", ME), version: 41 };
    const decision = decideInitiation({ consumerId: ME, lock: read, activeProfile: undefined, confirmReassociation: false });
    expect(decision).toMatchObject({ kind: "inject", join: { version: 41 } });
  });
});

describe("decideInitiation: properties over every state", () => {
  const consumers = fc.constantFrom(ME, OTHER, null);
  const lockArbitrary = fc.option(
    fc.record({
      handler: fc.constantFrom<InteractionHandler>("agent", "virtual_agent", "queue"),
      consumerId: consumers,
      version: fc.integer({ min: 1, max: 1000 }),
      assignedTo: fc.constantFrom("agent-ann", "agent-bo", null),
    }),
    { nil: undefined },
  );
  const profileArbitrary = fc.option(fc.constantFrom(ME, OTHER).map(profile), { nil: undefined });

  it("always one of the table's answers; created exactly when nothing is active; never takes an agent's interaction from them", () => {
    fc.assert(
      fc.property(lockArbitrary, profileArbitrary, fc.boolean(), (drawn, activeProfile, confirm) => {
        const read = drawn ? { ...lock(drawn.handler, drawn.consumerId), version: drawn.version, assignedTo: drawn.assignedTo } : undefined;
        const decision = decideInitiation({ consumerId: ME, lock: read, activeProfile, confirmReassociation: confirm });
        expect(["reassociation_required", "create", "replace", "inject"]).toContain(decision.kind);

        const heldByOther = activeProfile !== undefined && activeProfile.consumerId !== ME;
        expect(decision.kind === "reassociation_required").toBe(heldByOther && !confirm);
        if (decision.kind === "reassociation_required") {
          expect(decision).toEqual({ kind: "reassociation_required", currentConsumerId: OTHER });
          return;
        }
        expect(decision.kind === "create").toBe(read === undefined);
        expect(decision.profile.kind).toBe(activeProfile === undefined ? "create" : heldByOther ? "move" : "keep");
        const outcomeOf = { create: ["created"], inject: ["injected"], replace: ["replaced_virtual_agent", "replaced_other_consumer"] }[
          decision.kind
        ];
        expect(outcomeOf).toContain(decision.outcome);

        if (decision.kind === "inject") {
          expect(decision.join).toBe(read);
          // An agent's conversation stays theirs; only nobody's (the queue's) is taken.
          expect(decision.assign).toBe(read!.handler === "queue");
        }
        if (decision.kind === "replace") {
          expect(decision.close).toBe(read);
          const otherConsumer = read!.consumerId !== null && read!.consumerId !== ME;
          expect(decision.outcome).toBe(otherConsumer ? "replaced_other_consumer" : "replaced_virtual_agent");
        }
        // Same (or unknown) consumer and an agent holds it: joined, never replaced or reassigned.
        if (read?.handler === "agent" && read.consumerId !== OTHER) expect(decision).toMatchObject({ kind: "inject", assign: false });
      }),
      { numRuns: 500 },
    );
  });
});
