import type { PlannedEvent, ServiceEvent } from "../../core/model/service-event";

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
