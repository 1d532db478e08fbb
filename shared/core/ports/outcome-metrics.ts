import type { OutcomeMetric } from "../model/outcome-metric";

/** Where outcome counts go: CloudWatch (embedded metric format) on AWS; nowhere, or a test's list, elsewhere. */
export interface OutcomeMetrics {
  count(metric: OutcomeMetric): void;
}
