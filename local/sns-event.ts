import { randomUUID } from "node:crypto";
import type { SNSEvent } from "aws-lambda";

/** An SNS notification event as Lambda receives it, carrying `message`: what the local stand-ins for topics hand their function. */
export function snsEvent(message: string, topic = "local"): SNSEvent {
  const id = randomUUID();
  return {
    Records: [
      {
        EventSource: "aws:sns",
        EventVersion: "1.0",
        EventSubscriptionArn: `arn:aws:sns:local:000000000000:${topic}:local`,
        Sns: {
          Type: "Notification",
          MessageId: id,
          TopicArn: `arn:aws:sns:local:000000000000:${topic}`,
          Subject: "",
          Message: message,
          Timestamp: new Date().toISOString(),
          SignatureVersion: "1",
          Signature: "",
          SigningCertUrl: "",
          UnsubscribeUrl: "",
          MessageAttributes: {},
        },
      },
    ],
  };
}
