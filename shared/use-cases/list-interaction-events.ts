import { ServiceError } from "../core/errors";
import type { EventStore } from "../core/ports/event-store";
import type { InteractionReader } from "../core/ports/interaction-store";

/** `GET /api/now/interactions/{id}/events`: one interaction's events in commit order, for a transcript. */
export async function listInteractionEvents(
  deps: { events: Pick<EventStore, "ofInteraction">; interactions: InteractionReader },
  interactionId: string,
  query: { after?: string; limit: number },
) {
  const [interaction, page] = await Promise.all([
    deps.interactions.get(interactionId),
    deps.events.ofInteraction(interactionId, { limit: query.limit, ...(query.after !== undefined ? { after: query.after } : {}) }),
  ]);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  if (page === "invalid_cursor") {
    throw new ServiceError("INVALID_CURSOR", `after is not a cursor of this interaction's events; start again without it`);
  }
  return page;
}
