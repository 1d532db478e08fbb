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
}

export function isActiveState(state: InteractionState): boolean {
  return state !== "closed_complete" && state !== "closed_abandoned";
}
