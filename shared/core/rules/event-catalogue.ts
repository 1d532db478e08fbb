import type { Interaction } from "../model/interaction";
import { summariseInteraction } from "../model/interaction";
import type { Message } from "../model/message";
import type { ConsentEntry } from "../model/consent";
import type { Erasure } from "../model/erasure";
import type { CloseReason, EventActor, PlannedEvent } from "../model/service-event";

/**
 * The event catalogue, declared once: what each event carries. Use cases plan these with the
 * change they describe; the store writes them in the same transaction and numbers them.
 */
export const eventsOf = {
  interactionCreated: (id: string, interaction: Interaction, actor: EventActor): PlannedEvent => ({
    id,
    type: "interaction.created",
    occurredAt: interaction.createdAt,
    interactionId: interaction.id,
    actor,
    data: { interaction: summariseInteraction(interaction) },
  }),
  interactionClosed: (
    id: string,
    interactionId: string,
    at: string,
    reason: CloseReason,
    actor: EventActor,
    replacedBy?: string,
  ): PlannedEvent => ({
    id,
    type: "interaction.closed",
    occurredAt: at,
    interactionId,
    actor,
    data: { reason, ...(replacedBy ? { replacedBy } : {}) },
  }),
  participantJoined: (id: string, interactionId: string, agentId: string, at: string): PlannedEvent => ({
    id,
    type: "participant.joined",
    occurredAt: at,
    interactionId,
    actor: { type: "agent", id: agentId },
    data: { agentId },
  }),
  /** `outcome`: for an agent's initiation, what its decision did (created, injected, replaced_…). */
  messageCreated: (id: string, message: Message, actor: EventActor, outcome?: string): PlannedEvent => ({
    id,
    type: "message.created",
    occurredAt: message.createdAt,
    interactionId: message.interactionId,
    actor,
    data: { message, ...(outcome ? { outcome } : {}) },
  }),
  /** A message's status moved (the pipeline, a receipt, a retry); `data.message` as it is after the move. */
  messageStatusChanged: (id: string, message: Message, at: string, actor: EventActor): PlannedEvent => ({
    id,
    type: "message.status_changed",
    occurredAt: at,
    interactionId: message.interactionId,
    actor,
    data: {
      messageId: message.id,
      status: message.status,
      ...(message.errorCode ? { errorCode: message.errorCode } : {}),
      ...(message.providerMessageId ? { providerMessageId: message.providerMessageId } : {}),
    },
  }),
  profileReassociated: (
    id: string,
    interactionId: string,
    at: string,
    change: { phoneNumber: string; fromConsumerId: string; toConsumerId: string },
    agentId: string,
  ): PlannedEvent => ({
    id,
    type: "profile.reassociated",
    occurredAt: at,
    interactionId,
    actor: { type: "agent", id: agentId },
    data: change,
  }),
  /**
   * A consent ledger entry (`entry`): keywords and the carrier's refusals belong to the
   * conversation they arrived in; a person's entry has no interaction.
   */
  consentChanged: (id: string, entry: ConsentEntry, actor: EventActor, interactionId?: string): PlannedEvent => ({
    id,
    type: "consent.changed",
    occurredAt: entry.at,
    ...(interactionId ? { interactionId } : {}),
    actor,
    data: {
      customerNumber: entry.phoneNumber,
      providerNumber: entry.providerNumber,
      optedOut: entry.state === "opted_out",
      state: entry.state,
      source: entry.source,
      entryId: entry.id,
    },
  }),
  /** An erasure completed: what it did, never the number (nor its hash). */
  privacyErased: (id: string, erasure: Erasure, at: string): PlannedEvent => ({
    id,
    type: "privacy.erased",
    occurredAt: at,
    actor: { type: "system" },
    data: { erasureId: erasure.id, requestedBy: erasure.requestedBy, requestedAt: erasure.requestedAt, counts: erasure.counts },
  }),
} as const;
