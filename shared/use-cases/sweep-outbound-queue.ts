import type { StoredMessage } from "../core/model/message";
import type { Clock } from "../core/ports/clock-and-ids";
import type { OutboundQueue } from "../core/ports/outbound-queue";
import type { InteractionReader } from "../core/ports/interaction-store";
import type { ProviderStore } from "../core/ports/provider-store";
import { pipelineErrorCodes } from "../core/rules/message-status";
import { validUntilFor } from "./hand-over-queued-sms";

export interface SweepDeps {
  queue: OutboundQueue;
  /** The customer a scheduled message was written for is its interaction's (which never changes). */
  interactions: InteractionReader;
  providers: Pick<ProviderStore, "list">;
  clock: Clock;
}

export interface SweepSettings {
  /** A `queued` message untouched this long lost its stream record (a crash, a dropped batch): dispatch it again. */
  staleAfterMs: number;
  /** At most this many due scheduled messages are moved per run; the rest wait for the next (a minute on AWS). */
  scheduledPerRun?: number;
}

export const defaultSweepSettings: SweepSettings = { staleAfterMs: 30_000 };
const defaultScheduledPerRun = 500;

/**
 * The wait doubles with each sweep of the same attempt, up to 32 × `staleAfterMs` (16 min by
 * default): a message still queued after a redispatch usually sits behind a slow pipeline, not a
 * lost record, and dispatching it again every period would flood the stream with duplicates that
 * slow the pipeline further.
 */
const maxSweepDoublings = 5;

/** How long a queued message must be untouched before the sweep dispatches it again. */
export function staleAfterFor(message: Pick<StoredMessage, "sweeps">, settings: SweepSettings): number {
  return settings.staleAfterMs * 2 ** Math.min(message.sweeps ?? 0, maxSweepDoublings);
}

export interface SweepReport {
  redispatched: number;
  expired: number;
  /** Claims whose lease ran out, ended `failed` `OUTCOME_UNKNOWN`. */
  lapsed: number;
  /** Scheduled messages whose time came, moved into the queue (the change stream hands them over). */
  promoted: number;
  /** Scheduled messages whose customer opted out before their time, ended `failed` `RECIPIENT_OPTED_OUT`. */
  optedOut: number;
  /** Scheduled messages whose number became another customer's before their time, ended `failed` `NUMBER_MOVED`. */
  numberMoved: number;
}

/**
 * The pipeline's safety net (the stack's schedule; locally a timer): nothing pending is left
 * behind. A claim that outlived its lease ends `OUTCOME_UNKNOWN` (the SMS may or may not have
 * gone out: an agent decides whether to retry); a message past its validity ends
 * `VALIDITY_EXPIRED`; the first `queued` message of each conversation key, due and untouched for
 * a while (longer after each sweep of it: `staleAfterFor`), is dispatched again. Every step is a conditional write: a sender working at the same
 * moment wins or loses cleanly.
 *
 * It also promotes the scheduled messages whose `scheduledFor` came (`scheduled → queued`, one
 * transaction that re-checks the customer's opt-outs and that the number is still the customer's),
 * or ends them `failed` `RECIPIENT_OPTED_OUT` when the customer opted out meanwhile, `NUMBER_MOVED`
 * when a send for another customer moved the number to them. Promoted first, so a promoted
 * message is not in this run's pending lists: the change stream hands it over, the next run looks
 * after it as after any queued message.
 */
export async function sweepOutboundQueue(deps: SweepDeps, settings: SweepSettings = defaultSweepSettings): Promise<SweepReport> {
  const report: SweepReport = { redispatched: 0, expired: 0, lapsed: 0, promoted: 0, optedOut: 0, numberMoved: 0 };
  const now = deps.clock.now();
  const at = now.toISOString();
  for (const message of await deps.queue.dueScheduled(at, settings.scheduledPerRun ?? defaultScheduledPerRun)) {
    // An interaction's consumer never changes: reading it before the conditional write is safe.
    const consumerId = (await deps.interactions.get(message.interactionId))?.consumerId ?? undefined;
    const promoted = await deps.queue.promoteScheduled(message, at, consumerId);
    if (promoted.done) report.promoted++;
    else if ("optedOut" in promoted) {
      if ((await deps.queue.endScheduled(message, pipelineErrorCodes.recipientOptedOut, at)).done) report.optedOut++;
    } else if ("numberMoved" in promoted) {
      if ((await deps.queue.endScheduled(message, pipelineErrorCodes.numberMoved, at)).done) report.numberMoved++;
    }
  }
  for (const provider of await deps.providers.list()) {
    const pending = await deps.queue.pendingFrom(provider.number);
    const firstOfKey = new Map<string, StoredMessage>();
    for (const message of pending) {
      if (message.status === "sending" && message.claim && Date.parse(message.claim.leaseUntil) < now.getTime()) {
        if ((await deps.queue.endLapsedClaim(message, at)).done) report.lapsed++;
        continue;
      }
      if (message.status === "queued" && now > validUntilFor(message, provider)) {
        if ((await deps.queue.endQueued(message, pipelineErrorCodes.validityExpired, at)).done) report.expired++;
        continue;
      }
      if (!firstOfKey.has(message.to)) firstOfKey.set(message.to, message);
    }
    for (const message of firstOfKey.values()) {
      if (message.status !== "queued") continue;
      const touched = Date.parse(message.redispatchedAt ?? message.retriedAt ?? message.promotedAt ?? message.createdAt);
      const due = !message.notBefore || Date.parse(message.notBefore) <= now.getTime();
      if (due && now.getTime() - touched >= staleAfterFor(message, settings)) {
        if ((await deps.queue.redispatch(message, at, (message.sweeps ?? 0) + 1)).done) report.redispatched++;
      }
    }
  }
  return report;
}
