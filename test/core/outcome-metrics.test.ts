import { afterEach, describe, expect, it, vi } from "vitest";
import type { ServiceEvent } from "../../shared/core/model/service-event";
import { metricsOfEvent } from "../../shared/core/rules/outcome-metrics";
import { outcomeMetricNames } from "../../shared/core/model/outcome-metric";
import { CloudWatchOutcomeMetrics, metricsNamespace } from "../../shared/adapters/metrics/cloudwatch-metrics";
import { captureLogs } from "../support/capture-logs";

const event = (type: ServiceEvent["type"], data: Record<string, unknown>): ServiceEvent => ({
  id: "evt_1",
  type,
  occurredAt: "2026-12-02T10:00:00.000Z",
  interactionId: "int_1",
  actor: { type: "system" },
  data,
});

describe("metricsOfEvent: one count per outcome an operator watches", () => {
  it.each([
    ["created", "InitiationCreated"],
    ["injected", "InitiationInjected"],
    ["replaced_virtual_agent", "InitiationReplacedVirtualAgent"],
    ["replaced_other_consumer", "InitiationReplacedOtherConsumer"],
  ])("an agent's message with outcome %s counts %s", (outcome, name) => {
    expect(metricsOfEvent(event("message.created", { message: { direction: "outbound" }, outcome }))).toEqual([{ name }]);
  });

  it("an agent's send stored scheduled (outside the send window) counts its outcome and SmsScheduled", () => {
    expect(
      metricsOfEvent(event("message.created", { message: { direction: "outbound", status: "scheduled" }, outcome: "created" })),
    ).toEqual([{ name: "InitiationCreated" }, { name: "SmsScheduled" }]);
  });

  it("counts inbound messages, sent, delivered and failed by error code, closes by reason, opt-outs and opt-ins", () => {
    expect(metricsOfEvent(event("message.created", { message: { direction: "inbound" } }))).toEqual([{ name: "InboundSms" }]);
    expect(metricsOfEvent(event("message.status_changed", { status: "sent" }))).toEqual([{ name: "SmsSent" }]);
    expect(metricsOfEvent(event("message.status_changed", { status: "delivered" }))).toEqual([{ name: "SmsDelivered" }]);
    expect(metricsOfEvent(event("message.status_changed", { status: "failed", errorCode: "CARRIER_UNREACHABLE" }))).toEqual([
      { name: "SmsFailed", dimension: { name: "ErrorCode", value: "CARRIER_UNREACHABLE" } },
    ]);
    expect(metricsOfEvent(event("interaction.closed", { reason: "idle" }))).toEqual([
      { name: "InteractionsClosed", dimension: { name: "Reason", value: "idle" } },
    ]);
    expect(metricsOfEvent(event("consent.changed", { optedOut: true }))).toEqual([{ name: "OptOuts" }]);
    expect(metricsOfEvent(event("consent.changed", { optedOut: false }))).toEqual([{ name: "OptIns" }]);
  });

  it("counts nothing for the rest: system auto-replies, the move to sending, joins and profile moves", () => {
    expect(metricsOfEvent(event("message.created", { message: { direction: "outbound" } }))).toEqual([]);
    expect(metricsOfEvent(event("message.status_changed", { status: "sending" }))).toEqual([]);
    expect(metricsOfEvent(event("participant.joined", { agentId: "ann" }))).toEqual([]);
    expect(metricsOfEvent(event("profile.reassociated", {}))).toEqual([]);
    expect(metricsOfEvent(event("interaction.created", {}))).toEqual([]);
  });
});

describe("CloudWatchOutcomeMetrics (Powertools, embedded metric format)", () => {
  afterEach(() => {
    vi.restoreAllMocks();
    vi.unstubAllEnvs();
  });

  it("writes one EMF line of totals per flush, a line per count by dimension, and nothing when nothing was counted", () => {
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
    const lines = captureLogs();
    const metrics = new CloudWatchOutcomeMetrics();
    metrics.flush();
    expect(lines).toEqual([]);
    metrics.count({ name: "SmsSent" });
    metrics.count({ name: "SmsSent" });
    metrics.count({ name: "SmsFailed", dimension: { name: "ErrorCode", value: "RECIPIENT_OPTED_OUT" } });
    metrics.flush();
    const emf = lines.map((line) => JSON.parse(line) as Record<string, unknown> & { _aws: { CloudWatchMetrics: unknown[] } });
    expect(emf).toHaveLength(2);
    const [byCode, totals] = emf;
    expect(byCode).toMatchObject({ ErrorCode: "RECIPIENT_OPTED_OUT", SmsFailed: 1, service: "agent-initiated-sms" });
    expect(byCode!._aws.CloudWatchMetrics).toEqual([
      { Namespace: metricsNamespace, Dimensions: [["service", "ErrorCode"]], Metrics: [{ Name: "SmsFailed", Unit: "Count" }] },
    ]);
    expect(totals).toMatchObject({ SmsSent: [1, 1], SmsFailed: 1, service: "agent-initiated-sms" });
    expect(totals).not.toHaveProperty("ErrorCode");
    metrics.flush();
    expect(lines).toHaveLength(2);
  });

  it("declares every metric name once, in the list the stack's alarms and dashboard read", () => {
    expect(new Set(outcomeMetricNames).size).toBe(outcomeMetricNames.length);
  });
});
