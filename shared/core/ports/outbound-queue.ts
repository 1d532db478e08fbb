import type { SendClaim, StoredMessage } from "../model/message";

/** The transport's verdict on one hand-over, recorded by the claim's holder. */
export type SendVerdict =
  | { status: "sent"; providerMessageId: string; at: string }
  /** `optedOut`: the carrier refused the recipient; the opt-out is recorded with the verdict, in one transaction. */
  | { status: "failed"; errorCode: string; at: string; optedOut?: boolean };

/** A conditional write on a pending message: done, or refused with the message as it is stored now (undefined: gone). */
export type QueueWrite = { done: true; message: StoredMessage } | { done: false; message: StoredMessage | undefined };

/**
 * A write that lets an SMS go (the claim of a queued message, the promotion of a scheduled one): a
 * `QueueWrite`, or refused because the customer opted out meanwhile (nothing written).
 */
export type OptOutCheckedWrite = QueueWrite | { done: false; optedOut: true; message: StoredMessage };

/** The promotion of a scheduled message: as `OptOutCheckedWrite`, or refused because the number is no longer its customer's. */
export type PromoteWrite = OptOutCheckedWrite | { done: false; numberMoved: true; message: StoredMessage };

/**
 * Outbound messages waiting for, or in, the hand-over to the transport. Every method is one
 * conditional write (or one query): who sends is decided by the database, never by a read before
 * a write.
 */
export interface OutboundQueue {
  /**
   * `queued → sending` with this claim, only if still `queued` and as read (not put back or retried
   * since), and only if the customer has not opted out of its send-from number nor of every number
   * (`*`) since it was accepted, checked in the same transaction: else nothing is written and the
   * answer says `optedOut`.
   */
  claim(message: StoredMessage, claim: SendClaim): Promise<OptOutCheckedWrite>;
  /** `sending → sent|failed`, only while `claim` holds it. A receipt that came first stands (answered not done). */
  recordVerdict(message: StoredMessage, claimId: string, verdict: SendVerdict): Promise<QueueWrite>;
  /** `sending → queued` (throttled): released, to be handed over again not before `notBefore`. */
  putBack(message: StoredMessage, claimId: string, change: { notBefore: string; throttled: number }): Promise<QueueWrite>;
  /** `queued → failed` with this code (`VALIDITY_EXPIRED`, or `RECIPIENT_OPTED_OUT` when the claim met an opt-out), only if still `queued`. */
  endQueued(message: StoredMessage, errorCode: string, at: string): Promise<QueueWrite>;
  /** `sending → failed OUTCOME_UNKNOWN`, only while the same claim, with its lease run out, holds it. */
  endLapsedClaim(message: StoredMessage, at: string): Promise<QueueWrite>;
  /**
   * Touches a `queued` message (`redispatchedAt`) so the change stream hands it to the sender
   * again; the sweep also records how often it did (`sweeps`).
   */
  redispatch(message: StoredMessage, at: string, sweeps?: number): Promise<QueueWrite>;
  /** The oldest pending (`queued` or `sending`) message of a conversation key other than `exceptId`, if any. */
  firstPendingOnKey(providerNumber: string, customerNumber: string, exceptId?: string): Promise<StoredMessage | undefined>;
  /** Every pending message sent from this number, by conversation key then age. */
  pendingFrom(providerNumber: string): Promise<StoredMessage[]>;
  /** `scheduled` messages whose `scheduledFor` is at or before `now` (ISO 8601 UTC), earliest first, at most `limit`. */
  dueScheduled(now: string, limit: number): Promise<StoredMessage[]>;
  /**
   * `scheduled → queued` (into the pending index, so the change stream hands it to the sender),
   * only if still `scheduled` and only if the customer has not opted out of its send-from number
   * nor of every number (`*`), checked in the same transaction: else nothing is written and the
   * answer says `optedOut`. With `consumerId` (the customer the message was written for), also
   * only if the number's active profile is still that customer's: else the answer says `numberMoved`.
   */
  promoteScheduled(message: StoredMessage, at: string, consumerId?: string): Promise<PromoteWrite>;
  /** `scheduled → failed` with this code (the customer opted out before its time), only if still `scheduled`. */
  endScheduled(message: StoredMessage, errorCode: string, at: string): Promise<QueueWrite>;
}

/** A slot to hand over `segments` from a provider number, at most `mps` segments per second. */
export type PaceReservation = { reserved: true; at: string } | { reserved: false; next: string };

export interface Pacer {
  /** Reserves the earliest slot at or after `now`, if it is no later than `latest`; else says when the next one is. */
  reserve(providerNumber: string, segments: number, mps: number, now: string, latest: string): Promise<PaceReservation>;
  /** After a hand-over that began later than its slot: the number's next slot is no earlier than `nextFreeAt`. */
  handedOver(providerNumber: string, nextFreeAt: string): Promise<void>;
}
