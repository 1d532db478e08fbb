import { SendTextMessageCommand, type PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { sdkErrorName, sdkSendError } from "./sns-transport";
import { SmsSendError, type OutboundSms, type SmsTransport } from "../../core/ports/sms-transport";

/**
 * The reason End User Messaging gives when the destination number is on the origination identity's
 * opt-out list. In the SDK it is a ConflictExceptionReason (SendTextMessage answers ConflictException);
 * ValidationExceptionReason has no such value. Matched on any error's `Reason`, whatever its class.
 */
const optedOutReason = "DESTINATION_PHONE_NUMBER_OPTED_OUT";

/**
 * SMS through AWS End User Messaging SMS (pinpoint-sms-voice-v2 SendTextMessage): from the provider
 * number, transactional, through a configuration set whose event destination returns delivery
 * receipts. The message's own id travels in `Context`, so a receipt can be matched to the message
 * even when the provider's message id was never recorded (a timeout after the SMS was taken).
 */
export class EndUserMessagingTransport implements SmsTransport {
  readonly name = "end-user-messaging";

  constructor(
    private readonly client: PinpointSMSVoiceV2Client,
    private readonly configurationSetName: string,
  ) {
    if (!configurationSetName) throw new Error("EndUserMessagingTransport needs a configuration set name");
  }

  async send(sms: OutboundSms): Promise<{ providerMessageId: string }> {
    try {
      const result = await this.client.send(
        new SendTextMessageCommand({
          DestinationPhoneNumber: sms.to,
          OriginationIdentity: sms.from,
          MessageBody: sms.body,
          MessageType: "TRANSACTIONAL",
          ConfigurationSetName: this.configurationSetName,
          Context: { messageId: sms.messageId },
        }),
      );
      if (!result.MessageId) throw new SmsSendError("NO_MESSAGE_ID", "End User Messaging accepted the message without an id");
      return { providerMessageId: result.MessageId };
    } catch (error) {
      if (error instanceof SmsSendError) throw error;
      throw endUserMessagingSendError(error);
    }
  }
}

function endUserMessagingSendError(error: unknown): SmsSendError {
  const name = sdkErrorName(error);
  const reason = (error as { Reason?: unknown } | null | undefined)?.Reason;
  const because = typeof reason === "string" ? ` (${reason})` : "";
  if (reason === optedOutReason) {
    return new SmsSendError("RECIPIENT_OPTED_OUT", `End User Messaging: the recipient has opted out of SMS from this number (${name})`, {
      retryable: false,
      cause: error,
    });
  }
  switch (name) {
    case "ValidationException":
      return new SmsSendError("INVALID_PARAMETER", `End User Messaging refused the message: ${name}${because}`, {
        retryable: false,
        cause: error,
      });
    case "AccessDeniedException":
      return new SmsSendError("ACCESS_DENIED", `End User Messaging refused the message: ${name}${because}`, {
        retryable: false,
        cause: error,
      });
    case "ServiceQuotaExceededException":
      // Not retryable: on SendTextMessage the reasons are the monthly spend limit and the daily
      // message limits, which clear at the next month or day or when the quota is raised, not
      // within any retry window; sending again only repeats the refusal.
      return new SmsSendError("QUOTA_EXCEEDED", `End User Messaging refused the message: ${name}${because}`, {
        retryable: false,
        cause: error,
      });
  }
  const mapped = sdkSendError("End User Messaging", error);
  return because === "" || mapped.code !== name
    ? mapped
    : new SmsSendError(mapped.code, `${mapped.message}${because}`, { retryable: mapped.retryable, cause: error });
}
