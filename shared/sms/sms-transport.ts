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
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "SmsSendError";
  }
}
