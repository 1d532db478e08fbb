import type { ConversationStore } from "../core/ports/conversation-store";
import { ServiceError } from "../core/errors";
import { getInteraction } from "./get-interaction";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import { eventsOf } from "../core/rules/event-catalogue";
import type { InteractionStore } from "../core/ports/interaction-store";

export interface CloseInteractionDeps {
  interactions: Pick<InteractionStore, "get" | "getWithParticipants">;
  conversations: Pick<ConversationStore, "closeInteraction">;
  clock: Clock;
  ids: IdGenerator;
}

/** Closes an interaction (and frees its conversation key) through the one closing transaction. */
export async function closeInteraction(deps: CloseInteractionDeps, interactionId: string, caller: { agentId?: string } = {}) {
  const interaction = await deps.interactions.get(interactionId);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  const now = deps.clock.now().toISOString();
  const actor = caller.agentId ? { type: "agent" as const, id: caller.agentId } : { type: "system" as const };
  const event = eventsOf.interactionClosed(deps.ids.next("evt"), interactionId, now, "closed_by_agent", actor);
  const result = await deps.conversations.closeInteraction(interaction, "closed_complete", now, { event });
  if (result === "not_active") throw new ServiceError("INTERACTION_NOT_ACTIVE", `interaction ${interactionId} is already closed`);
  return getInteraction(deps, interactionId);
}
