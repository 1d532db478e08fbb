import { ServiceError } from "../core/errors";
import type { InteractionStore } from "../core/ports/interaction-store";

/** `GET /api/now/interactions/{id}/messages`: oldest first, a page at a time (`{ items, cursor? }`). */
export async function listInteractionMessages(
  deps: { interactions: Pick<InteractionStore, "get" | "listMessages"> },
  interactionId: string,
  query: { limit: number; after?: string } = { limit: 100 },
) {
  const [interaction, page] = await Promise.all([
    deps.interactions.get(interactionId),
    deps.interactions.listMessages(interactionId, query),
  ]);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  if (page === "invalid_cursor") {
    throw new ServiceError("INVALID_CURSOR", "after is not a cursor of this interaction's messages; start again without it");
  }
  return page;
}
