import { ServiceError } from "../core/errors";
import type { InteractionStore } from "../core/ports/interaction-store";

export async function listInteractionMessages(
  deps: { interactions: Pick<InteractionStore, "get" | "listMessages"> },
  interactionId: string,
) {
  const [interaction, messages] = await Promise.all([deps.interactions.get(interactionId), deps.interactions.listMessages(interactionId)]);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  return messages;
}
