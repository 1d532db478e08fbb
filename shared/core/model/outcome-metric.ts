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
