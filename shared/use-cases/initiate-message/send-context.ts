import { ServiceError } from "../../core/errors";
import type { Consumer } from "../../core/model/consumer";
import type { ConversationLock } from "../../core/model/conversation-lock";
import type { Interaction } from "../../core/model/interaction";
import type { Provider, SendFromOption } from "../../core/model/provider";
import type { FoundState, NumberState } from "../../core/ports/conversation-store";
import { activeSmsProviders, composeDefaults } from "../../core/rules/compose-defaults";
import { normalisePhoneNumber } from "../../core/rules/normalise-phone-number";
import { requireValidNumber } from "../../core/rules/require-valid-number";
import { sendWindowOfSend } from "../../core/rules/send-window";
import { replay } from "./answers";
import type { Caller, InitiateMessageDeps, InitiateMessageInput, InitiationResult } from "./contract";

/** What a send is decided on: its numbers, and what is known of the consumer and of the customer number. */
export interface SendContext {
  consumerId: string;
  /** Undefined while unread: the transaction checks it exists without a time zone of its own. */
  consumer: Consumer | undefined;
  allProviders: Provider[];
  sender: SendFromOption;
  to: string;
  country: string | undefined;
  state: NumberState;
  /** False while `state` is assumed (nothing stored) or only what failed conditions found: the reply grace is unknown. */
  stateRead: boolean;
  /** Nothing read yet about the number's profile: taken to be this consumer's (the transaction checks it). */
  ownProfileAssumed: boolean;
}

/**
 * The send decided on nothing read, when the request says all it needs: both numbers in E.164,
 * an active send-from number, and the window open in the number's country. Anything else (or
 * anything to refuse) goes the way that reads first, which says what to fix in the usual order.
 */
export async function sendWithoutReading(
  deps: InitiateMessageDeps,
  request: InitiateMessageInput,
  keyed: boolean,
): Promise<SendContext | undefined> {
  if (!request.to?.trim().startsWith("+") || !request.from || request.originInteractionId) return undefined;
  const allProviders = await deps.providers.list();
  const to = normalisePhoneNumber({ phoneNumber: request.to, defaultCountry: deps.defaultCountry });
  const from = normalisePhoneNumber({ phoneNumber: request.from, defaultCountry: deps.defaultCountry });
  const sender = from.valid ? activeSmsProviders(allProviders).find((provider) => provider.number === from.e164) : undefined;
  if (!to.valid || !sender) return undefined;
  const window = sendWindowOfSend(deps, {
    now: deps.clock.now(),
    to: to.e164,
    country: to.country,
    consumer: {},
    provider: allProviders.find((provider) => provider.number === sender.number),
    lastInboundAt: undefined,
  });
  if (!window.allowed) return undefined;
  // The conversation this container's last send on the key left there, if it remembers one. Not
  // for a keyed send: joining reads the live group before the transaction, and a repeat of the key
  // must find its first answer (in that transaction) with nothing read before it.
  const recent = keyed ? undefined : deps.recentLocks.recall(to.e164, sender.number);
  return {
    consumerId: request.consumerId,
    consumer: undefined,
    allProviders,
    sender,
    to: to.e164,
    country: to.country,
    state: { activeProfile: undefined, locks: recent ? [recent] : [], consumerIds: [], optOuts: [], lastInboundAt: {} },
    stateRead: false,
    ownProfileAssumed: true,
  };
}

/** The send decided on what is read: the consumer (or the key's first answer), the origin, the number's state. */
export async function sendAfterReading(
  deps: InitiateMessageDeps,
  request: InitiateMessageInput,
  caller: Caller,
  requestHash: string,
): Promise<SendContext | { replayed: InitiationResult }> {
  // A `to` written in international form is the same number whoever the consumer is: its state is
  // read alongside the consumer, not after it (one round trip instead of two).
  const toAsWritten = request.to ? normalisePhoneNumber({ phoneNumber: request.to, defaultCountry: deps.defaultCountry }) : undefined;
  const early = toAsWritten?.valid && toAsWritten.source === "input" ? toAsWritten.e164 : undefined;
  const [{ consumer: requestedConsumer, record: earlier }, allProviders, origin, earlyState] = await Promise.all([
    // A repeat answers the first answer even if the world moved on since (provider deactivated,
    // profile moved): the key is looked up with the consumer, in one round trip.
    caller.idempotencyKey && !request.dryRun
      ? deps.conversations.getConsumerAndIdempotencyRecord(request.consumerId, caller.agentId, caller.idempotencyKey)
      : deps.consumers.get(request.consumerId).then((consumer) => ({ consumer, record: undefined })),
    deps.providers.list(),
    request.originInteractionId ? deps.interactions.get(request.originInteractionId) : Promise.resolve(undefined),
    early ? deps.conversations.readNumberState(early) : Promise.resolve(undefined),
  ]);
  if (earlier) return { replayed: await replay(deps, earlier, requestHash) };
  if (request.originInteractionId && !origin) {
    throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${request.originInteractionId}'`);
  }
  // A reply to a phone interaction goes to the consumer the call was recorded for.
  const consumer =
    origin?.type === "phone" && origin.consumerId && origin.consumerId !== request.consumerId
      ? await deps.consumers.get(origin.consumerId)
      : requestedConsumer;
  if (!consumer) throw consumerNotFound(origin?.type === "phone" && origin.consumerId ? origin.consumerId : request.consumerId);

  const providers = activeSmsProviders(allProviders);
  if (providers.length === 0) {
    throw new ServiceError("NO_MESSAGING_PROVIDER", "no active SMS provider is configured; an administrator must add or activate one");
  }
  const defaults =
    request.to && request.from ? undefined : await composeDefaults(deps.extension, { consumer, originInteraction: origin, providers });
  const { e164: to, country } = resolveTo(deps, request, consumer, origin, defaults?.defaultSendTo ?? null);
  const state = earlyState && early === to ? earlyState : await deps.conversations.readNumberState(to);
  const sender = resolveFrom(deps, request, providers, state.locks, origin, defaults?.defaultSendFrom ?? null);
  return { consumerId: consumer.id, consumer, allProviders, sender, to, country, state, stateRead: true, ownProfileAssumed: false };
}

export function consumerNotFound(consumerId: string): ServiceError {
  return new ServiceError("CONSUMER_NOT_FOUND", `no consumer has id '${consumerId}'`);
}

/** The number to send to (E.164) and its country, for the send window. */
function resolveTo(
  deps: InitiateMessageDeps,
  request: InitiateMessageInput,
  consumer: Consumer,
  origin: Interaction | undefined,
  defaultSendTo: string | null,
): { e164: string; country: string | undefined } {
  if (request.to) {
    const given = requireValidNumber(
      { phoneNumber: request.to, consumerLocation: consumer.location, defaultCountry: deps.defaultCountry },
      "to",
    );
    return { e164: given.e164, country: given.country };
  }
  const stored = origin?.type === "sms" && origin.to ? origin.to : defaultSendTo;
  if (stored)
    return { e164: stored, country: requireValidNumber({ phoneNumber: stored, defaultCountry: deps.defaultCountry }, "to").country };
  throw new ServiceError("VALIDATION_FAILED", `consumer ${consumer.id} has no phone number: give 'to'`);
}

function resolveFrom(
  deps: InitiateMessageDeps,
  request: InitiateMessageInput,
  providers: SendFromOption[],
  locks: ConversationLock[],
  origin: Interaction | undefined,
  defaultSendFrom: string | null,
): SendFromOption {
  const byNumber = (number: string | undefined | null) => providers.find((provider) => provider.number === number);
  if (request.from) {
    const number = requireValidNumber({ phoneNumber: request.from, defaultCountry: deps.defaultCountry }, "from").e164;
    const provider = byNumber(number);
    if (!provider)
      throw new ServiceError("UNKNOWN_SEND_FROM", `${number} is not an active SMS provider number; see GET /api/now/providers`);
    return provider;
  }
  // An ongoing conversation with this number keeps its send-from number, so the reply lands there.
  const ongoing =
    (origin?.type === "sms" ? byNumber(origin.from) : undefined) ?? locks.map((lock) => byNumber(lock.providerNumber)).find(Boolean);
  return ongoing ?? byNumber(defaultSendFrom) ?? providers[0]!;
}

/** The number's state as stored: nothing about it is assumed any more. */
export async function readStateAgain(deps: InitiateMessageDeps, send: SendContext): Promise<void> {
  Object.assign(send, { state: await deps.conversations.readNumberState(send.to), stateRead: true, ownProfileAssumed: false });
}

/**
 * What a cancelled transaction's failed conditions found stored becomes the state the decision is
 * made again on (and the container's guess for the key's next send).
 */
export function learnFrom(deps: InitiateMessageDeps, send: SendContext, found: FoundState | undefined): void {
  const { to, sender } = send;
  if (found?.lock !== undefined) {
    deps.recentLocks.remember(to, sender.number, found.lock);
    send.state = {
      ...send.state,
      locks: [...send.state.locks.filter((l) => l.providerNumber !== sender.number), ...(found.lock ? [found.lock] : [])],
    };
  }
  if (found?.activeProfile !== undefined) {
    send.state = { ...send.state, activeProfile: found.activeProfile ?? undefined };
    send.ownProfileAssumed = false;
  }
  if (found?.consumer) send.consumer = found.consumer;
}
