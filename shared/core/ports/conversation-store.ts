import type { ChannelUserProfile, ActiveProfileRef } from "../model/channel-user-profile";
import type { Interaction, Participant } from "../model/interaction";
import type { Message } from "../model/message";
import type { ConversationLock } from "../model/conversation-lock";
import type { Decision, Outcome } from "../model/initiation";
import type { CloseReason, PlannedEvent } from "../model/service-event";
import type { ConsentEntry } from "../model/consent";
import type { Consumer } from "../model/consumer";

/** Everything the service knows about one customer number, read at once (one strongly consistent query). */
export interface NumberState {
  activeProfile: ActiveProfileRef | undefined;
  /** Conversation locks on this number, one per provider number with an active SMS interaction. */
  locks: ConversationLock[];
  /** Consumers whose phone numbers include this one, oldest first. */
  consumerIds: string[];
  /** Provider numbers this customer number opted out of (STOP, the carrier, a person), `*` for all of them. */
  optOuts: string[];
  /** When the customer last wrote to each provider number (ISO 8601), for the send window's reply grace. */
  lastInboundAt: Record<string, string>;
}

/** What an idempotent request left behind, written in the same transaction as its outcome. */
export interface IdempotencyRecord {
  agentId: string;
  key: string;
  requestHash: string;
  outcome: Outcome;
  interactionId: string;
  closedInteractionId?: string;
  messageId: string;
  messageCreatedAt: string;
  createdAt: string;
  /**
   * The interaction as the first answer showed it (with its live group), without its numbers
   * (`from`, `to`: the message carries them, and an erasure finds them there): a repeat answers it
   * without reading it again.
   */
  interaction?: Omit<Interaction, "from" | "to"> & { participants: Participant[] };
}

export interface InitiationPlan {
  decision: Exclude<Decision, { kind: "reassociation_required" }>;
  providerId: string;
  /** The interaction the message lands in: new (create/replace) or the joined one with its new state. */
  interaction: Interaction;
  /** The agent's live-group entry. */
  participant: Participant;
  message: Message;
  /** New profile for create/move. */
  newProfile?: ChannelUserProfile;
  idempotency?: IdempotencyRecord;
  /** False when the agent is already in the live group: no participant is written. */
  newParticipant: boolean;
  /** What happened, written in the same transaction (and numbered by the store). */
  events: PlannedEvent[];
  now: string;
  /**
   * The id of a consumer this send was decided without reading (an E.164 `to` and the send window
   * judged by the number's country): the transaction checks that it exists and has no time zone
   * of its own, and a failed check answers it (`found.consumer`).
   */
  unreadConsumerId?: string;
}

export interface InboundPlan {
  /** Join this lock's interaction, or (undefined) open `interaction` with a new lock. */
  join?: ConversationLock;
  interaction: Interaction;
  message: Message;
  /** STOP records the opt-out of (customer, provider); START lifts it. Either way `consent` is its ledger entry. */
  optOut?: "record" | "lift";
  consent?: ConsentEntry;
  /** The keyword's answer (STOP/START confirmation, HELP text), written `queued` in the same transaction. */
  autoReply?: Message;
  events: PlannedEvent[];
}

/**
 * What a cancelled transaction's failed conditions found stored, to decide again on without
 * reading: a field is there only when its condition failed (null: nothing is stored there now).
 */
export interface FoundState {
  /** The conversation lock of the send's (from, to). */
  lock?: ConversationLock | null;
  activeProfile?: ActiveProfileRef | null;
  /** The unread consumer (`InitiationPlan.unreadConsumerId`): missing, or with a time zone of its own. */
  consumer?: Consumer | null;
  /** The opt-outs in force the send met: its send-from number, `*`, or both. */
  optOuts?: string[];
}

/** Why a transaction was cancelled (the first failed assumption that decides), with what is now stored (from the cancellation reasons). */
export type ApplyResult = { ok: true } | (ApplyFailure & { found?: FoundState });

type ApplyFailure =
  | { ok: false; failed: "lock"; lock: ConversationLock | undefined }
  | { ok: false; failed: "profile"; activeProfile: ActiveProfileRef | undefined }
  | { ok: false; failed: "provider" }
  /** The unread consumer is missing, or has a time zone of its own (`found.consumer`): its send window must be judged again. */
  | { ok: false; failed: "consumer" }
  | { ok: false; failed: "opt_out"; optedOut: boolean }
  /** The number was erased while opted out: the suppression kept under its keyed hash refuses the send. */
  | { ok: false; failed: "suppressed" }
  | { ok: false; failed: "interaction" }
  | { ok: false; failed: "idempotency"; record: IdempotencyRecord }
  /** The agent joined the live group meanwhile (another send of theirs): decide again without joining. */
  | { ok: false; failed: "participant" }
  | { ok: false; failed: "duplicate_inbound" }
  | { ok: false; failed: "conflict" };

export interface CloseOptions {
  /** Close only if the interaction's last activity is still at or before this time (the idle sweep). */
  idleSince?: string;
  /** Stored as the interaction's `closedReason`; by default its event's reason. */
  reason?: CloseReason;
  /** The `interaction.closed` event, written with the close. */
  event?: PlannedEvent;
}

export interface ConversationStore {
  readNumberState(customerNumber: string): Promise<NumberState>;
  applyInitiation(plan: InitiationPlan): Promise<ApplyResult>;
  applyInbound(plan: InboundPlan, inboundMessageId: string): Promise<ApplyResult>;
  /** Closes an active interaction and, for SMS, releases its conversation lock, in one transaction. */
  closeInteraction(
    interaction: Interaction,
    state: "closed_complete" | "closed_abandoned",
    now: string,
    options?: CloseOptions,
  ): Promise<"closed" | "not_active">;
  /** Active SMS interactions whose last activity is before `idleSince`, oldest first. */
  listIdle(idleSince: string, limit: number): Promise<Interaction[]>;
  /** The consumer a keyed send names and the record its key left, if any, read at once (one round trip). */
  getConsumerAndIdempotencyRecord(
    consumerId: string,
    agentId: string,
    key: string,
  ): Promise<{ consumer: Consumer | undefined; record: IdempotencyRecord | undefined }>;
}
