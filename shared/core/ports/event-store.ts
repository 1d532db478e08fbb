import type { ServiceEvent } from "../model/service-event";

export interface EventPage {
  items: ServiceEvent[];
  /** Where the next page starts; opaque. */
  cursor: string;
}

/** Reads of the events the conversation transactions wrote. Cursors are the store's own, opaque. */
export interface EventStore {
  /**
   * The feed: events after the cursor that happened before `settledBefore`, oldest first; the
   * returned cursor moves past every event read, shown or not.
   */
  feed(options: { after: string; settledBefore: string; limit: number }): Promise<EventPage | "invalid_cursor">;
  /** A cursor at this instant of the feed (what a client without a cursor starts from). */
  feedCursorAt(at: string): string;
  /** One interaction's events after the cursor, in commit order; `cursor` absent on the last page. */
  ofInteraction(
    interactionId: string,
    options: { after?: string; limit: number },
  ): Promise<{ items: ServiceEvent[]; cursor?: string } | "invalid_cursor">;
  /** Of these interactions, the ones the agent joined (is in the live group of). */
  joinedBy(agentId: string, interactionIds: string[]): Promise<Set<string>>;
}
