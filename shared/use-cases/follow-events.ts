import { ServiceError } from "../core/errors";
import type { ServiceEvent } from "../core/model/service-event";
import type { Clock } from "../core/ports/clock-and-ids";
import type { EventStore } from "../core/ports/event-store";

export interface FollowEventsDeps {
  events: Pick<EventStore, "feed" | "feedCursorAt" | "joinedBy">;
  clock: Clock;
  sleep(ms: number): Promise<void>;
}

export interface FeedSettings {
  /**
   * The feed shows an event once this long has passed since it happened: a transaction stamped
   * earlier but committed later than another is then still shown (never skipped by a cursor).
   */
  settleMs: number;
  /** How often a long-poll looks again. */
  pollMs: number;
}

export const defaultFeedSettings: FeedSettings = { settleMs: 1000, pollMs: 200 };

/** Who reads: an agent sees their interactions' events and new virtual-agent and queued ones; an admin, all. */
export interface FeedReader {
  agentId: string;
  admin: boolean;
}

/**
 * `GET /api/now/events`: the events after the cursor, oldest first, that the caller may see.
 * Without a cursor: no items, and the cursor of now. With `waitMs`, holds until there is one to
 * show or the time is up (then no items and a cursor that moved past what was read unseen).
 */
export async function followEvents(
  deps: FollowEventsDeps,
  query: { after?: string; limit: number; waitMs: number },
  reader: FeedReader,
  settings: FeedSettings = defaultFeedSettings,
): Promise<{ items: ServiceEvent[]; cursor: string }> {
  const settled = () => new Date(deps.clock.now().getTime() - settings.settleMs).toISOString();
  // The cursor of now: what happens from here on.
  if (query.after === undefined) return { items: [], cursor: deps.events.feedCursorAt(deps.clock.now().toISOString()) };
  const deadline = deps.clock.now().getTime() + query.waitMs;
  let cursor = query.after;
  for (;;) {
    const page = await deps.events.feed({ after: cursor, settledBefore: settled(), limit: query.limit });
    if (page === "invalid_cursor") {
      throw new ServiceError("INVALID_CURSOR", "after is not a cursor of GET /api/now/events; start again without it");
    }
    cursor = page.cursor;
    const items = await visibleTo(deps, page.items, reader);
    const left = deadline - deps.clock.now().getTime();
    if (items.length > 0 || left <= 0) return { items, cursor };
    if (page.items.length === 0) await deps.sleep(Math.min(settings.pollMs, left));
  }
}

/** The opening of an interaction nobody holds yet is news for every agent. */
function opensToAllAgents(event: ServiceEvent): boolean {
  const handler = (event.data.interaction as { handler?: string } | undefined)?.handler;
  return event.type === "interaction.created" && (handler === "virtual_agent" || handler === "queue");
}

async function visibleTo(deps: FollowEventsDeps, events: ServiceEvent[], reader: FeedReader): Promise<ServiceEvent[]> {
  if (reader.admin || events.length === 0) return events;
  const asked = events.filter((event) => event.interactionId && !opensToAllAgents(event)).map((event) => event.interactionId!);
  const joined = asked.length ? await deps.events.joinedBy(reader.agentId, asked) : new Set<string>();
  return events.filter((event) => opensToAllAgents(event) || (event.interactionId !== undefined && joined.has(event.interactionId)));
}
