import type { StoredMessage } from "../core/model/message";
import { defaultValidForSeconds, type Provider } from "../core/model/provider";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import type { OutboundQueue, Pacer, SendVerdict } from "../core/ports/outbound-queue";
import { SmsSendError, type SmsTransport } from "../core/ports/sms-transport";
import { pipelineErrorCodes } from "../core/rules/message-status";
import { smsEncoding } from "../core/rules/sms-segments";
import { paceInterval } from "../core/rules/pacing";

export interface HandOverDeps {
  queue: OutboundQueue;
  pacer: Pacer;
  transport: SmsTransport;
  clock: Clock;
  ids: IdGenerator;
  /** Waits (a pacing slot, a throttle backoff); tests pass one that moves a fake clock. */
  sleep(ms: number): Promise<void>;
}

export interface HandOverSettings {
  /** How long a claim may stay `sending` before the sweep ends it `OUTCOME_UNKNOWN`: longer than any transport call. */
  leaseMs: number;
  /** Backoff after the n-th "throttled": base · 2^(n-1), capped. */
  throttleBaseMs: number;
  throttleMaxMs: number;
}

export const defaultHandOverSettings: HandOverSettings = { leaseMs: 2 * 60_000, throttleBaseMs: 1000, throttleMaxMs: 60_000 };

export type HandOverOutcome =
  /** The record is about a message that is not (or no longer) `queued` and outbound: nothing to do. */
  | "not_queued"
  | "sent"
  | "failed"
  /** Past its validity: ended `failed` `VALIDITY_EXPIRED`. */
  | "expired"
  /** Not due before the deadline (throttle backoff, or no pacing slot in time): the sweep dispatches it again when due. */
  | "held_back"
  /** An earlier message of its conversation key is pending: that one's end dispatches this one. */
  | "behind_earlier"
  /** Another sender (or a redelivered record) claimed it, or it changed since this record: the claim decides, nothing sent. */
  | "claimed_elsewhere"
  /** The transport throttled it: back in the queue with backoff. */
  | "throttled"
  /** The customer opted out after it was accepted (the claim's check met the opt-out): ended `failed` `RECIPIENT_OPTED_OUT`, never handed over. */
  | "opted_out";

/**
 * When a message's validity ends: its provider's `validForSeconds` after it was accepted, or, for a
 * scheduled one, after its `scheduledFor` (or after its retry).
 */
export function validUntilFor(message: StoredMessage, provider: Pick<Provider, "validForSeconds"> | undefined): Date {
  const from = Date.parse(message.retriedAt ?? message.scheduledFor ?? message.createdAt);
  return new Date(from + (provider?.validForSeconds ?? defaultValidForSeconds) * 1000);
}

/**
 * Hands one `queued` outbound message to the transport, once, from a change-stream record:
 * checks its validity, keeps the order of its conversation key, waits for a pacing slot of its
 * send-from number, claims it (`queued → sending`, conditional, in one transaction with the checks
 * that the customer has not opted out since), calls the transport, and records the verdict under
 * the same claim. A throttled message goes back to the queue with backoff; the
 * end of a message dispatches the next one of its key. Whatever happens between two steps, the
 * sweep (sweep-outbound-queue.ts) finds the message pending and finishes it.
 */
export async function handOverQueuedSms(
  deps: HandOverDeps,
  message: StoredMessage,
  provider: Pick<Provider, "mps" | "validForSeconds"> | undefined,
  deadline: Date,
  settings: HandOverSettings = defaultHandOverSettings,
): Promise<HandOverOutcome> {
  // An erased message (body null) is never handed over: the erasure ends pending ones failed.
  if (message.direction !== "outbound" || message.status !== "queued" || message.body === null) return "not_queued";
  let now = deps.clock.now();
  const validUntil = validUntilFor(message, provider);
  if (now > validUntil) {
    const expired = await deps.queue.endQueued(message, pipelineErrorCodes.validityExpired, now.toISOString());
    if (!expired.done) return "claimed_elsewhere";
    await dispatchNextOnKey(deps, message, now);
    return "expired";
  }

  const earliest = Math.max(now.getTime(), message.notBefore ? Date.parse(message.notBefore) : 0);
  if (earliest > deadline.getTime()) return "held_back";

  const earlier = await deps.queue.firstPendingOnKey(message.from, message.to, message.id);
  if (earlier && acceptedBefore(earlier, message)) return "behind_earlier";

  // Paced before the claim: a message waiting for its slot holds no claim, so a crash meanwhile
  // leaves it queued (dispatched again), not OUTCOME_UNKNOWN. A slot whose claim is then lost is
  // simply not used.
  let startAt = earliest;
  const pace = provider?.mps ? { mps: provider.mps, segments: smsEncoding(message.body).segments } : undefined;
  if (pace) {
    const slot = await deps.pacer.reserve(message.from, pace.segments, pace.mps, new Date(earliest).toISOString(), deadline.toISOString());
    if (!slot.reserved) return "held_back";
    startAt = Date.parse(slot.at);
  }
  now = deps.clock.now();
  if (startAt > now.getTime()) {
    await deps.sleep(startAt - now.getTime());
    now = deps.clock.now();
  }

  const claimId = deps.ids.next("clm");
  const claimed = await deps.queue.claim(message, {
    id: claimId,
    at: now.toISOString(),
    leaseUntil: new Date(now.getTime() + settings.leaseMs).toISOString(),
  });
  if ("optedOut" in claimed) {
    const at = deps.clock.now();
    const ended = await deps.queue.endQueued(message, pipelineErrorCodes.recipientOptedOut, at.toISOString());
    if (!ended.done) return "claimed_elsewhere";
    await dispatchNextOnKey(deps, message, at);
    return "opted_out";
  }
  if (!claimed.done) return "claimed_elsewhere";
  const handedAt = deps.clock.now();

  let verdict: SendVerdict;
  try {
    const { providerMessageId } = await deps.transport.send({
      messageId: message.id,
      from: message.from,
      to: message.to,
      body: message.body,
    });
    verdict = { status: "sent", providerMessageId, at: deps.clock.now().toISOString() };
  } catch (error) {
    const code = error instanceof SmsSendError ? error.code : "TRANSPORT_ERROR";
    const at = deps.clock.now();
    if (code === pipelineErrorCodes.throttled) {
      const throttled = (claimed.message.throttled ?? 0) + 1;
      const wait = Math.min(settings.throttleMaxMs, settings.throttleBaseMs * 2 ** (throttled - 1));
      await deps.queue.putBack(claimed.message, claimId, { notBefore: new Date(at.getTime() + wait).toISOString(), throttled });
      if (pace) await deps.pacer.handedOver(message.from, new Date(handedAt.getTime() + paceInterval(pace)).toISOString());
      return "throttled";
    }
    verdict = {
      status: "failed",
      errorCode: code,
      at: at.toISOString(),
      ...(code === pipelineErrorCodes.recipientOptedOut ? { optedOut: true } : {}),
    };
  }
  // Outside the try: a failure to record "sent" must not turn a sent SMS into a failed (and
  // resendable) one; the claim's lease runs out and the sweep ends it OUTCOME_UNKNOWN instead.
  await deps.queue.recordVerdict(claimed.message, claimId, verdict);
  // The number's next slot counts from when this one was really handed over (after a late wake-up
  // or a slow claim), so two hand-overs are never closer than segments/mps.
  if (pace) await deps.pacer.handedOver(message.from, new Date(handedAt.getTime() + paceInterval(pace)).toISOString());
  await dispatchNextOnKey(deps, message, deps.clock.now());
  return verdict.status;
}

/** The key's next message waited for this one (`behind_earlier`): nudge it into the pipeline. */
async function dispatchNextOnKey(deps: HandOverDeps, finished: StoredMessage, now: Date): Promise<void> {
  const next = await deps.queue.firstPendingOnKey(finished.from, finished.to, finished.id);
  if (next?.status === "queued") await deps.queue.redispatch(next, now.toISOString());
}

/** The order of a conversation key: by acceptance time, then id (the pending index's sort). */
export function acceptedBefore(a: StoredMessage, b: StoredMessage): boolean {
  return a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id);
}
