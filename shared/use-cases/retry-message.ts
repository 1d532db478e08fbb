import { ServiceError } from "../core/errors";
import type { InteractionReader } from "../core/ports/interaction-store";
import type { Clock } from "../core/ports/clock-and-ids";
import { encodingReport } from "../core/rules/sms-segments";
import type { SmsEncodingReport } from "../core/model/sms-encoding";
import type { MessageStore } from "../core/ports/message-store";
import type { StoredMessage } from "../core/model/message";
import { isRetryable, retryMove } from "../core/rules/message-status";

export interface RetryMessageDeps {
  messages: Pick<MessageStore, "locate" | "get" | "claimRetry">;
  interactions: InteractionReader;
  clock: Clock;
}

export interface RetryAnswer {
  /** The message after the attempt, with its encoding and segments as in initiate_message's answer. */
  message: StoredMessage & SmsEncodingReport;
}

/**
 * An agent sends a failed outbound message again. The message is claimed with one conditional
 * write (`failed → queued`, attempts + 1, error cleared), so of any number of simultaneous
 * retries exactly one wins; the others answer 409 with the status they found. The winner answers
 * the message `queued`: the change stream hands it over like a first send, with a fresh validity.
 * The same write checks the recipient has not opted out (of its send-from number or of every
 * number), so an opt-out that lands while the retry is made still refuses it.
 */
export async function retryMessage(
  deps: RetryMessageDeps,
  target: { interactionId: string; messageId: string },
  caller: { agentId: string },
): Promise<RetryAnswer> {
  const notFound = () =>
    new ServiceError("MESSAGE_NOT_FOUND", `interaction '${target.interactionId}' has no outbound message '${target.messageId}'`);
  const ref = await deps.messages.locate(target.messageId);
  if (!ref || ref.interactionId !== target.interactionId) throw notFound();
  const message = await deps.messages.get(ref);
  if (!message) throw notFound();
  if (!isRetryable(message)) throw notRetryable(message);

  const interaction = await deps.interactions.get(message.interactionId);
  if (!interaction?.active) {
    // Its conversation key may belong to another interaction by now: a reply would not come back here.
    throw new ServiceError(
      "INTERACTION_NOT_ACTIVE",
      `interaction '${message.interactionId}' is closed; send a new message instead (POST /api/now/initiate_message with originInteractionId)`,
    );
  }
  const claim = await deps.messages.claimRetry(message, { agentId: caller.agentId, now: deps.clock.now().toISOString() });
  if ("optedOut" in claim) {
    throw new ServiceError(
      "RECIPIENT_OPTED_OUT",
      `${message.to} opted out of messages from ${message.from} (or from every number); nothing was sent. See GET /api/now/consents?phoneNumber=${encodeURIComponent(message.to)}`,
    );
  }
  if (!claim.claimed) {
    if (!claim.message) throw notFound();
    throw notRetryable(claim.message);
  }

  return { message: { ...claim.message, ...encodingReport(claim.message.body ?? "") } };
}

function notRetryable(message: StoredMessage): ServiceError {
  const why =
    message.status === "queued" || message.status === "sending"
      ? "it is being sent (another retry, or the first hand-over, is in progress)"
      : message.status !== retryMove.from
        ? `only a ${retryMove.from} message can be retried`
        : isRetryable(message)
          ? "it was retried, and failed again, while this retry was being made; retry it again"
          : `its number became another customer's before it went (${message.errorCode}); send a new message to the customer's current number instead`;
  return new ServiceError("MESSAGE_NOT_RETRYABLE", `message '${message.id}' is ${message.status}: ${why}`, {
    messageStatus: message.status,
  });
}
