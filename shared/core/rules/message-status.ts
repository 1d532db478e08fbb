import type { MessageStatus } from "../model/message";

/**
 * The order of an outbound message's statuses, declared once. Pure: the DynamoDB adapter builds
 * its conditions from it (`#status IN (...)`), so the database enforces the order, never a
 * read-then-write in code.
 *
 *   queued ──► sent ──► delivered
 *     │          │
 *     │          └────► failed
 *     ├─────────────────► delivered
 *     └─────────────────► failed
 *
 * `delivered` and `failed` are final for receipts: whatever order receipts arrive in, and however
 * often one is repeated, none moves a message back or sideways. The one move back is an agent's
 * retry (`failed → queued`), made by its own conditional write.
 */
export type OutboundStatus = Exclude<MessageStatus, "received">;

export const outboundStatuses: readonly OutboundStatus[] = ["queued", "sent", "delivered", "failed"];

/** Where a delivery receipt may move a message, from each status. A status absent from its own row: a duplicate is a no-op. */
export const forwardMoves: Readonly<Record<OutboundStatus, readonly OutboundStatus[]>> = {
  queued: ["sent", "delivered", "failed"],
  sent: ["delivered", "failed"],
  delivered: [],
  failed: [],
};

/** The transport's verdict right after the hand-over (`sent` or `failed`) is recorded only on a message still in this status. */
export const verdictFrom: OutboundStatus = "queued";

/** An agent's retry: the only move back, and only from `failed`. */
export const retryMove = { from: "failed", to: "queued" } as const satisfies { from: OutboundStatus; to: OutboundStatus };

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

export function isRetryable(status: MessageStatus): boolean {
  return status === retryMove.from;
}
