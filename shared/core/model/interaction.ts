import type { CloseReason } from "./service-event";

/** One conversation record, SMS or phone. */
export type InteractionType = "sms" | "phone";
export type InteractionState = "new" | "queued" | "work_in_progress" | "closed_complete" | "closed_abandoned";
export type InteractionHandler = "agent" | "virtual_agent" | "queue";

export interface Interaction {
  id: string;
  type: InteractionType;
  state: InteractionState;
  /** Not closed. */
  active: boolean;
  handler: InteractionHandler;
  assignedTo: string | null;
  consumerId: string | null;
  /** SMS: the provider number. */
  from?: string;
  /** SMS: the customer number. Phone: the caller's number. */
  to?: string;
  createdAt: string;
  updatedAt: string;
  /** Last message in or out (creation for a new interaction): drives the idle close. */
  lastActivityAt?: string;
  closedAt?: string;
  /**
   * Why it closed, as its `interaction.closed` event says: `closed_by_agent` (an agent or an
   * integration), `idle` (the idle sweep), `replaced_virtual_agent` / `replaced_other_consumer` (an
   * agent's send replaced it), `erased` (a privacy erasure).
   */
  closedReason?: CloseReason;
}

/** An agent in the live group profile of an interaction. */
export interface Participant {
  agentId: string;
  joinedAt: string;
}

/** The fields that say where an interaction stands: what a desk shows of an ongoing conversation. */
export type InteractionSummary = Pick<Interaction, "id" | "type" | "state" | "handler" | "assignedTo" | "consumerId" | "from" | "to">;

export function summariseInteraction(interaction: Interaction): InteractionSummary {
  const { id, type, state, handler, assignedTo, consumerId, from, to } = interaction;
  return { id, type, state, handler, assignedTo, consumerId, ...(from ? { from } : {}), ...(to ? { to } : {}) };
}

export function isActiveState(state: InteractionState): boolean {
  return state !== "closed_complete" && state !== "closed_abandoned";
}
