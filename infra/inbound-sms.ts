import { Stack } from "aws-cdk-lib";
import type { Construct } from "constructs";
import { SnsSubscribedFunction, snsSubscriptionRetryPolicy } from "./sns-subscribed-function";

/** The service that publishes customers' replies to the topic (AWS End User Messaging SMS two-way SMS). */
export const twoWaySmsPrincipal = "sms-voice.amazonaws.com";

/** Lambda's retry policy for the inbound function's asynchronous invocations (see `snsSubscriptionRetryPolicy`). */
export const inboundRetryPolicy = snsSubscriptionRetryPolicy;

/**
 * Customers' replies: the SNS topic that a number's two-way SMS publishes to, and one dead-letter
 * queue where a reply that could not be processed is parked (the two hops and their failures: see
 * `SnsSubscribedFunction`). Its function is the functions-table entry with the `inbound-sms` topic
 * as trigger (it sends too: the STOP and START confirmations, the HELP answer). Two-way SMS is
 * configured on the number, which may be any of this account's numbers in the region: the
 * publisher condition is any End User Messaging resource of this account and region.
 */
export class InboundSms extends SnsSubscribedFunction {
  constructor(scope: Construct, id: string) {
    const { account, region, partition } = Stack.of(scope);
    super(scope, id, {
      publisher: {
        principal: twoWaySmsPrincipal,
        sourceArn: `arn:${partition}:sms-voice:${region}:${account}:*`,
        sid: "TwoWaySms",
      },
      keyDescription: "Encrypts customers' SMS replies on the inbound SMS topic",
      topicDisplayName: "Inbound SMS: customers' replies (two-way SMS)",
    });
  }
}
