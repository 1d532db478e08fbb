import type { Interaction, Participant } from "../model/interaction";
import type { Message } from "../model/message";

export interface InteractionPage {
  items: Interaction[];
  /** Opaque; absent on the last page. */
  cursor?: string;
}

/** Reads of interactions, and the writes that are not part of a conversation transaction. */
export interface InteractionReader {
  get(interactionId: string): Promise<Interaction | undefined>;
}

export interface InteractionStore extends InteractionReader {
  getWithParticipants(interactionId: string): Promise<(Interaction & { participants: Participant[] }) | undefined>;
  /** Oldest first; `after` comes from a previous page of the same interaction's messages, else `invalid_cursor`. */
  listMessages(
    interactionId: string,
    options: { limit: number; after?: string },
  ): Promise<{ items: Message[]; cursor?: string } | "invalid_cursor">;
  /** Newest first. `cursor` comes from a previous page of the same query; a foreign one is refused with `invalid_cursor`. */
  listByConsumer(
    consumerId: string,
    options: { limit: number; cursor?: string; active?: boolean },
  ): Promise<InteractionPage | "invalid_cursor">;
  listActiveByAssignee(agentId: string, options: { limit: number; cursor?: string }): Promise<InteractionPage | "invalid_cursor">;
  createPhoneInteraction(interaction: Interaction): Promise<void>;
}
