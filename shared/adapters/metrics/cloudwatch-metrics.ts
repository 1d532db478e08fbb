import { Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { OutcomeMetrics } from "../../core/ports/outcome-metrics";
import type { OutcomeMetric } from "../../core/model/outcome-metric";

/** The namespace the stack's alarms and dashboard read (infra/operations.ts): one name, so they always agree. */
export const metricsNamespace = "AgentInitiatedSms";

/**
 * Outcome counts as CloudWatch embedded metric format (Powertools Metrics): JSON lines in the
 * function's log that CloudWatch turns into metrics, with no API call and no extra latency. Totals
 * are buffered and written by `flush()` (one line per invocation); a count by dimension (an error
 * code, a close reason) is written at once as a single metric. Nothing is written when nothing was
 * counted, so quiet invocations add no log line. POWERTOOLS_METRICS_DISABLED=true (the local server
 * sets it) turns it off.
 */
export class CloudWatchOutcomeMetrics implements OutcomeMetrics {
  private readonly metrics = new Metrics({ namespace: metricsNamespace, serviceName: "agent-initiated-sms" });
  private pending = 0;

  count(metric: OutcomeMetric): void {
    this.metrics.addMetric(metric.name, MetricUnit.Count, 1);
    this.pending++;
    if (metric.dimension) {
      const single = this.metrics.singleMetric();
      single.addDimension(metric.dimension.name, metric.dimension.value);
      single.addMetric(metric.name, MetricUnit.Count, 1);
    }
  }

  /** Writes what was counted since the last flush; call it once at the end of every invocation. */
  flush(): void {
    if (this.pending === 0) return;
    this.pending = 0;
    this.metrics.publishStoredMetrics();
  }
}
