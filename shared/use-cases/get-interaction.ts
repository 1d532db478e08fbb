import { ServiceError } from "../core/errors";
import type { InteractionStore } from "../core/ports/interaction-store";

export async function getInteraction(deps: { interactions: Pick<InteractionStore, "getWithParticipants"> }, interactionId: string) {
  const interaction = await deps.interactions.getWithParticipants(interactionId);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  return interaction;
}
