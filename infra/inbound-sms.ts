import { Stack } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";
import type { SmsSending } from "./service-function";
import { SnsSubscribedFunction, snsSubscriptionRetryPolicy } from "./sns-subscribed-function";

/** The service that publishes customers' replies to the topic (AWS End User Messaging SMS two-way SMS). */
export const twoWaySmsPrincipal = "sms-voice.amazonaws.com";

/** Lambda's retry policy for the inbound function's asynchronous invocations (see `snsSubscriptionRetryPolicy`). */
export const inboundRetryPolicy = snsSubscriptionRetryPolicy;

export interface InboundSmsProps {
  readonly projectRoot: string;
  readonly table: ITableV2;
  readonly defaultCountry: string;
  /**
   * The deployment's SMS transport: the inbound function sends too (the STOP and START
   * confirmations, the HELP answer), through the same transport and grant as the sending routes.
   */
  readonly sms: SmsSending;
  /** What HELP/INFO is answered with (HELP_TEXT). Unset: the shipped default text. */
  readonly helpText?: string;
}

/**
 * Customers' replies: the SNS topic that a number's two-way SMS publishes to, the inbound function
 * subscribed to it, and one dead-letter queue where a reply that could not be processed is parked
 * (the two hops and their failures: see `SnsSubscribedFunction`). Two-way SMS is configured on the
 * number, which may be any of this account's numbers in the region: the publisher condition is
 * any End User Messaging resource of this account and region.
 */
export class InboundSms extends SnsSubscribedFunction {
  constructor(scope: Construct, id: string, props: InboundSmsProps) {
    const { account, region, partition } = Stack.of(scope);
    super(scope, id, {
      publisher: {
        principal: twoWaySmsPrincipal,
        sourceArn: `arn:${partition}:sms-voice:${region}:${account}:*`,
        sid: "TwoWaySms",
      },
      keyDescription: "Encrypts customers' SMS replies on the inbound SMS topic",
      topicDisplayName: "Inbound SMS: customers' replies (two-way SMS)",
      handler: {
        functionDir: "inbound-sms",
        purpose: "Inbound SMS",
        description: "Inbound SMS: a customer's reply from the two-way SMS topic joins its conversation, or opens one for the virtual agent",
        tableAccess: "readWrite",
        projectRoot: props.projectRoot,
        table: props.table,
        defaultCountry: props.defaultCountry,
        sms: props.sms,
        ...(props.helpText !== undefined ? { environment: { HELP_TEXT: props.helpText } } : {}),
      },
    });
  }
}
