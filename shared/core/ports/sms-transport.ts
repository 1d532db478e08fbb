/** The SMS transport port: SNS or End User Messaging on AWS, the outbox locally. */
export interface OutboundSms {
  messageId: string;
  from: string;
  to: string;
  body: string;
}

export interface SmsTransport {
  readonly name: string;
  /** Hands the SMS over; resolves with the transport's message id, or throws SmsSendError. */
  send(sms: OutboundSms): Promise<{ providerMessageId: string }>;
}

/** A transport's refusal, with its error code (stored on the message as `errorCode`). */
export class SmsSendError extends Error {
  /**
   * True when the same SMS may go through if sent again later (throttling, timeouts, network
   * errors, the provider's own 5xx faults); false when it will be refused again as it is (invalid
   * parameters, an opted-out recipient, missing permissions, an exhausted quota or spend limit).
   * A timeout may also mean the provider took the SMS and its answer was lost: retrying it can
   * deliver it twice.
   */
  readonly retryable: boolean;

  constructor(
    readonly code: string,
    message: string,
    /** `retryable` defaults to false; `cause` is the provider's (or the network's) error. */
    options: { retryable?: boolean; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "SmsSendError";
    this.retryable = options.retryable ?? false;
  }
}
