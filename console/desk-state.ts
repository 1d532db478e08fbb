import { isActiveState } from "../shared/core/model/interaction";
import type { Interaction, InteractionSummary, Message, ServiceEvent } from "./wire";

type MessageStatus = Message["status"];

/**
 * What an agent's desk knows, folded from the service's events: the conversations and, for each,
 * its transcript. Pure (no page, no network) so it can be tested on its own. Everything arrives
 * here as events (the live feed, an interaction's own events when its transcript is opened) or as
 * API answers, in any order and any number of times: an event is applied once (by id), and a
 * message's status is the one of the latest event about it (by the interaction's sequence), so a
 * late or repeated event never moves a status back.
 */

export interface Conversation {
  id: string;
  type: Interaction["type"];
  state: Interaction["state"];
  handler: Interaction["handler"];
  assignedTo: string | null;
  consumerId: string | null;
  from?: string;
  to?: string;
  active: boolean;
  closedReason?: string;
  /** Last message in or out, else the opening: what the list is ordered by. */
  lastActivityAt: string;
  /** The newest message known (its creation time `at`): the row's preview. */
  lastMessage?: { body: string | null; direction: Message["direction"]; at: string };
  /** Customer messages that arrived while the conversation was not open. */
  unread: number;
}

export type TranscriptEntry =
  | { kind: "message"; key: string; at: string; sequence: number; message: Message; statusSequence: number }
  | { kind: "note"; key: string; at: string; sequence: number; text: string };

/** Whether the event changed anything, and an interaction the desk should read (again): one it has no record of, or one it joined. */
export interface Applied {
  changed: boolean;
  fetchInteraction?: string;
}

/** Statuses in the order a message moves through them, for the events that carry no sequence. */
const statusRank: Record<MessageStatus, number> = { scheduled: 0, queued: 1, sending: 2, sent: 3, delivered: 4, failed: 4, received: 4 };

const closeReasons: Record<string, string> = {
  replaced_virtual_agent: "replaced the virtual agent's conversation",
  replaced_other_consumer: "the number moved to another customer",
  idle: "no message for a long time (idle close)",
  closed_by_agent: "closed by an agent",
};

export class DeskState {
  private readonly conversations = new Map<string, Conversation>();
  private readonly transcripts = new Map<string, Map<string, TranscriptEntry>>();
  private readonly seen = new Set<string>();
  /** The conversation on screen: its customer messages are read as they arrive. */
  openConversation: string | undefined;

  constructor(readonly me: string) {}

  /** Newest activity first, active ones before closed ones. */
  list(): Conversation[] {
    return [...this.conversations.values()].sort(
      (a, b) => Number(b.active) - Number(a.active) || b.lastActivityAt.localeCompare(a.lastActivityAt) || a.id.localeCompare(b.id),
    );
  }

  get(id: string): Conversation | undefined {
    return this.conversations.get(id);
  }

  /** Oldest first. */
  transcript(id: string): TranscriptEntry[] {
    return [...(this.transcripts.get(id)?.values() ?? [])].sort(
      (a, b) => a.at.localeCompare(b.at) || a.sequence - b.sequence || a.key.localeCompare(b.key),
    );
  }

  open(id: string | undefined): void {
    this.openConversation = id;
    const conversation = id ? this.conversations.get(id) : undefined;
    if (conversation) conversation.unread = 0;
  }

  /** An interaction as an answer gave it (a list, a send, a look-up); `at` orders a summary without dates. */
  upsertInteraction(interaction: InteractionSummary & Partial<Interaction>, at?: string): void {
    const known = this.conversations.get(interaction.id);
    const active = interaction.active ?? isActiveState(interaction.state);
    const lastMessage = known?.lastMessage ?? this.lastMessageOf(interaction.id);
    const lastActivityAt = [interaction.lastActivityAt, interaction.createdAt, at, known?.lastActivityAt]
      .filter((value): value is string => value !== undefined)
      .reduce((latest, value) => (value > latest ? value : latest), "");
    this.conversations.set(interaction.id, {
      id: interaction.id,
      type: interaction.type,
      state: interaction.state,
      handler: interaction.handler,
      assignedTo: interaction.assignedTo,
      consumerId: interaction.consumerId,
      ...(interaction.from ? { from: interaction.from } : {}),
      ...(interaction.to ? { to: interaction.to } : {}),
      // Closing is final: a stale answer read before the close does not reopen it.
      active: known?.active === false ? false : active,
      ...(interaction.closedReason || known?.closedReason ? { closedReason: interaction.closedReason ?? known?.closedReason } : {}),
      lastActivityAt,
      ...(lastMessage ? { lastMessage } : {}),
      unread: known?.unread ?? 0,
    });
  }

  /**
   * A message as an answer gave it (the send's answer): shown at once, with a status any event
   * about it overrides.
   */
  upsertMessage(message: Message): void {
    this.putMessage(message, -1, -1);
  }

  /**
   * An interaction's newest message as its messages answer gave it: the row's preview, until an
   * event brings a newer one. It stays out of the transcript, which opening reads from the
   * interaction's events (with the notes and every status in order).
   */
  preview(message: Message): void {
    const conversation = this.conversations.get(message.interactionId);
    if (conversation) this.showLast(conversation, message);
  }

  apply(event: ServiceEvent): Applied {
    if (this.seen.has(event.id)) return { changed: false };
    this.seen.add(event.id);
    const id = event.interactionId;
    if (!id) return { changed: false };
    const sequence = event.sequence ?? Number.MAX_SAFE_INTEGER;
    const unknown = this.conversations.has(id) ? {} : { fetchInteraction: id };
    switch (event.type) {
      case "interaction.created": {
        const interaction = event.data.interaction as InteractionSummary;
        this.upsertInteraction(interaction, event.occurredAt);
        const opener = interaction.handler === "virtual_agent" ? "opened for the virtual agent" : "opened";
        this.note(event, `Conversation ${opener}`);
        return { changed: true };
      }
      case "interaction.closed": {
        const conversation = this.conversations.get(id);
        const reason = String(event.data.reason ?? "");
        if (conversation) {
          conversation.active = false;
          conversation.state = "closed_complete";
          conversation.closedReason = reason;
        }
        this.note(event, `Conversation closed: ${closeReasons[reason] ?? reason}`);
        return { changed: true, ...unknown };
      }
      case "participant.joined": {
        const agentId = String(event.data.agentId ?? "");
        this.note(event, `${agentId === this.me ? "You" : agentId} joined`);
        // Joining may also have assigned it (a queued conversation): the desk reads it again.
        return { changed: true, ...(agentId === this.me ? { fetchInteraction: id } : unknown) };
      }
      case "message.created": {
        const message = event.data.message as Message;
        this.putMessage(message, sequence, sequence);
        return { changed: true, ...unknown };
      }
      case "message.status_changed": {
        const entry = this.transcripts.get(id)?.get(`message:${String(event.data.messageId)}`);
        if (!entry || entry.kind !== "message") {
          // A message from before the desk followed the feed: the transcript, once opened, brings it and this event again.
          this.seen.delete(event.id);
          return { changed: false };
        }
        const status = event.data.status as MessageStatus;
        const newer =
          event.sequence === undefined ? statusRank[status] >= statusRank[entry.message.status] : sequence > entry.statusSequence;
        if (!newer) return { changed: false };
        entry.statusSequence = sequence;
        const { errorCode: _previous, ...rest } = entry.message;
        entry.message = { ...rest, status, ...(typeof event.data.errorCode === "string" ? { errorCode: event.data.errorCode } : {}) };
        return { changed: true };
      }
      case "profile.reassociated":
        this.note(
          event,
          `${String(event.data.phoneNumber)} now belongs to ${String(event.data.toConsumerId)} (was ${String(event.data.fromConsumerId)})`,
        );
        return { changed: true, ...unknown };
      case "consent.changed":
        this.note(
          event,
          event.data.optedOut
            ? `The customer opted out of ${String(event.data.providerNumber)}: sends to them from it are refused`
            : `The customer opted back in to ${String(event.data.providerNumber)}`,
        );
        return { changed: true, ...unknown };
      default:
        return { changed: false };
    }
  }

  private lastMessageOf(interactionId: string): Conversation["lastMessage"] {
    const last = this.transcript(interactionId)
      .filter((entry) => entry.kind === "message")
      .at(-1);
    return last ? lastMessageOf(last.message) : undefined;
  }

  private entries(interactionId: string): Map<string, TranscriptEntry> {
    let entries = this.transcripts.get(interactionId);
    if (!entries) {
      entries = new Map();
      this.transcripts.set(interactionId, entries);
    }
    return entries;
  }

  private note(event: ServiceEvent, text: string): void {
    const key = `note:${event.id}`;
    this.entries(event.interactionId!).set(key, { kind: "note", key, at: event.occurredAt, sequence: event.sequence ?? 0, text });
  }

  private putMessage(message: Message, sequence: number, statusSequence: number): void {
    const entries = this.entries(message.interactionId);
    const key = `message:${message.id}`;
    const known = entries.get(key);
    const isNew = known === undefined;
    if (known?.kind === "message") {
      // Keep whichever status is the latest known; the rest of the record is the same message.
      if (statusSequence > known.statusSequence) {
        known.message = message;
        known.statusSequence = statusSequence;
      }
      if (sequence >= 0) known.sequence = sequence;
    } else {
      entries.set(key, { kind: "message", key, at: message.createdAt, sequence: Math.max(sequence, 0), message, statusSequence });
    }
    const conversation = this.conversations.get(message.interactionId);
    if (!conversation) return;
    this.showLast(conversation, message);
    if (isNew && message.direction === "inbound" && this.openConversation !== message.interactionId) conversation.unread += 1;
  }

  /** The message becomes the row's preview unless a newer one is known (a late answer never moves it back). */
  private showLast(conversation: Conversation, message: Message): void {
    if (conversation.lastMessage && message.createdAt < conversation.lastMessage.at) return;
    conversation.lastMessage = lastMessageOf(message);
    if (message.createdAt > conversation.lastActivityAt) conversation.lastActivityAt = message.createdAt;
  }
}

function lastMessageOf(message: Message): NonNullable<Conversation["lastMessage"]> {
  return { body: message.body, direction: message.direction, at: message.createdAt };
}
