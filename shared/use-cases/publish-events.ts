import type { ServiceEvent } from "../core/model/service-event";
import type { EventBus } from "../core/ports/event-bus";
import type { OutcomeMetrics } from "../core/ports/outcome-metrics";
import { metricsOfEvent } from "../core/rules/outcome-metrics";

export interface PublishDeps {
  bus: EventBus;
  /** Each event taken by the bus is counted here once per put (at least once, like the events). */
  metrics: OutcomeMetrics;
  sleep(ms: number): Promise<void>;
}

export interface PublishSettings {
  /** Entries per call (EventBridge's PutEvents takes 10). */
  batchSize: number;
  /** Tries of a refused, retryable entry before giving up (the stream then retries the record). */
  maxAttempts: number;
  baseBackoffMs: number;
}

export const defaultPublishSettings: PublishSettings = { batchSize: 10, maxAttempts: 5, baseBackoffMs: 100 };

/** An event the bus would not take after every try: the caller reports its record as failed. */
export class PublishFailed extends Error {
  constructor(
    readonly event: ServiceEvent,
    readonly code: string,
  ) {
    super(`the event bus refused event ${event.id} (${code})`);
    this.name = "PublishFailed";
  }
}

/**
 * Puts the events on the bus in order, in batches; entries refused as throttled (or another
 * retryable refusal) are put again with backoff. At least once: a retried stream batch puts
 * events again, and consumers deduplicate by `id`. Throws PublishFailed for the first event
 * that could not be put, after everything before it was.
 */
export async function publishEvents(
  deps: PublishDeps,
  events: ServiceEvent[],
  settings: PublishSettings = defaultPublishSettings,
): Promise<number> {
  let put = 0;
  for (let start = 0; start < events.length; start += settings.batchSize) {
    let pending = events.slice(start, start + settings.batchSize);
    for (let attempt = 1; pending.length > 0; attempt++) {
      const refused = await deps.bus.put(pending);
      put += pending.length - refused.length;
      const notTaken = new Set(refused.map((entry) => entry.event.id));
      for (const event of pending) if (!notTaken.has(event.id)) for (const metric of metricsOfEvent(event)) deps.metrics.count(metric);
      const fatal = refused.find((entry) => !entry.retryable);
      if (fatal) throw new PublishFailed(fatal.event, fatal.code);
      if (refused.length > 0 && attempt >= settings.maxAttempts) throw new PublishFailed(refused[0]!.event, refused[0]!.code);
      pending = refused.map((entry) => entry.event);
      if (pending.length > 0) await deps.sleep(settings.baseBackoffMs * 2 ** (attempt - 1));
    }
  }
  return put;
}
