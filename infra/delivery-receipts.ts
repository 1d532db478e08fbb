import { ArnFormat, Stack } from "aws-cdk-lib";
import { CfnConfigurationSet } from "aws-cdk-lib/aws-smsvoice";
import type { Construct } from "constructs";
import type { SmsSending } from "./service-function";
import { SnsSubscribedFunction } from "./sns-subscribed-function";

/** The service that publishes a configuration set's events (AWS End User Messaging SMS). */
export const deliveryEventsPrincipal = "sms-voice.amazonaws.com";

/**
 * Every text event (TEXT_ALL, a filter End User Messaging accepts; TEXT_SENT alone is not
 * accepted as a matching type). The receipts function knows each SMS event type (queued, pending,
 * successful, delivered and the failures move the message; TEXT_UNKNOWN and types added later are
 * only recorded), so a new failure type reaches the message rather than being filtered out here.
 * No VOICE_* or MEDIA_* events: the service sends neither.
 */
export const deliveryEventTypes = ["TEXT_ALL"] as const;

export interface DeliveryReceiptsProps {
  /**
   * The configuration set's name, chosen rather than generated: its ARN is then known before it
   * exists, so the topic's and the key's policies can name it (aws:SourceArn) without a cycle
   * (configuration set -> topic -> key -> key policy -> configuration set).
   */
  readonly configurationSetName: string;
}

/**
 * Delivery receipts for `smsTransport=end-user-messaging`: the End User Messaging configuration set
 * every SendTextMessage names, its event destination (SNS, every text event), the encrypted topic
 * it publishes to (only this configuration set may) and its dead-letter queue (the hops and their
 * failures: see `SnsSubscribedFunction`). Its function is the functions-table entry with the
 * `delivery-receipts` topic as trigger: it moves each message forward (sent, delivered, failed).
 *
 * With `smsTransport=sns` none of this exists: SNS SMS publishes no per-message delivery events to
 * a topic of ours (its delivery status logging only writes CloudWatch Logs), so messages stay
 * `sent` there.
 */
export class DeliveryReceipts extends SnsSubscribedFunction {
  readonly configurationSet: CfnConfigurationSet;
  /** What the sending functions are given: this transport, through this configuration set. */
  readonly sms: SmsSending;

  constructor(scope: Construct, id: string, props: DeliveryReceiptsProps) {
    const { configurationSetName } = props;
    const configurationSetArn = Stack.of(scope).formatArn({
      service: "sms-voice",
      resource: "configuration-set",
      resourceName: configurationSetName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    super(scope, id, {
      publisher: { principal: deliveryEventsPrincipal, sourceArn: configurationSetArn, sid: "ConfigurationSetEvents" },
      keyDescription: "Encrypts SMS delivery events (End User Messaging configuration set) on the delivery receipts topic",
      topicDisplayName: "SMS delivery receipts (End User Messaging events)",
    });

    this.configurationSet = new CfnConfigurationSet(this, "ConfigurationSet", {
      configurationSetName,
      eventDestinations: [
        {
          eventDestinationName: "delivery-receipts",
          enabled: true,
          matchingEventTypes: [...deliveryEventTypes],
          snsDestination: { topicArn: this.topic.topicArn },
        },
      ],
    });
    // The destination is only usable once the topic's policy (a child of the topic) lets the
    // configuration set publish; the key's policy is part of the key, which the topic references.
    this.configurationSet.node.addDependency(this.topic);

    // A Ref (the name): the senders are deployed after the configuration set they send through.
    this.sms = { transport: "end-user-messaging", configurationSetName: this.configurationSet.ref };
  }
}

/**
 * The configuration set's name for a stack: the stack name (unique per account and region, as
 * configuration set names must be) and a suffix, within End User Messaging's 64 characters.
 */
export function configurationSetNameFor(stackName: string): string {
  const suffix = "-sms";
  return `${stackName.slice(0, 64 - suffix.length)}${suffix}`;
}
