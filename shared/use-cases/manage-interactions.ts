import type { ConsumerStore } from "../core/ports/consumer-store";
import type { ConversationStore } from "../core/ports/conversation-store";
import { ServiceError } from "../core/errors";
import { requireValidNumber } from "../core/rules/require-valid-number";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import type { Interaction } from "../core/model/interaction";
import type { InteractionStore } from "../core/ports/interaction-store";

export interface InteractionDeps {
  consumers: Pick<ConsumerStore, "get">;
  interactions: InteractionStore;
  conversations: Pick<ConversationStore, "closeInteraction">;
  clock: Clock;
  ids: IdGenerator;
  defaultCountry: string;
}

/** What a telephony integration records: a call from a customer, handled by the agent who took it. */
export async function createPhoneInteraction(
  deps: Omit<InteractionDeps, "conversations">,
  input: { type: "phone"; consumerId: string; phoneNumber: string },
  agentId: string,
): Promise<Interaction> {
  const consumer = await deps.consumers.get(input.consumerId);
  if (!consumer) throw new ServiceError("CONSUMER_NOT_FOUND", `no consumer has id '${input.consumerId}'`);
  const { e164 } = requireValidNumber({ phoneNumber: input.phoneNumber, consumerLocation: consumer.location, defaultCountry: deps.defaultCountry }, "phoneNumber");
  const now = deps.clock.now().toISOString();
  const interaction: Interaction = {
    id: deps.ids.next("int"),
    type: "phone",
    state: "work_in_progress",
    active: true,
    handler: "agent",
    assignedTo: agentId,
    consumerId: consumer.id,
    to: e164,
    createdAt: now,
    updatedAt: now,
    lastActivityAt: now,
  };
  await deps.interactions.createPhoneInteraction(interaction);
  return interaction;
}

export async function getInteraction(deps: Pick<InteractionDeps, "interactions">, interactionId: string) {
  const interaction = await deps.interactions.getWithParticipants(interactionId);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  return interaction;
}

export async function listInteractionMessages(deps: Pick<InteractionDeps, "interactions">, interactionId: string) {
  const [interaction, messages] = await Promise.all([deps.interactions.get(interactionId), deps.interactions.listMessages(interactionId)]);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  return messages;
}

export async function listInteractions(
  deps: Pick<InteractionDeps, "interactions">,
  query: { consumerId?: string; assignedTo?: "me"; active?: "true" | "false"; limit?: string; cursor?: string },
  agentId: string,
) {
  const limit = Number(query.limit ?? 25);
  const active = query.active === undefined ? undefined : query.active === "true";
  let page;
  if (query.assignedTo === "me") {
    if (query.consumerId !== undefined || active !== true) {
      throw new ServiceError("VALIDATION_FAILED", "assignedTo=me lists your active interactions: add active=true (and no consumerId); use consumerId for history");
    }
    page = await deps.interactions.listActiveByAssignee(agentId, { limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  } else if (query.consumerId !== undefined) {
    page = await deps.interactions.listByConsumer(query.consumerId, { limit, ...(query.cursor ? { cursor: query.cursor } : {}), ...(active !== undefined ? { active } : {}) });
  } else {
    throw new ServiceError("VALIDATION_FAILED", "give consumerId=… or assignedTo=me&active=true");
  }
  if (page === "invalid_cursor") throw new ServiceError("INVALID_CURSOR", "cursor was not given by this list; start again without it");
  return page;
}

/** Closes an interaction (and frees its conversation key) through the one closing transaction. */
export async function closeInteraction(deps: Pick<InteractionDeps, "interactions" | "conversations" | "clock">, interactionId: string) {
  const interaction = await deps.interactions.get(interactionId);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  const result = await deps.conversations.closeInteraction(interaction, "closed_complete", deps.clock.now().toISOString());
  if (result === "not_active") throw new ServiceError("INTERACTION_NOT_ACTIVE", `interaction ${interactionId} is already closed`);
  return getInteraction(deps, interactionId);
}
