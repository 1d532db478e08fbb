/**
 * What happened, for desks and integrations: one event per state change, written in the same
 * transaction as the change (so an event exists exactly when the change committed).
 */
export const eventTypes = [
  "interaction.created",
  "interaction.closed",
  "participant.joined",
  "message.created",
  "message.status_changed",
  "profile.reassociated",
  "consent.changed",
  "privacy.erased",
] as const;

export type EventType = (typeof eventTypes)[number];

/** Why an interaction closed: its `interaction.closed` event's `reason`, and the interaction's `closedReason`. */
export const closeReasons = ["replaced_virtual_agent", "replaced_other_consumer", "idle", "closed_by_agent", "erased"] as const;
export type CloseReason = (typeof closeReasons)[number];

export interface EventActor {
  type: "agent" | "customer" | "system";
  id?: string;
}

export interface ServiceEvent {
  /** Unique: consumers deduplicate by it (delivery is at least once). */
  id: string;
  type: EventType;
  occurredAt: string;
  interactionId?: string;
  /** Within one interaction, strictly increasing in commit order (not contiguous). */
  sequence?: number;
  actor: EventActor;
  data: Record<string, unknown>;
}

/** An event as a use case plans it: the store gives it its sequence when it commits. */
export type PlannedEvent = Omit<ServiceEvent, "sequence">;
