/** The two-way SMS payload (SNS on AWS; `POST /local/inbound_sms` locally). */
export interface InboundSms {
  originationNumber: string;
  destinationNumber: string;
  messageKeyword?: string;
  messageBody: string;
  inboundMessageId: string;
  previousPublishedMessageId?: string;
}
