import { PutEventsCommand, type EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { ServiceEvent } from "../../core/model/service-event";
import type { EventBus, RefusedEntry } from "../../core/ports/event-bus";

/** The source integrations match on (an EventBridge rule: `{ "source": ["agent-initiated-sms"] }`). */
export const eventSource = "agent-initiated-sms";

/** The bus's codes worth another try (per entry): throttling and EventBridge's own faults. */
const retryableCodes = new Set(["ThrottlingException", "InternalException", "InternalFailure", "ServiceUnavailable"]);

/** The PutEvents entry of an event: detail-type is its type, detail the whole envelope. */
export function entryOf(event: ServiceEvent, eventBusName: string) {
  return {
    EventBusName: eventBusName,
    Source: eventSource,
    DetailType: event.type,
    Detail: JSON.stringify(event),
    Time: new Date(event.occurredAt),
  };
}

/** Amazon EventBridge: one PutEvents per batch; refused entries come back with their codes. */
export class EventBridgeBus implements EventBus {
  constructor(
    private readonly client: EventBridgeClient,
    private readonly eventBusName: string,
  ) {}

  async put(events: ServiceEvent[]): Promise<RefusedEntry[]> {
    if (events.length === 0) return [];
    const answer = await this.client.send(new PutEventsCommand({ Entries: events.map((event) => entryOf(event, this.eventBusName)) }));
    if (!answer.FailedEntryCount) return [];
    return (answer.Entries ?? []).flatMap((entry, index) =>
      entry.ErrorCode ? [{ event: events[index]!, code: entry.ErrorCode, retryable: retryableCodes.has(entry.ErrorCode) }] : [],
    );
  }
}
