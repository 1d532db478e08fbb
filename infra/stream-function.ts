import { Duration, Validations } from "aws-cdk-lib";
import { Alarm, ComparisonOperator, TreatMissingData } from "aws-cdk-lib/aws-cloudwatch";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { FilterCriteria, StartingPosition } from "aws-cdk-lib/aws-lambda";
import { DynamoEventSource, SqsDlq } from "aws-cdk-lib/aws-lambda-event-sources";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ServiceFunction, type ServiceFunctionProps } from "./service-function";

/**
 * How the event source mapping reads the table's stream, declared once (the local server's poller
 * follows the same batch size). In order per shard, ten records at a time; a failing record is
 * reported as a batch item failure (retried from there), bisected on error, retried ten times
 * within a day, then its description goes to the failure destination. Nothing is lost meanwhile:
 * the sweep dispatches a message left queued again.
 */
export const streamDelivery = {
  batchSize: 10,
  parallelizationFactor: 1,
  bisectBatchOnError: true,
  reportBatchItemFailures: true,
  retryAttempts: 10,
  maxRecordAge: Duration.days(1),
} as const;

export interface StreamFunctionProps {
  readonly table: ITableV2;
  /** The mapping's filter pattern (the functions-table entry's): Lambda is invoked only for matching records. */
  readonly filter: object;
  readonly handler: ServiceFunctionProps;
}

/**
 * A function fed by the table's change stream (a functions-table entry with a `stream` trigger),
 * with a failure destination queue for records it gave up on and an alarm on that queue's depth.
 *
 * Construct ids (Handler, FailureQueue, FailureAlarm) are part of the logical ids: keep them.
 */
export class StreamFunction extends Construct {
  readonly handler: ServiceFunction;
  readonly failureQueue: Queue;
  readonly failureAlarm: Alarm;

  constructor(scope: Construct, id: string, props: StreamFunctionProps) {
    super(scope, id);
    if (!props.table.tableStreamArn) throw new Error(`${this.node.path}: the table has no stream`);
    this.handler = new ServiceFunction(this, "Handler", props.handler);
    this.failureQueue = new Queue(this, "FailureQueue", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
    Validations.of(this.failureQueue).acknowledge({
      id: "AwsSolutions-SQS3",
      reason:
        "This queue is the event source mapping's on-failure destination: it is the dead-letter queue of the stream records Lambda gave up on (cdk-nag recognises only queues named in a RedrivePolicy), so it has no DLQ of its own.",
    });
    this.handler.function.addEventSource(
      new DynamoEventSource(props.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        ...streamDelivery,
        onFailure: new SqsDlq(this.failureQueue),
        filters: [FilterCriteria.filter(props.filter as Record<string, unknown>)],
      }),
    );
    this.failureAlarm = new Alarm(this, "FailureAlarm", {
      alarmDescription: `Stream records ${this.node.path} gave up on: read the queue's messages (shard, sequence numbers) and check the table`,
      metric: this.failureQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5) }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });
  }
}
