import type { ServiceEvent } from "../model/service-event";

/**
 * The outcome metrics, declared once: one count per outcome an operator watches. Names are what the
 * dashboard and the alarms read; a metric with a `dimension` is also counted by that dimension
 * (which error code, which close reason), beside its total.
 */
export const outcomeMetricNames = [
  // What an agent's initiation did (message.created carries the decision's outcome).
  "InitiationCreated",
  "InitiationInjected",
  "InitiationReplacedVirtualAgent",
  "InitiationReplacedOtherConsumer",
  // An agent's send made outside the send window and stored scheduled (beside its outcome).
  "SmsScheduled",
  "InteractionsClosed",
  "SmsSent",
  "SmsDelivered",
  "SmsFailed",
  "SmsThrottled",
  "InboundSms",
  "OptOuts",
  "OptIns",
] as const;
export type OutcomeMetricName = (typeof outcomeMetricNames)[number];

export interface OutcomeMetric {
  name: OutcomeMetricName;
  /** Counted a second time under this dimension (e.g. ErrorCode=RECIPIENT_OPTED_OUT). */
  dimension?: { name: "ErrorCode" | "Reason"; value: string };
}

const initiationMetric: Readonly<Record<string, OutcomeMetricName>> = {
  created: "InitiationCreated",
  injected: "InitiationInjected",
  replaced_virtual_agent: "InitiationReplacedVirtualAgent",
  replaced_other_consumer: "InitiationReplacedOtherConsumer",
};

/** What one committed event counts for (none for most): a pure mapping, so every publisher counts alike. */
export function metricsOfEvent(event: ServiceEvent): OutcomeMetric[] {
  const data = event.data;
  switch (event.type) {
    case "message.created": {
      const message = data.message as { direction?: string; status?: string } | undefined;
      if (message?.direction === "inbound") return [{ name: "InboundSms" }];
      const outcome = typeof data.outcome === "string" ? initiationMetric[data.outcome] : undefined;
      return [...(outcome ? [{ name: outcome }] : []), ...(message?.status === "scheduled" ? [{ name: "SmsScheduled" as const }] : [])];
    }
    case "message.status_changed": {
      if (data.status === "sent") return [{ name: "SmsSent" }];
      if (data.status === "delivered") return [{ name: "SmsDelivered" }];
      if (data.status === "failed")
        return [{ name: "SmsFailed", dimension: { name: "ErrorCode", value: String(data.errorCode ?? "UNKNOWN") } }];
      return [];
    }
    case "interaction.closed":
      return [{ name: "InteractionsClosed", dimension: { name: "Reason", value: String(data.reason) } }];
    case "consent.changed":
      return [{ name: data.optedOut === true ? "OptOuts" : "OptIns" }];
    default:
      return [];
  }
}
