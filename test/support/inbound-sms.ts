import type { Context, SNSEvent } from "aws-lambda";
import { lambdaContext } from "./handler-harness";

let counter = 0;

/** A customer's SMS through the real inbound handler, in the SNS event two-way SMS publishes; a fresh inbound message id unless given. */
export async function receiveThroughSns(reply: {
  from: string;
  to: string;
  body: string;
  inboundMessageId?: string;
}): Promise<{ outcome: string; interactionId: string }> {
  const { handler } = (await import("../../functions/inbound-sms/handler")) as { handler: (e: SNSEvent, c: Context) => Promise<unknown[]> };
  const id = ++counter;
  const message = JSON.stringify({
    originationNumber: reply.from,
    destinationNumber: reply.to,
    messageBody: reply.body,
    inboundMessageId: reply.inboundMessageId ?? `sns-inbound-${process.pid}-${id}`,
  });
  const [result] = await handler(
    { Records: [{ Sns: { Message: message, MessageId: `sns-${id}` } }] } as unknown as SNSEvent,
    lambdaContext("inbound-sms"),
  );
  return result as { outcome: string; interactionId: string };
}
