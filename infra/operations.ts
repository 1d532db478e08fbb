import { CfnOutput, Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { HttpApi } from "aws-cdk-lib/aws-apigatewayv2";
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
} from "aws-cdk-lib/aws-cloudwatch";
import type { IMetric } from "aws-cdk-lib/aws-cloudwatch";
import { SnsAction } from "aws-cdk-lib/aws-cloudwatch-actions";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { EmailSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { metricsNamespace } from "../shared/adapters/metrics/cloudwatch-metrics";
import type { OutcomeMetricName } from "../shared/core/model/outcome-metric";
import { functionDefaults } from "./service-function";
import type { ServiceFunction } from "./service-function";
import { constructIdOf } from "./table-functions";

/** Every alarm looks at five-minute periods: short enough to page within minutes, long enough not to flap. */
const period = Duration.minutes(5);

/**
 * The thresholds, declared once (the README's operations table is these values). A function error
 * or throttle is rare by design (handlers answer errors as values; stream functions report batch
 * item failures), so one is worth a look; 5xx answers and SMS failures need a pattern.
 */
export const alarmThresholds = {
  functionErrors: 1,
  functionThrottles: 1,
  queueDepth: 1,
  api5xx: 5,
  /** Share of the SMS that ended failed among those the pipeline finished, in percent. */
  smsFailurePercent: 10,
  /** Below this many finished SMS in the period the rate is noise: the alarm stays OK. */
  smsFailureMinimum: 10,
} as const;

/** A queue whose messages an operator must look at: an SQS dead-letter queue or a failure destination. */
export interface WatchedQueue {
  /** What it holds, in the alarm's description (e.g. "customers' replies that failed after retries"). */
  readonly holds: string;
  readonly queue: IQueue;
  /** An alarm already made for it (a stream function's FailureAlarm): given the topic, not duplicated. */
  readonly alarm?: Alarm;
}

export interface OperationsProps {
  /** Every function, by its functions-table id. */
  readonly functions: ReadonlyMap<string, ServiceFunction>;
  readonly queues: readonly WatchedQueue[];
  readonly api: HttpApi;
  /** Subscribed to the alarm topic (context `alarmEmail`); AWS mails a confirmation link first. */
  readonly alarmEmail?: string;
}

/**
 * What an operator watches: the alarms (each function's errors and throttles, every dead-letter
 * and failure queue's depth, the API's 5xx answers, the share of SMS that fail), an encrypted,
 * TLS-only SNS topic every alarm notifies (subscribe a mailbox, a pager or chat to it), and one
 * dashboard with the outcome metrics the functions write (Powertools Metrics, namespace
 * AgentInitiatedSms).
 *
 * Construct ids (AlarmTopic, AlarmTopicKey, <Function>Errors, ...) are part of the logical ids: keep them.
 */
export class Operations extends Construct {
  readonly alarmTopic: Topic;
  readonly alarms: readonly Alarm[];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: OperationsProps) {
    super(scope, id);
    // CloudWatch must be allowed to use the topic's key; the AWS managed SNS key's policy cannot say so.
    const key = new Key(this, "AlarmTopicKey", {
      description: "Encrypts alarm notifications on the operations topic",
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        sid: "CloudWatchAlarmsPublishEncrypted",
        principals: [new ServicePrincipal("cloudwatch.amazonaws.com")],
        actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
        resources: ["*"],
        conditions: { StringEquals: { "aws:SourceAccount": Stack.of(this).account } },
      }),
    );
    this.alarmTopic = new Topic(this, "AlarmTopic", {
      displayName: "Agent-initiated SMS: alarms",
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const notify = new SnsAction(this.alarmTopic);

    const alarms: Alarm[] = [];
    const alarm = (alarmId: string, description: string, metric: IMetric, threshold: number): Alarm => {
      const created = new Alarm(this, alarmId, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No data is no traffic, not a failure.
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarms.push(created);
      return created;
    };

    for (const [functionId, fn] of props.functions) {
      const constructId = constructIdOf(functionId);
      alarm(
        `${constructId}Errors`,
        `${functionId}: invocations that failed (an unhandled error or a timeout). Read the function's log group for "unexpected failure".`,
        fn.function.metricErrors({ period, statistic: "Sum" }),
        alarmThresholds.functionErrors,
      );
      alarm(
        `${constructId}Throttles`,
        `${functionId}: invocations Lambda refused for lack of concurrency. Raise the account's concurrency or find the runaway caller.`,
        fn.function.metricThrottles({ period, statistic: "Sum" }),
        alarmThresholds.functionThrottles,
      );
    }

    for (const [index, watched] of props.queues.entries()) {
      if (watched.alarm) {
        watched.alarm.addAlarmAction(notify);
        continue;
      }
      alarm(
        `Queue${index + 1}Depth`,
        `Messages parked in a dead-letter queue: ${watched.holds}. Read them (the error is in the message attributes) and replay.`,
        watched.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum" }),
        alarmThresholds.queueDepth,
      );
    }

    alarm(
      "Api5xx",
      `The HTTP API answered ${alarmThresholds.api5xx} or more 5xx in five minutes. The access log names the route; the function's log has the request id.`,
      props.api.metricServerError({ period, statistic: "Sum" }),
      alarmThresholds.api5xx,
    );

    const sent = outcomeMetric("SmsSent");
    const failed = outcomeMetric("SmsFailed");
    // Below the minimum the expression is empty (no data, not breaching): one failure of two is not a trend.
    const failureRate = new MathExpression({
      expression: `IF(sent + failed >= ${alarmThresholds.smsFailureMinimum}, 100 * failed / (sent + failed))`,
      usingMetrics: { sent, failed },
      label: "SMS failed (%)",
      period,
    });
    alarm(
      "SmsFailureRate",
      `${alarmThresholds.smsFailurePercent}% or more of the SMS finished in five minutes failed (at least ${alarmThresholds.smsFailureMinimum} finished). The dashboard splits failures by error code.`,
      failureRate,
      alarmThresholds.smsFailurePercent,
    );

    for (const created of alarms) created.addAlarmAction(notify);
    this.alarms = alarms;

    this.dashboard = new Dashboard(this, "Dashboard", {
      dashboardName: `${Stack.of(this).stackName}-operations`.slice(0, 255),
      defaultInterval: Duration.hours(6),
      widgets: [
        [
          new TextWidget({
            markdown: `## Agent-initiated SMS\nOutcomes from the functions (namespace \`${metricsNamespace}\`), the API, and what failed. Alarms notify the stack's alarm topic.`,
            width: 24,
            height: 2,
          }),
        ],
        [
          graph("Initiations by outcome", [
            outcomeMetric("InitiationCreated"),
            outcomeMetric("InitiationInjected"),
            outcomeMetric("InitiationReplacedVirtualAgent"),
            outcomeMetric("InitiationReplacedOtherConsumer"),
          ]),
          graph("SMS", [sent, outcomeMetric("SmsDelivered"), failed, outcomeMetric("SmsThrottled"), outcomeMetric("InboundSms")]),
          graph("Consent and closes", [outcomeMetric("OptOuts"), outcomeMetric("OptIns"), outcomeMetric("InteractionsClosed")]),
        ],
        [
          graph("SMS failures by error code", [
            new MathExpression({
              expression: `SEARCH('{${metricsNamespace},ErrorCode,service} MetricName="SmsFailed"', 'Sum', 300)`,
              label: "",
              period,
            }),
          ]),
          graph("API", [
            props.api.metricCount({ period, statistic: "Sum" }),
            props.api.metricClientError({ period, statistic: "Sum" }),
            props.api.metricServerError({ period, statistic: "Sum" }),
          ]),
          graph("API latency (p95, ms)", [props.api.metricLatency({ period, statistic: "p95" })]),
        ],
        [
          graph(
            "Function errors",
            [...props.functions].map(([functionId, fn]) => fn.function.metricErrors({ period, statistic: "Sum", label: functionId })),
          ),
          graph(
            "Parked in dead-letter and failure queues",
            props.queues.map((watched) =>
              watched.queue.metricApproximateNumberOfMessagesVisible({ period, statistic: "Maximum", label: watched.holds }),
            ),
          ),
          new GraphWidget({ title: "SMS failure rate (%)", left: [failureRate], width: 8 }),
        ],
      ],
    });

    new CfnOutput(Stack.of(this), "AlarmTopicArn", {
      value: this.alarmTopic.topicArn,
      description: "Every alarm notifies this SNS topic: subscribe a mailbox, pager or chat (context alarmEmail subscribes one address)",
    });
    new CfnOutput(Stack.of(this), "DashboardName", { value: this.dashboard.dashboardName, description: "The operations dashboard" });
  }
}

/** One outcome metric the functions write (the total: Powertools' default `service` dimension only). */
function outcomeMetric(name: OutcomeMetricName): Metric {
  return new Metric({
    namespace: metricsNamespace,
    metricName: name,
    dimensionsMap: { service: functionDefaults.serviceName },
    statistic: "Sum",
    period,
  });
}

function graph(title: string, metrics: IMetric[]): GraphWidget {
  return new GraphWidget({ title, left: metrics, width: 8, height: 6 });
}
