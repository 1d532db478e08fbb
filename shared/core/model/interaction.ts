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
  /** Why it closed: "closed" (an agent or integration), "idle" (the idle sweep). */
  closedReason?: string;
}

/** An agent in the live group profile of an interaction. */
export interface Participant {
  agentId: string;
  joinedAt: string;
}

export type MessageDirection = "inbound" | "outbound";
export type MessageStatus = "queued" | "sent" | "delivered" | "failed" | "received";

export interface Message {
  id: string;
  interactionId: string;
  direction: MessageDirection;
  body: string;
  from: string;
  to: string;
  agentId?: string;
  status: MessageStatus;
  createdAt: string;
  /** Outbound: the transport's id once sent. Inbound: the transport's inbound message id. */
  providerMessageId?: string;
  errorCode?: string;
}

export function isActiveState(state: InteractionState): boolean {
  return state !== "closed_complete" && state !== "closed_abandoned";
}
