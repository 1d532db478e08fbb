import { Duration, RemovalPolicy, Stack } from "aws-cdk-lib";
import { PolicyStatement, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Key } from "aws-cdk-lib/aws-kms";
import { Topic } from "aws-cdk-lib/aws-sns";
import { LambdaSubscription } from "aws-cdk-lib/aws-sns-subscriptions";
import { Queue, QueueEncryption } from "aws-cdk-lib/aws-sqs";
import { Construct } from "constructs";
import { ServiceFunction } from "./service-function";
import type { ServiceFunctionProps } from "./service-function";

/**
 * Lambda's own retry policy for asynchronous invocations, stated rather than left to the defaults
 * (these are the defaults, and the maximums): a failing event is tried three times in all, and an
 * event Lambda could not run (throttled) is kept trying for up to six hours. The handlers
 * subscribed this way are idempotent (a redelivered reply is stored once, a redelivered receipt
 * changes nothing), so every retry is safe.
 */
export const snsSubscriptionRetryPolicy = { retryAttempts: 2, maxEventAge: Duration.hours(6) } as const;

/** The AWS service that publishes to the topic, and for which of its resources (confused-deputy conditions). */
export interface TopicPublisher {
  /** Service principal, e.g. `sms-voice.amazonaws.com`. */
  readonly principal: string;
  /** `aws:SourceArn` (ArnLike) the publisher's requests must carry: its resource(s) in this account. */
  readonly sourceArn: string;
  /** Prefix of the two policy statements' Sids (`<sid>Publishes`, `<sid>PublishesEncrypted`). */
  readonly sid: string;
}

export interface SnsSubscribedFunctionProps {
  readonly publisher: TopicPublisher;
  /** Description of the topic's KMS key: what it protects. */
  readonly keyDescription: string;
  readonly topicDisplayName: string;
}

/**
 * An AWS service's events delivered to one of our functions: the encrypted SNS topic the service
 * publishes to (only that service, only for this account's resource), the function subscribed to
 * it, and one dead-letter queue where an event that could not be processed is parked. Used for
 * customers' replies (two-way SMS) and for delivery receipts (a configuration set's event
 * destination).
 *
 * An event crosses two hops, and each can fail on its own; both end in the same queue:
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
 *
 * The topic exists first; its function is the functions-table entry whose trigger names the topic,
 * attached by the stack with `subscribe`.
 *
 * Construct ids (TopicKey, Topic, DeadLetterQueue, Handler) are part of the logical ids of the
 * deployed resources: keep them.
 */
export class SnsSubscribedFunction extends Construct {
  readonly key: Key;
  readonly topic: Topic;
  readonly deadLetterQueue: Queue;
  private subscribed?: ServiceFunction;

  constructor(scope: Construct, id: string, props: SnsSubscribedFunctionProps) {
    super(scope, id);
    const { publisher } = props;
    // Only the publishing service acting for this account's resource (confused-deputy conditions,
    // as the End User Messaging guide recommends for both its topic and key policies).
    const fromPublisher = {
      StringEquals: { "aws:SourceAccount": Stack.of(this).account },
      ArnLike: { "aws:SourceArn": publisher.sourceArn },
    };

    // A customer managed key, not alias/aws/sns: the publisher must be allowed to use the key, and
    // the AWS managed key's policy cannot be changed.
    this.key = new Key(this, "TopicKey", {
      description: props.keyDescription,
      enableKeyRotation: true,
      // It protects messages in transit through SNS only; nothing stays encrypted with it at rest.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: `${publisher.sid}PublishesEncrypted`,
        principals: [new ServicePrincipal(publisher.principal)],
        actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
        resources: ["*"],
        conditions: fromPublisher,
      }),
    );

    this.topic = new Topic(this, "Topic", {
      displayName: props.topicDisplayName,
      masterKey: this.key,
      enforceSSL: true,
    });
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: `${publisher.sid}Publishes`,
        principals: [new ServicePrincipal(publisher.principal)],
        actions: ["sns:Publish"],
        resources: [this.topic.topicArn],
        conditions: fromPublisher,
      }),
    );

    this.deadLetterQueue = new Queue(this, "DeadLetterQueue", {
      retentionPeriod: Duration.days(14),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
    });
  }

  /** The subscribed function; throws before `subscribe`. */
  get handler(): ServiceFunction {
    if (!this.subscribed) throw new Error(`${this.node.path}: no function is subscribed to the topic yet`);
    return this.subscribed;
  }

  get hasSubscriber(): boolean {
    return this.subscribed !== undefined;
  }

  /** Creates the topic's one function (its dead-letter queue and retry policy are this construct's) and subscribes it. */
  subscribe(handler: Omit<ServiceFunctionProps, "asyncFailures">): ServiceFunction {
    if (this.subscribed) throw new Error(`${this.node.path}: the topic already has its function (${this.subscribed.node.path})`);
    const fn = new ServiceFunction(this, "Handler", {
      ...handler,
      asyncFailures: { deadLetterQueue: this.deadLetterQueue, ...snsSubscriptionRetryPolicy },
    });
    this.topic.addSubscription(new LambdaSubscription(fn.function, { deadLetterQueue: this.deadLetterQueue }));
    this.subscribed = fn;
    return fn;
  }
}
