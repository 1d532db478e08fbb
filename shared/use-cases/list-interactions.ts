import { ServiceError } from "../core/errors";
import type { InteractionStore } from "../core/ports/interaction-store";

export async function listInteractions(
  deps: { interactions: Pick<InteractionStore, "listByConsumer" | "listActiveByAssignee"> },
  query: { consumerId?: string; assignedTo?: "me"; active?: "true" | "false"; limit?: string; cursor?: string },
  agentId: string,
) {
  const limit = Number(query.limit ?? 25);
  const active = query.active === undefined ? undefined : query.active === "true";
  let page;
  if (query.assignedTo === "me") {
    if (query.consumerId !== undefined || active !== true) {
      throw new ServiceError(
        "VALIDATION_FAILED",
        "assignedTo=me lists your active interactions: add active=true (and no consumerId); use consumerId for history",
      );
    }
    page = await deps.interactions.listActiveByAssignee(agentId, { limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
  } else if (query.consumerId !== undefined) {
    page = await deps.interactions.listByConsumer(query.consumerId, {
      limit,
      ...(query.cursor ? { cursor: query.cursor } : {}),
      ...(active !== undefined ? { active } : {}),
    });
  } else {
    throw new ServiceError("VALIDATION_FAILED", "give consumerId=… or assignedTo=me&active=true");
  }
  if (page === "invalid_cursor") throw new ServiceError("INVALID_CURSOR", "cursor was not given by this list; start again without it");
  return page;
}
