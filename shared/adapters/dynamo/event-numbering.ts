import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { PlannedEvent, ServiceEvent } from "../../core/model/service-event";
import { transact, type Cancellation, type Named } from "./transaction";

/**
 * Numbers the events of one transaction: per interaction, consecutive from the commit time in
 * microseconds (or just after the interaction's last event, when a clock lags), so `sequence`
 * increases in commit order. The interaction item keeps the last one (`lastEventSequence`), and
 * each transaction's condition refuses to go below it.
 */
export class EventNumbering {
  private readonly next = new Map<string, number>();
  readonly base: number;

  constructor(now: string, floor: number) {
    this.base = Math.max(Date.parse(now) * 1000, floor);
  }

  number(events: PlannedEvent[]): ServiceEvent[] {
    return events.map((event) => {
      const key = event.interactionId ?? "";
      const sequence = this.next.get(key) ?? this.base;
      this.next.set(key, sequence + 1);
      return { ...event, sequence };
    });
  }

  /** The last sequence given to an interaction's events in this transaction. */
  last(interactionId: string): number | undefined {
    const next = this.next.get(interactionId);
    return next === undefined ? undefined : next - 1;
  }
}

/** The interaction's last event sequence in this transaction, as an attribute of its new item. */
export function lastEventOf(numbering: EventNumbering, interactionId: string): { lastEventSequence?: number } {
  const last = numbering.last(interactionId);
  return last === undefined ? {} : { lastEventSequence: last };
}

/** SET the interaction's last event sequence, on the condition that no event already went past ours. */
export function sequenceClauses(
  numbering: EventNumbering,
  interactionId: string,
): { sets: string[]; conditions: string[]; names: Record<string, string>; values: Record<string, unknown> } {
  const last = numbering.last(interactionId);
  if (last === undefined) return { sets: [], conditions: [], names: {}, values: {} };
  return {
    sets: ["#lastEventSequence = :lastEventSequence"],
    conditions: ["(attribute_not_exists(#lastEventSequence) OR #lastEventSequence < :firstEventSequence)"],
    names: { "#lastEventSequence": "lastEventSequence" },
    values: { ":lastEventSequence": last, ":firstEventSequence": numbering.base },
  };
}

/**
 * Runs a transaction whose events are numbered. When its cancellation says another transaction
 * numbered an interaction's events at or past ours (`ranAhead`: the sequence it found there; a clock
 * behind another's), numbers ours again after it. Undefined when it committed, the cancellation
 * that was not that, or "kept colliding" after 5 tries.
 */
export async function transactNumbered<A extends string>(
  client: DynamoDBDocumentClient,
  now: string,
  build: (numbering: EventNumbering) => readonly Named<A>[],
  ranAhead: (cancelled: Cancellation<A>) => number | undefined,
): Promise<Cancellation<A> | undefined | "kept colliding"> {
  let floor = 0;
  for (let attempt = 0; attempt < 5; attempt++) {
    const numbering = new EventNumbering(now, floor);
    const cancelled = await transact(client, build(numbering));
    const ahead = cancelled && ranAhead(cancelled);
    if (!cancelled || ahead === undefined || ahead < numbering.base) return cancelled;
    floor = ahead + 1;
  }
  return "kept colliding";
}
