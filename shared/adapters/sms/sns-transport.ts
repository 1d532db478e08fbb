import { CheckIfPhoneNumberIsOptedOutCommand, PublishCommand, type SNSClient } from "@aws-sdk/client-sns";
import { SmsSendError, type OutboundSms, type SmsTransport } from "../../core/ports/sms-transport";

export interface SnsTransportOptions {
  /**
   * Ask SNS (CheckIfPhoneNumberIsOptedOut) whether the number replied STOP to the account before
   * publishing, and refuse with RECIPIENT_OPTED_OUT, publishing nothing, if it did. SNS's Publish
   * itself accepts SMS to an opted-out number and drops it later, so without the check such a
   * message is `sent` and never arrives. Needs `sns:CheckIfPhoneNumberIsOptedOut`. Default: true.
   */
  checkOptOut?: boolean;
}

/** SMS through Amazon SNS: Publish to the customer's number, from the provider number, transactional. */
export class SnsTransport implements SmsTransport {
  readonly name = "sns";
  private readonly checkOptOut: boolean;

  constructor(
    private readonly client: SNSClient,
    options: SnsTransportOptions = {},
  ) {
    this.checkOptOut = options.checkOptOut ?? true;
  }

  async send(sms: OutboundSms): Promise<{ providerMessageId: string }> {
    try {
      if (this.checkOptOut) {
        const { isOptedOut } = await this.client.send(new CheckIfPhoneNumberIsOptedOutCommand({ phoneNumber: sms.to }));
        if (isOptedOut)
          throw new SmsSendError("RECIPIENT_OPTED_OUT", "SNS: the recipient has opted out of SMS from this account", { retryable: false });
      }
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
      throw snsSendError(error);
    }
  }
}

function snsSendError(error: unknown): SmsSendError {
  const name = sdkErrorName(error);
  if (
    name === "InvalidParameterException" ||
    name === "InvalidParameterValueException" ||
    name === "InvalidParameter" ||
    name === "ParameterValueInvalid"
  ) {
    return new SmsSendError("INVALID_PARAMETER", `SNS refused the message: ${name}`, { retryable: false, cause: error });
  }
  return sdkSendError("SNS", error);
}

/** The shape AWS SDK v3 errors have: service exceptions carry `$fault`; network errors a Node `code`. */
interface SdkErrorLike {
  name?: unknown;
  code?: unknown;
  cause?: unknown;
  $fault?: unknown;
  $metadata?: { httpStatusCode?: unknown };
  $retryable?: { throttling?: unknown };
}

const throttlingNames = new Set(["ThrottlingException", "ThrottledException", "Throttled", "Throttling", "TooManyRequestsException"]);
const timeoutNames = new Set(["TimeoutError", "AbortError", "RequestTimeout", "RequestTimeoutException"]);
const timeoutCodes = new Set(["ETIMEDOUT", "ESOCKETTIMEDOUT"]);
const networkCodes = new Set(["ECONNRESET", "ECONNREFUSED", "EPIPE", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

export function sdkErrorName(error: unknown): string {
  const name = (error as SdkErrorLike | null | undefined)?.name;
  return typeof name === "string" && name !== "" ? name : "UnknownError";
}

/**
 * The refusal for an AWS SDK failure that no transport-specific rule matched (shared by the SNS and
 * End User Messaging transports): throttling → THROTTLED; timeouts and aborts → TRANSPORT_TIMEOUT;
 * network errors, and anything else that is not a service's answer → TRANSPORT_ERROR; any other
 * service error → its name, retryable when the service says the fault is its own (5xx).
 */
export function sdkSendError(service: string, error: unknown): SmsSendError {
  const e = (error ?? {}) as SdkErrorLike;
  const name = sdkErrorName(error);
  const status = typeof e.$metadata?.httpStatusCode === "number" ? e.$metadata.httpStatusCode : undefined;
  if (throttlingNames.has(name) || e.$retryable?.throttling === true || status === 429) {
    return new SmsSendError("THROTTLED", `${service} throttled the request (${name})`, { retryable: true, cause: error });
  }
  const isServiceError = e.$fault === "client" || e.$fault === "server";
  if (!isServiceError) {
    const code = nodeErrorCode(e);
    if (timeoutNames.has(name) || (code !== undefined && timeoutCodes.has(code))) {
      return new SmsSendError("TRANSPORT_TIMEOUT", `${service} did not answer in time (${name}); the SMS may or may not have been taken`, {
        retryable: true,
        cause: error,
      });
    }
    const network = code !== undefined && networkCodes.has(code);
    return new SmsSendError("TRANSPORT_ERROR", `${service} could not be reached (${code ?? name})`, { retryable: network, cause: error });
  }
  const serverFault = e.$fault === "server" || (status !== undefined && status >= 500);
  return new SmsSendError(name, `${service} refused the message: ${name}`, { retryable: serverFault, cause: error });
}

function nodeErrorCode(error: SdkErrorLike): string | undefined {
  if (typeof error.code === "string") return error.code;
  const cause = error.cause as SdkErrorLike | null | undefined;
  return typeof cause?.code === "string" ? cause.code : undefined;
}
