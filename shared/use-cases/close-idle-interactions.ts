import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import { eventsOf } from "../core/rules/event-catalogue";
import type { ConversationStore } from "../core/ports/conversation-store";

export interface CloseIdleDeps {
  conversations: Pick<ConversationStore, "listIdle" | "closeInteraction">;
  clock: Clock;
  ids: IdGenerator;
  idleCloseAfterMs: number;
}

/** How many idle interactions one sweep looks at per page; a sweep pages until none is left. */
const pageSize = 50;

/**
 * Closes SMS interactions with no message for the configured time, through the same closing
 * transaction as a manual close (which frees the conversation key), so a stale conversation never
 * captures the customer's next reply. Each close re-checks that nothing happened since the sweep
 * looked; one that got a message meanwhile is left open.
 */
export async function closeIdleInteractions(deps: CloseIdleDeps, budget: { deadline: number } = { deadline: Number.POSITIVE_INFINITY }) {
  const now = deps.clock.now();
  const idleSince = new Date(now.getTime() - deps.idleCloseAfterMs).toISOString();
  let closed = 0;
  let skipped = 0;
  const seen = new Set<string>();
  while (Date.now() < budget.deadline) {
    const idle = (await deps.conversations.listIdle(idleSince, pageSize)).filter((interaction) => !seen.has(interaction.id));
    if (idle.length === 0) break;
    for (const interaction of idle) {
      seen.add(interaction.id);
      const at = now.toISOString();
      const event = eventsOf.interactionClosed(deps.ids.next("evt"), interaction.id, at, "idle", { type: "system" });
      const result = await deps.conversations.closeInteraction(interaction, "closed_complete", at, { idleSince, event });
      if (result === "closed") closed++;
      else skipped++;
    }
  }
  return { idleSince, closed, skipped };
}
