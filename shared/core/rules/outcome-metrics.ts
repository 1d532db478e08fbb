import type { ServiceEvent } from "../model/service-event";
import type { OutcomeMetric, OutcomeMetricName } from "../model/outcome-metric";

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
