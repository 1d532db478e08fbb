import type { Message, StoredMessage } from "../core/model/message";
import type { MessageStore } from "../core/ports/message-store";
import { SmsSendError, type SmsTransport } from "../core/ports/sms-transport";

export interface HandOverDeps {
  transport: SmsTransport;
  messages: Pick<MessageStore, "recordSendVerdict">;
}

/**
 * The one hand-over step: give a stored `queued` message to the transport, then record its
 * verdict (`sent` with the provider's id, or `failed` with the transport's code). Every sender
 * (an agent's send, an automatic keyword reply, a retry) goes through here.
 */
export async function handOverSms(deps: HandOverDeps, message: StoredMessage): Promise<StoredMessage> {
  let verdict: Pick<Message, "status" | "providerMessageId" | "errorCode">;
  try {
    const { providerMessageId } = await deps.transport.send({
      messageId: message.id,
      from: message.from,
      to: message.to,
      body: message.body,
    });
    verdict = { status: "sent", providerMessageId };
  } catch (error) {
    verdict = { status: "failed", errorCode: error instanceof SmsSendError ? error.code : "TRANSPORT_ERROR" };
  }
  // Outside the try: a failure to record "sent" must not turn a sent SMS into a failed (and resendable) one.
  return deps.messages.recordSendVerdict(message, verdict);
}
