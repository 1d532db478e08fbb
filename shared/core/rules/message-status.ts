import type { MessageStatus } from "../model/message";
import type { OutboundStatus } from "../model/message";

/**
 * The order of an outbound message's statuses, declared once. Pure: the DynamoDB adapter builds
 * its conditions from it (`#status IN (...)`), so the database enforces the order, never a
 * read-then-write in code.
 *
 *   scheduled ──► queued ──► sending ──► sent ──► delivered
 *     │  (promotion) │   ▲       │          │
 *     │              │   └───────┤          └────► failed
 *     │              │ throttled │
 *     │              │           ├─────────────────► delivered (a receipt before the verdict)
 *     │              │           └─────────────────► failed    (the transport's refusal, or OUTCOME_UNKNOWN)
 *     │              └─────────────────────────────► failed    (VALIDITY_EXPIRED, or RECIPIENT_OPTED_OUT: the claim met an opt-out)
 *     └────────────────────────────────────────────► failed    (RECIPIENT_OPTED_OUT: consent changed before its time;
 *                                                                NUMBER_MOVED: the number became another customer's)
 *
 * A send made outside the recipient's send window with `scheduleIfOutsideWindow` starts
 * `scheduled`; only the sweep moves it, when its `scheduledFor` comes: `scheduled → queued` (the
 * promotion, which re-checks the customer's opt-outs and that the number is still the customer's)
 * or `scheduled → failed` with `RECIPIENT_OPTED_OUT` or `NUMBER_MOVED`. Receipts never move a scheduled message (it has no provider id yet).
 * The sender claims a `queued` message (`queued → sending`, one conditional write, with the same
 * opt-out checks as the promotion) before it calls the transport; only the claim's holder records
 * the verdict. `delivered` and `failed` are final for
 * receipts: whatever order receipts arrive in, none moves a message back or sideways. The moves back
 * are the sender's put-back of a throttled message (`sending → queued`, same claim) and an agent's
 * retry (`failed → queued`), each its own conditional write.
 */
export const outboundStatuses: readonly OutboundStatus[] = ["scheduled", "queued", "sending", "sent", "delivered", "failed"];

/** Where a delivery receipt may move a message, from each status. A status absent from its own row: a duplicate is a no-op. */
export const forwardMoves: Readonly<Record<OutboundStatus, readonly OutboundStatus[]>> = {
  scheduled: [],
  queued: ["sent", "delivered", "failed"],
  sending: ["sent", "delivered", "failed"],
  sent: ["delivered", "failed"],
  delivered: [],
  failed: [],
};

/** The sender claims only a message in this status. */
export const claimFrom: OutboundStatus = "queued";
/** The transport's verdict (`sent` or `failed`) is recorded only on a message still claimed, by the same claim. */
export const verdictFrom: OutboundStatus = "sending";

/**
 * The sweep's moves of a scheduled message when its time comes: into the queue (then the pipeline
 * hands it over as any other), or ended because the customer opted out meanwhile.
 */
export const scheduledMoves = {
  promote: { from: "scheduled", to: "queued" },
  optedOut: { from: "scheduled", to: "failed" },
} as const satisfies Record<string, { from: OutboundStatus; to: OutboundStatus }>;

/**
 * Waiting for the pipeline, or in its hands: the pending index holds exactly these. A `scheduled`
 * message is not pending: it waits in its own index entry and blocks nothing on its conversation key.
 */
export const pendingStatuses: readonly OutboundStatus[] = ["queued", "sending"];

export function isPending(status: MessageStatus): boolean {
  return (pendingStatuses as readonly string[]).includes(status);
}

/** An agent's retry: only from `failed`. */
export const retryMove = { from: "failed", to: "queued" } as const satisfies { from: OutboundStatus; to: OutboundStatus };

/** The codes the pipeline itself ends a message with (beside the transport's own). */
export const pipelineErrorCodes = {
  /** Not handed over within the provider's `validForSeconds`. */
  validityExpired: "VALIDITY_EXPIRED",
  /** The claim outlived its lease: the SMS may or may not have gone out. Retryable by an agent. */
  outcomeUnknown: "OUTCOME_UNKNOWN",
  /** The carrier's opt-out list refused the recipient; the opt-out is recorded as ours. */
  recipientOptedOut: "RECIPIENT_OPTED_OUT",
  /**
   * A scheduled message whose number's profile moved to another customer before its time (a
   * wrong-customer conversation closed, the number now someone else's): never sent to them.
   */
  numberMoved: "NUMBER_MOVED",
  /** Throttled by the transport: the message goes back to the queue (never stored as a failure). */
  throttled: "THROTTLED",
} as const;

/**
 * An agent may retry a `failed` message, but one ended `NUMBER_MOVED`: its number is another
 * customer's now, and a retry would hand this customer's message to them.
 */
export function isRetryable(message: { status: MessageStatus; errorCode?: string }): boolean {
  return message.status === retryMove.from && message.errorCode !== pipelineErrorCodes.numberMoved;
}

export function isOutboundStatus(status: string): status is OutboundStatus {
  return (outboundStatuses as readonly string[]).includes(status);
}

/** True when a receipt may move a message from `from` to `to`. */
export function mayMoveForward(from: MessageStatus, to: OutboundStatus): boolean {
  return isOutboundStatus(from) && forwardMoves[from].includes(to);
}

/** The statuses a message may be in for a receipt to move it to `to` (the condition's `IN` list); empty for `queued`. */
export function statusesThatMayBecome(to: OutboundStatus): OutboundStatus[] {
  return outboundStatuses.filter((from) => forwardMoves[from].includes(to));
}
