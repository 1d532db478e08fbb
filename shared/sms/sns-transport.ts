import { PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { SmsSendError, type OutboundSms, type SmsTransport } from "./sms-transport";

/** SMS through Amazon SNS: Publish to the customer's number, from the provider number, transactional. */
export class SnsTransport implements SmsTransport {
  readonly name = "sns";

  constructor(private readonly client: SNSClient) {}

  async send(sms: OutboundSms): Promise<{ providerMessageId: string }> {
    try {
      const result = await this.client.send(
        new PublishCommand({
          PhoneNumber: sms.to,
          Message: sms.body,
          MessageAttributes: {
            "AWS.MM.SMS.OriginationNumber": { DataType: "String", StringValue: sms.from },
            "AWS.SNS.SMS.SMSType": { DataType: "String", StringValue: "Transactional" },
          },
        }),
      );
      if (!result.MessageId) throw new SmsSendError("NO_MESSAGE_ID", "SNS accepted the message without an id");
      return { providerMessageId: result.MessageId };
    } catch (error) {
      if (error instanceof SmsSendError) throw error;
      const name = (error as { name?: string }).name ?? "UnknownError";
      throw new SmsSendError(name, `SNS refused the message: ${name}`);
    }
  }
}
