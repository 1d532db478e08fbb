import type { ConversationStore } from "../core/ports/conversation-store";
import { ServiceError } from "../core/errors";
import { getInteraction } from "./get-interaction";
import type { Clock } from "../core/ports/clock-and-ids";
import type { InteractionStore } from "../core/ports/interaction-store";

export interface CloseInteractionDeps {
  interactions: Pick<InteractionStore, "get" | "getWithParticipants">;
  conversations: Pick<ConversationStore, "closeInteraction">;
  clock: Clock;
}

/** Closes an interaction (and frees its conversation key) through the one closing transaction. */
export async function closeInteraction(deps: CloseInteractionDeps, interactionId: string) {
  const interaction = await deps.interactions.get(interactionId);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  const result = await deps.conversations.closeInteraction(interaction, "closed_complete", deps.clock.now().toISOString());
  if (result === "not_active") throw new ServiceError("INTERACTION_NOT_ACTIVE", `interaction ${interactionId} is already closed`);
  return getInteraction(deps, interactionId);
}
