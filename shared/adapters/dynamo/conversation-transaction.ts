import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { ActiveProfileRef } from "../../core/model/channel-user-profile";
import type { Consumer } from "../../core/model/consumer";
import type { ConversationLock } from "../../core/model/conversation-lock";
import type { ApplyResult, FoundState, IdempotencyRecord } from "../../core/ports/conversation-store";
import { transactNumbered, type EventNumbering } from "./event-numbering";
import { fromItem } from "./items";
import type { Cancellation, Named } from "./transaction";

/**
 * The runner of a conversation's transactions (a send's, an inbound message's, a close's): what a
 * cancellation means for the conversation, read from the assumptions its items re-check.
 */

/** The assumptions a conversation's transaction re-checks, so its cancellation says which failed. */
export type ConversationAssumption =
  | "lock"
  | "profile"
  | "provider"
  | "opt_out"
  | "suppressed"
  | "interaction"
  | "idempotency"
  | "duplicate_inbound"
  | "participant"
  | "consumer";

/** A transaction's outcome, and (when an interaction's event sequence ran ahead of ours) the sequence to start after. */
type Applied = ApplyResult & { sequenceAfter?: number };

/**
 * Builds and runs a transaction whose events are numbered; a cancellation says which assumption
 * failed, with the stored item where there is one. When another transaction numbered an
 * interaction's events past ours (a clock behind another's), numbers them again after it.
 */
export async function applyConversationWrites(
  client: DynamoDBDocumentClient,
  now: string,
  build: (numbering: EventNumbering) => Named<ConversationAssumption>[],
): Promise<ApplyResult> {
  const cancelled = await transactNumbered(client, now, build, (cancelled) => outcomeOf(cancelled)?.sequenceAfter);
  if (cancelled === undefined) return { ok: true };
  if (cancelled === "kept colliding") return { ok: false, failed: "conflict" };
  const outcome = outcomeOf(cancelled);
  // Anything else (an unnamed item's condition, a request DynamoDB refused) is a bug to see.
  if (!outcome) throw cancelled.error;
  const { sequenceAfter: _sequenceAfter, ...applied } = outcome;
  return applied as ApplyResult;
}

/**
 * What a cancellation means for the conversation: the first failed assumption that decides, with
 * what the failed conditions found stored; a conflict when only contention cancelled it; undefined
 * when nothing explains it.
 */
function outcomeOf(cancelled: Cancellation<ConversationAssumption>): Applied | undefined {
  const found = foundState(cancelled);
  const failure = firstFailure(cancelled, found);
  if (failure) return { ...failure, ...(Object.keys(found).length > 0 ? { found } : {}) };
  // Another transaction held an item, or throttling: worth another try.
  if (cancelled.contended) return { ok: false, failed: "conflict" };
  return undefined;
}

/** Each failed condition's stored item that the send decides again on (null: nothing is stored there). */
function foundState(cancelled: Cancellation<ConversationAssumption>): FoundState {
  const found: FoundState = {};
  const stored = <T>(assumption: ConversationAssumption) => {
    const item = cancelled.found(assumption);
    return item ? fromItem<T>(item) : null;
  };
  if (cancelled.failed("lock")) found.lock = stored<ConversationLock>("lock");
  if (cancelled.failed("profile")) found.activeProfile = stored<ActiveProfileRef>("profile");
  if (cancelled.failed("consumer")) found.consumer = stored<Consumer>("consumer");
  // Both opt-out checks may fail (the number's own and `*`): each names its send-from number.
  const optOuts = cancelled.failures.flatMap(({ assumption, found: item }) =>
    assumption === "opt_out" && item ? [String(item.providerNumber)] : [],
  );
  if (optOuts.length > 0) found.optOuts = optOuts;
  return found;
}

/** The failed assumption that decides what happens next: refusals first, then the state to decide again on. */
function firstFailure(cancelled: Cancellation<ConversationAssumption>, found: FoundState): Applied | undefined {
  if (cancelled.failed("idempotency"))
    return { ok: false, failed: "idempotency", record: fromItem<IdempotencyRecord>(cancelled.found("idempotency")!) };
  if (cancelled.failed("duplicate_inbound")) return { ok: false, failed: "duplicate_inbound" };
  if (found.consumer === null) return { ok: false, failed: "consumer" };
  if (cancelled.failed("provider")) return { ok: false, failed: "provider" };
  if (cancelled.failed("opt_out")) return { ok: false, failed: "opt_out", optedOut: true };
  if (cancelled.failed("suppressed")) return { ok: false, failed: "suppressed" };
  if (found.lock !== undefined) return { ok: false, failed: "lock", lock: found.lock ?? undefined };
  if (found.activeProfile !== undefined) return { ok: false, failed: "profile", activeProfile: found.activeProfile ?? undefined };
  if (cancelled.failed("participant")) return { ok: false, failed: "participant" };
  if (cancelled.failed("interaction")) {
    // Still active, with events numbered at or past ours: number ours again after them.
    const stored = cancelled.found("interaction");
    const last = stored?.active === true ? stored.lastEventSequence : undefined;
    return { ok: false, failed: "interaction", ...(typeof last === "number" ? { sequenceAfter: last } : {}) };
  }
  if (found.consumer) return { ok: false, failed: "consumer" };
  return undefined;
}
