import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { LambdaSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ServiceFunction } from "./service-function";

/** The service that publishes customers' replies to the topic (AWS End User Messaging SMS two-way SMS). */
export const twoWaySmsPrincipal = "sms-voice.amazonaws.com";

/**
 * Lambda's own retry policy for asynchronous invocations, stated rather than left to the defaults
 * (these are the defaults, and the maximums): a failing reply is tried three times in all, and an
 * event Lambda could not run (throttled) is kept trying for up to six hours. The handler is
 * idempotent (the same `inboundMessageId` is stored once), so every retry is safe.
 */
export const inboundRetryPolicy = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

export interface InboundSmsProps {
  readonly projectRoot: string;
  readonly table: ITableV2;
  readonly defaultCountry: string;
}

/**
 * Customers' replies: the SNS topic that a number's two-way SMS publishes to, the inbound function
 * subscribed to it, and one dead-letter queue where a reply that could not be processed is parked.
 *
 * A reply crosses two hops, and each can fail on its own; both end in the same queue:
 * 1. SNS -> Lambda (the subscription). SNS hands the event to Lambda asynchronously and retries
 *    server-side failures (throttling, service errors) with its delivery policy for AWS endpoints;
 *    a client-side failure (the function or its permission gone) or retries running out sends the
 *    message to the subscription's dead-letter queue (`RedrivePolicy`).
 * 2. Lambda -> handler (asynchronous invocation). Once Lambda has accepted the event, a handler
 *    error is retried `retryAttempts` times, and throttles until `maxEventAge`; then Lambda parks
 *    the event in the function's dead-letter queue (`DeadLetterConfig`).
 *
 * Hop 2 uses the function's dead-letter queue rather than an on-failure destination: the parked
 * message is the event itself (the SNS event, ready to be invoked again as is) with the error in
 * its attributes (ErrorCode, ErrorMessage, RequestID), and cdk-nag recognises the queue as a DLQ.
 * So a parked message from hop 1 is the SNS message; from hop 2, the Lambda event plus the error.
 * The queue keeps them 14 days (the SQS maximum), encrypted with SQS-managed keys (SNS can write
 * to it without a key policy), TLS only. Nobody consumes it: an operator inspects and replays.
 */
export class InboundSms extends Construct {
  readonly key: Key;
  readonly topic: Topic;
  readonly deadLetterQueue: Queue;
  readonly handler: ServiceFunction;

  constructor(scope: Construct, id: string, props: InboundSmsProps) {
    super(scope, id);
    const { account, region, partition } = Stack.of(this);
    // Only End User Messaging acting for this account (confused-deputy conditions, as its guide recommends).
    const fromThisAccountsSms = {
      StringEquals: { "aws:SourceAccount": account },
      ArnLike: { "aws:SourceArn": `arn:${partition}:sms-voice:${region}:${account}:*` },
    };

    // A customer managed key, not alias/aws/sns: the publisher (End User Messaging) must be allowed
    // to use the key, and the AWS managed key's policy cannot be changed.
    this.key = new Key(this, "TopicKey", {
      description: "Encrypts customers' SMS replies on the inbound SMS topic",
      enableKeyRotation: true,
      // It protects messages in transit through SNS only; nothing stays encrypted with it at rest.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: "TwoWaySmsPublishesEncrypted",
        principals: [new ServicePrincipal(twoWaySmsPrincipal)],
        actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
        resources: ["*"],
        conditions: fromThisAccountsSms,
      }),
    );

    this.topic = new Topic(this, "Topic", {
      displayName: "Inbound SMS: customers' replies (two-way SMS)",
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: "TwoWaySmsPublishes",
        principals: [new ServicePrincipal(twoWaySmsPrincipal)],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: fromThisAccountsSms,
      }),
    );

    this.deadLetterQueue = new Queue(this, "DeadLetterQueue", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });

    this.handler = new ServiceFunction(this, "Handler", {
      functionDir: "inbound-sms",
      purpose: "Inbound SMS",
      description: "Inbound SMS: a customer's reply from the two-way SMS topic joins its conversation, or opens one for the virtual agent",
      tableAccess: "readWrite",
      projectRoot: props.projectRoot,
      table: props.table,
      defaultCountry: props.defaultCountry,
      asyncFailures: { deadLetterQueue: this.deadLetterQueue, ...inboundRetryPolicy },
    });

    this.topic.addSubscription(new LambdaSubscription(this.handler.function, { deadLetterQueue: this.deadLetterQueue }));
  }
}
