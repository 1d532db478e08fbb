import type { Interaction, InteractionHandler, InteractionState } from "./interaction";

/**
 * The item that makes "one active SMS interaction per (provider number, customer number)" a
 * database rule: it exists exactly while that interaction is active. Only a conditional put
 * creates it, only the closing transaction deletes it, and every transaction that changes the
 * interaction's handler or consumer updates this copy with a condition on what it read.
 */
export interface ConversationLock {
  providerNumber: string;
  customerNumber: string;
  interactionId: string;
  /** The interaction's creation time (its index sort keys need it when it is assigned). */
  interactionCreatedAt: string;
  consumerId: string | null;
  handler: InteractionHandler;
  state: InteractionState;
  assignedTo: string | null;
  /** Bumped by every change: transactions condition on the version they read. */
  version: number;
}

/** The active SMS interaction a lock stands for, as far as the lock knows it (timestamps: creation). */
export function interactionFromLock(lock: ConversationLock): Interaction {
  return {
    id: lock.interactionId,
    type: "sms",
    state: lock.state,
    active: true,
    handler: lock.handler,
    assignedTo: lock.assignedTo,
    consumerId: lock.consumerId,
    from: lock.providerNumber,
    to: lock.customerNumber,
    createdAt: lock.interactionCreatedAt,
    updatedAt: lock.interactionCreatedAt,
  };
}

/** The lock that stands for an active SMS interaction, at `version`. */
export function lockOf(interaction: Interaction, version: number): ConversationLock {
  return {
    providerNumber: interaction.from!,
    customerNumber: interaction.to!,
    interactionId: interaction.id,
    interactionCreatedAt: interaction.createdAt,
    consumerId: interaction.consumerId,
    handler: interaction.handler,
    state: interaction.state,
    assignedTo: interaction.assignedTo,
    version,
  };
}
