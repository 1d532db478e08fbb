import type { IdGenerator } from "../ports/clock-and-ids";
import type { InitiationPlan } from "../ports/conversation-store";
import type { Interaction } from "../model/interaction";
import type { Message } from "../model/message";
import type { SendFromOption } from "../model/provider";
import { interactionFromLock, lockOf, type ConversationLock } from "../model/conversation-lock";
import type { Decision } from "../model/initiation";
import { eventsOf } from "./event-catalogue";

/** What the plan writes besides the decision: who sends what, from which number, to which. */
export interface PlannedSend {
  consumerId: string;
  sender: SendFromOption;
  to: string;
  body: string;
  agentId: string;
  /** False when the agent is already in the joined interaction's live group: no participant nor joined event. */
  newParticipant: boolean;
  /** Outside the window, with `scheduleIfOutsideWindow`: when the window opens (UTC). */
  scheduledFor?: string;
}

/**
 * A decided send as the records one transaction writes (decide-initiation.ts says which row of the
 * spec's table applies): the interaction the message lands in (new, or the joined one, taken by the
 * agent when it waited in the queue), the message (`queued`, or `scheduled` for when the window
 * opens), the profile created or moved to this consumer, and the events in the order they happened:
 * closed, created, joined, reassociated, message created. Pure over its inputs: the time is `now`
 * and every id comes from `ids`.
 */
export function buildInitiationPlan(
  decision: Exclude<Decision, { kind: "reassociation_required" }>,
  send: PlannedSend,
  now: string,
  ids: IdGenerator,
): InitiationPlan {
  const { consumerId, sender, to, agentId } = send;
  const interaction: Interaction =
    decision.kind === "inject"
      ? {
          ...interactionFromLock(decision.join),
          // Nobody holds a queued interaction: the agent who writes takes it. An agent's stays theirs.
          ...(decision.assign ? { state: "work_in_progress" as const, handler: "agent" as const, assignedTo: agentId } : {}),
          updatedAt: now,
          lastActivityAt: now,
        }
      : {
          id: ids.next("int"),
          type: "sms",
          state: "work_in_progress",
          active: true,
          handler: "agent",
          assignedTo: agentId,
          consumerId,
          from: sender.number,
          to,
          createdAt: now,
          updatedAt: now,
          lastActivityAt: now,
        };
  const message: Message = {
    id: ids.next("msg"),
    interactionId: interaction.id,
    direction: "outbound",
    body: send.body,
    from: sender.number,
    to,
    agentId,
    ...(send.scheduledFor ? { status: "scheduled" as const, scheduledFor: send.scheduledFor } : { status: "queued" as const }),
    createdAt: now,
  };
  const agent = { type: "agent" as const, id: agentId };
  const event = () => ids.next("evt");
  const events = [
    ...(decision.kind === "replace"
      ? [eventsOf.interactionClosed(event(), decision.close.interactionId, now, decision.outcome, agent, interaction.id)]
      : []),
    ...(decision.kind === "inject" ? [] : [eventsOf.interactionCreated(event(), interaction, agent)]),
    ...(send.newParticipant ? [eventsOf.participantJoined(event(), interaction.id, agentId, now)] : []),
    ...(decision.profile.kind === "move"
      ? [
          eventsOf.profileReassociated(
            event(),
            interaction.id,
            now,
            { phoneNumber: to, fromConsumerId: decision.profile.from.consumerId, toConsumerId: consumerId },
            agentId,
          ),
        ]
      : []),
    eventsOf.messageCreated(event(), message, agent, decision.outcome),
  ];
  return {
    decision,
    providerId: sender.providerId,
    interaction,
    participant: { agentId, joinedAt: now },
    newParticipant: send.newParticipant,
    events,
    message,
    ...(decision.profile.kind === "keep"
      ? {}
      : {
          newProfile: {
            id: ids.next("cup"),
            phoneNumber: to,
            channel: "sms" as const,
            consumerId,
            active: true,
            createdAt: now,
          },
        }),
    now,
  };
}

/** The key's lock as the plan's transaction leaves it: a new interaction's at 1, a changed one's a version on. */
export function lockAfter(plan: InitiationPlan): ConversationLock {
  const { decision, interaction } = plan;
  if (decision.kind === "create") return lockOf(interaction, 1);
  if (decision.kind === "replace") return lockOf(interaction, decision.close.version + 1);
  return decision.assign ? lockOf(interaction, decision.join.version + 1) : decision.join;
}
