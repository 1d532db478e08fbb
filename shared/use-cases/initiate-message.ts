import { createHash } from "node:crypto";
import { activeSmsProviders, composeDefaults } from "../core/rules/compose-defaults";
import type { ComposeDefaultsExtension } from "../core/ports/compose-defaults-extension";
import type { ConsumerStore } from "../core/ports/consumer-store";
import type { Consumer } from "../core/model/consumer";
import type { Provider, SendFromOption } from "../core/model/provider";
import { ServiceError } from "../core/errors";
import { isOptedOut } from "../core/rules/consent";
import { eventsOf } from "../core/rules/event-catalogue";
import { summariseInteraction, type Interaction, type InteractionSummary, type Participant } from "../core/model/interaction";
import type { Message, StoredMessage } from "../core/model/message";
import type { InteractionStore } from "../core/ports/interaction-store";
import { requireValidNumber } from "../core/rules/require-valid-number";
import { normalisePhoneNumber } from "../core/rules/normalise-phone-number";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import type { ProviderStore } from "../core/ports/provider-store";
import { encodingReport, type SmsEncodingReport } from "../core/rules/sms-segments";
import type { MessageStore } from "../core/ports/message-store";
import { interactionFromLock, lockOf, type ConversationLock } from "../core/model/conversation-lock";
import type { RecentLocks } from "../core/ports/recent-locks";
import type { ConversationStore, IdempotencyRecord, InitiationPlan, NumberState } from "../core/ports/conversation-store";
import { decideInitiation, ownProfileAssumed, type Decision, type Outcome, type ProfileChange } from "../core/rules/decide-initiation";
import { formatSendWindow, sendWindowOfSend, type SendWindow, type SendWindowReport } from "../core/rules/send-window";
import { byCodeUnits } from "../core/rules/code-unit-order";

export const maxMessageCharacters = 1600;
/** Decisions made again after a transaction found its reads stale, before the request gives up. */
const maxAttempts = 10;

export interface InitiateMessageDeps {
  consumers: Pick<ConsumerStore, "get">;
  providers: Pick<ProviderStore, "list">;
  interactions: Pick<InteractionStore, "get" | "getWithParticipants">;
  conversations: ConversationStore;
  /** What this container's sends last left on a key: what a send decided on nothing read assumes runs there. */
  recentLocks: RecentLocks;
  messages: Pick<MessageStore, "get">;
  extension: ComposeDefaultsExtension;
  clock: Clock;
  ids: IdGenerator;
  defaultCountry: string;
  /** The service's send window (SEND_WINDOW) and reply grace (REPLY_GRACE). */
  sendWindow: SendWindow;
  replyGraceMs: number;
  /** Waits before deciding again after a transaction conflict (jittered exponential backoff). */
  backoff(attempt: number): Promise<void>;
}

/** What an agent asks for (the agent is the caller, never a field). */
export interface InitiateMessageInput {
  consumerId: string;
  message: string;
  to?: string;
  from?: string;
  originInteractionId?: string;
  confirmReassociation?: boolean;
  dryRun?: boolean;
  /** When the recipient's send window is closed: store the message `scheduled` for when it opens instead of refusing (409). */
  scheduleIfOutsideWindow?: boolean;
}

/** The message as answered: stored fields plus its encoding report. */
export type AnsweredMessage = StoredMessage & SmsEncodingReport;

/** A send that took effect (or its idempotent replay). */
export interface InitiationResult {
  outcome: Outcome;
  interaction: Interaction & { participants: Participant[] };
  closedInteractionId?: string;
  message: AnsweredMessage;
}

/** What a send would do, written and sent nothing. */
export interface DryRunResult {
  dryRun: true;
  outcome: Outcome;
  from: string;
  to: string;
  interaction?: InteractionSummary;
  closedInteractionId?: string;
  profile: { change: ProfileChange["kind"]; currentConsumerId?: string };
  message: SmsEncodingReport;
  sendWindow: SendWindowReport;
  /** The window is closed and the request says `scheduleIfOutsideWindow`: the send would be stored `scheduled` for `scheduledFor`. */
  wouldSchedule?: true;
  /** When it would go (ISO 8601 UTC): the instant of `sendWindow.nextAllowedAt`. */
  scheduledFor?: string;
}

export type InitiateMessageAnswer = InitiationResult | DryRunResult;

/**
 * An agent's SMS from the screen of an interaction: resolves the numbers, reads the state of the
 * conversation key once, decides (decide-initiation.ts), and applies the decision as one
 * transaction that re-checks what it assumed. A cancelled transaction tells which assumption
 * changed (and the stored item), and the decision is made again on that; a conflict backs off and
 * reads again. The message is written `queued` in that transaction and the answer does not wait
 * for the transport: the table's change stream drives the hand-over (hand-over-queued-sms.ts).
 * Outside the recipient's send window the send is refused, or, with `scheduleIfOutsideWindow`,
 * decided and written the same way with the message `scheduled` for when the window opens (the
 * sweep promotes it then: sweep-outbound-queue.ts).
 *
 * When the request names both numbers in E.164 and the window is open by the number's country,
 * nothing is read first: the send is decided as if no conversation ran on the key, the number
 * were this consumer's, nothing opted out, and the consumer had no time zone of its own; the
 * transaction checks all of it, and what its failed conditions found is what the decision is made
 * again on. Without an Idempotency-Key, the conversation it assumes is the one this container's
 * last send on the key left (RecentLocks), if any: an agent's next message joins without a
 * cancelled try.
 */
export async function initiateMessage(
  deps: InitiateMessageDeps,
  request: InitiateMessageInput,
  caller: { agentId: string; idempotencyKey?: string },
): Promise<InitiateMessageAnswer> {
  if (caller.idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(caller.idempotencyKey)) {
    throw new ServiceError("VALIDATION_FAILED", "Idempotency-Key must be 1-200 visible ASCII characters, such as a UUID");
  }
  const characters = [...request.message].length;
  if (request.message.trim() === "") throw new ServiceError("MESSAGE_EMPTY", "message is empty; write the text to send");
  if (characters > maxMessageCharacters) {
    throw new ServiceError("MESSAGE_TOO_LONG", `message is ${characters} characters; the limit is ${maxMessageCharacters}`);
  }

  const requestHash = caller.idempotencyKey ? hashRequest(request) : "";
  const unread = request.dryRun ? undefined : await sendWithoutReading(deps, request, caller.idempotencyKey !== undefined);
  const read = unread ? undefined : await sendAfterReading(deps, request, caller, requestHash);
  if (read && "replayed" in read) return read.replayed;
  const send = (unread ?? read) as SendContext;
  const { to, sender } = send;
  const provider = send.allProviders.find((candidate) => candidate.number === sender.number);
  const encoding = encodingReport(request.message);
  // The number's state as stored: nothing about it is assumed any more.
  const readStateAgain = async () =>
    Object.assign(send, { state: await deps.conversations.readNumberState(to), stateRead: true, ownProfileAssumed: false });

  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const { state } = send;
    const window = sendWindowOfSend(deps, {
      now: deps.clock.now(),
      country: send.country,
      consumer: send.consumer ?? {},
      provider,
      lastInboundAt: state.lastInboundAt[sender.number],
    });
    // A closed window judged on an assumed state: the customer's last reply may open it (reply grace).
    if (!window.allowed && !send.stateRead) {
      await readStateAgain();
      continue;
    }
    // Stored in UTC like every other instant of the table (the scheduled index sorts by it); the
    // same instant as `nextAllowedAt`, which the agent reads in the recipient's offset.
    const scheduledFor =
      !window.allowed && request.scheduleIfOutsideWindow === true && window.report.nextAllowedAt
        ? new Date(window.report.nextAllowedAt).toISOString()
        : undefined;
    if (isOptedOut(state.optOuts, sender.number)) {
      throw new ServiceError(
        "RECIPIENT_OPTED_OUT",
        state.optOuts.includes(sender.number)
          ? `${to} opted out of messages from ${sender.number}; nothing was sent. They can reply START to opt back in`
          : `${to} opted out of messages from every number of this service; nothing was sent. Only an administrator can record their opt-in`,
      );
    }
    // Before anything is written, after the opt-out (a refusal for good says more than "not now").
    if (!window.allowed && !request.dryRun && scheduledFor === undefined) {
      throw new ServiceError(
        "OUTSIDE_SEND_WINDOW",
        `${to} may only be sent to between ${formatSendWindow(window.window).replace("-", " and ")} in ${window.report.timeZone}; nothing was sent. Send again from ${window.report.nextAllowedAt}`,
        { nextAllowedAt: window.report.nextAllowedAt, timeZone: window.report.timeZone },
      );
    }
    const lock = state.locks.find((candidate) => candidate.providerNumber === sender.number);
    const decision = decideInitiation({
      consumerId: send.consumerId,
      lock,
      activeProfile: send.ownProfileAssumed ? ownProfileAssumed : state.activeProfile,
      confirmReassociation: request.confirmReassociation === true,
    });
    if (decision.kind === "reassociation_required") {
      const [holder, consumer] = await Promise.all([
        deps.consumers.get(decision.currentConsumerId),
        send.consumer ?? deps.consumers.get(send.consumerId),
      ]);
      if (!consumer) throw consumerNotFound(send.consumerId);
      throw new ServiceError(
        "PROFILE_REASSOCIATION_REQUIRED",
        `${to} is currently associated with consumer ${holder?.name ?? decision.currentConsumerId}; sending will associate it with ${consumer.name}. Send again with confirmReassociation: true to do so`,
        { currentConsumer: { id: decision.currentConsumerId, name: holder?.name ?? null } },
      );
    }
    if (request.dryRun) return dryRunAnswer(decision, sender.number, to, encoding, window.report, scheduledFor);

    // Joining: the live group as it is (read before, not after: the answer shows it, and the
    // agent joins, with its event, only if not in it yet).
    const liveGroup = decision.kind === "inject" ? await deps.interactions.getWithParticipants(decision.join.interactionId) : undefined;
    const newParticipant = !liveGroup?.participants.some((participant) => participant.agentId === caller.agentId);
    const plan = buildPlan(deps, decision, {
      consumerId: send.consumerId,
      sender,
      to,
      body: request.message,
      agentId: caller.agentId,
      newParticipant,
      ...(scheduledFor ? { scheduledFor } : {}),
    });
    if (!send.consumer) plan.unreadConsumerId = send.consumerId;
    if (caller.idempotencyKey) {
      plan.idempotency = {
        agentId: caller.agentId,
        key: caller.idempotencyKey,
        requestHash,
        outcome: decision.outcome,
        interactionId: plan.interaction.id,
        ...(decision.kind === "replace" ? { closedInteractionId: decision.close.interactionId } : {}),
        messageId: plan.message.id,
        messageCreatedAt: plan.message.createdAt,
        createdAt: plan.now,
      };
    }
    const first = answer(plan, liveGroup?.participants ?? [], encoding, liveGroup);
    // The answer's interaction is kept with the key: a repeat reads only the message again.
    if (plan.idempotency) {
      const { from: _from, to: _to, ...numberless } = first.interaction;
      plan.idempotency.interaction = numberless;
    }
    const result = await deps.conversations.applyInitiation(plan);
    if (result.ok) {
      deps.recentLocks.remember(to, sender.number, lockAfter(plan));
      return first;
    }

    // What the failed conditions found stored is the state the decision is made again on.
    const { found } = result;
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
    switch (result.failed) {
      case "idempotency":
        return replay(deps, result.record, requestHash);
      case "consumer":
        if (!found?.consumer) throw consumerNotFound(send.consumerId);
        // It has a time zone of its own: the window is judged again in it.
        break;
      case "provider":
        throw new ServiceError(
          "UNKNOWN_SEND_FROM",
          `${sender.number} stopped being an active SMS provider; choose another send-from number`,
        );
      case "suppressed":
        throw new ServiceError(
          "RECIPIENT_OPTED_OUT",
          `${to} opted out before its records were erased (a privacy erasure keeps the opt-out); nothing was sent. Only an administrator can record their opt-in`,
        );
      case "opt_out":
        // An opt-out landed (a STOP, a person's entry) or was there unread: refused on the next turn.
        send.state = { ...send.state, optOuts: [...send.state.optOuts, ...(found?.optOuts ?? [sender.number])] };
        break;
      case "lock":
      case "profile":
        break;
      default:
        // The joined interaction changed, or another transaction held an item: read again.
        await deps.backoff(attempt);
        await readStateAgain();
    }
  }
  throw new ServiceError("CONVERSATION_BUSY", "the conversation changed too often while this message was being sent; send it again");
}

/** What a send is decided on: its numbers, and what is known of the consumer and of the customer number. */
interface SendContext {
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
async function sendWithoutReading(
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
async function sendAfterReading(
  deps: InitiateMessageDeps,
  request: InitiateMessageInput,
  caller: { agentId: string; idempotencyKey?: string },
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

function consumerNotFound(consumerId: string): ServiceError {
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

function buildPlan(
  deps: InitiateMessageDeps,
  decision: Exclude<Decision, { kind: "reassociation_required" }>,
  input: {
    consumerId: string;
    sender: SendFromOption;
    to: string;
    body: string;
    agentId: string;
    newParticipant: boolean;
    /** Outside the window, with `scheduleIfOutsideWindow`: when the window opens (UTC). */
    scheduledFor?: string;
  },
): InitiationPlan {
  const now = deps.clock.now().toISOString();
  const { consumerId, sender, to, agentId } = input;
  const interaction: Interaction =
    decision.kind === "inject"
      ? {
          ...interactionFromLock(decision.join),
          // Nobody holds a queued interaction: the agent who writes takes it. An agent's stays theirs.
          ...(decision.assign ? { state: "work_in_progress" as const, handler: "agent" as const, assignedTo: agentId } : {}),
          updatedAt: now,
          lastActivityAt: now,
        }
      : {
          id: deps.ids.next("int"),
          type: "sms",
          state: "work_in_progress",
          active: true,
          handler: "agent",
          assignedTo: agentId,
          consumerId,
          from: sender.number,
          to,
          createdAt: now,
          updatedAt: now,
          lastActivityAt: now,
        };
  const message: Message = {
    id: deps.ids.next("msg"),
    interactionId: interaction.id,
    direction: "outbound",
    body: input.body,
    from: sender.number,
    to,
    agentId,
    ...(input.scheduledFor ? { status: "scheduled" as const, scheduledFor: input.scheduledFor } : { status: "queued" as const }),
    createdAt: now,
  };
  const agent = { type: "agent" as const, id: agentId };
  const event = () => deps.ids.next("evt");
  const events = [
    ...(decision.kind === "replace"
      ? [eventsOf.interactionClosed(event(), decision.close.interactionId, now, decision.outcome, agent, interaction.id)]
      : []),
    ...(decision.kind === "inject" ? [] : [eventsOf.interactionCreated(event(), interaction, agent)]),
    ...(input.newParticipant ? [eventsOf.participantJoined(event(), interaction.id, agentId, now)] : []),
    ...(decision.profile.kind === "move"
      ? [
          eventsOf.profileReassociated(
            event(),
            interaction.id,
            now,
            { phoneNumber: to, fromConsumerId: decision.profile.from.consumerId, toConsumerId: consumerId },
            agentId,
          ),
        ]
      : []),
    eventsOf.messageCreated(event(), message, agent, decision.outcome),
  ];
  return {
    decision,
    providerId: sender.providerId,
    interaction,
    participant: { agentId, joinedAt: now },
    newParticipant: input.newParticipant,
    events,
    message,
    ...(decision.profile.kind === "keep"
      ? {}
      : {
          newProfile: {
            id: deps.ids.next("cup"),
            phoneNumber: to,
            channel: "sms" as const,
            consumerId,
            active: true,
            createdAt: now,
          },
        }),
    now,
  };
}

/** The key's lock as the plan's transaction leaves it. */
function lockAfter(plan: InitiationPlan): ConversationLock {
  const { decision, interaction } = plan;
  if (decision.kind === "create") return lockOf(interaction, 1);
  if (decision.kind === "replace") return lockOf(interaction, decision.close.version + 1);
  return decision.assign ? lockOf(interaction, decision.join.version + 1) : decision.join;
}

/** After the commit: the answer, with the message as written (`queued`, or `scheduled`); the change stream sends it. */
function answer(
  plan: InitiationPlan,
  liveGroup: Participant[],
  encoding: SmsEncodingReport,
  joined: Interaction | undefined,
): InitiationResult {
  const { decision } = plan;
  const participants = [...liveGroup, ...(plan.newParticipant ? [plan.participant] : [])];
  const { participants: _read, ...stored } = (joined ?? {}) as Interaction & { participants?: Participant[] };
  return {
    outcome: decision.outcome,
    interaction: { ...stored, ...plan.interaction, participants },
    ...(decision.kind === "replace" ? { closedInteractionId: decision.close.interactionId } : {}),
    message: { ...plan.message, ...encoding },
  };
}

/** The same Idempotency-Key again: the first answer, its message read back, and nothing sent. */
async function replay(deps: InitiateMessageDeps, record: IdempotencyRecord, requestHash: string): Promise<InitiationResult> {
  if (record.requestHash !== requestHash) {
    throw new ServiceError(
      "IDEMPOTENCY_KEY_REUSED",
      `Idempotency-Key '${record.key}' was used for a different request; use a new key for a new message`,
    );
  }
  const ref = { interactionId: record.interactionId, createdAt: record.messageCreatedAt, messageId: record.messageId };
  // The interaction as first answered (records written before it was kept: as it is now), and
  // the message as it is now: the pipeline may have moved it on since the first answer.
  const message = (await deps.messages.get(ref))!;
  // The numbers come back from the message, which holds them as the interaction does.
  const interaction = record.interaction
    ? { ...record.interaction, from: message.from, to: message.to }
    : (await deps.interactions.getWithParticipants(record.interactionId))!;
  return {
    outcome: record.outcome,
    interaction,
    ...(record.closedInteractionId ? { closedInteractionId: record.closedInteractionId } : {}),
    message: { ...message, ...encodingReport(message.body ?? "") },
  };
}

function dryRunAnswer(
  decision: Exclude<Decision, { kind: "reassociation_required" }>,
  from: string,
  to: string,
  encoding: SmsEncodingReport,
  sendWindow: SendWindowReport,
  scheduledFor: string | undefined,
): DryRunResult {
  const lock = decision.kind === "inject" ? decision.join : decision.kind === "replace" ? decision.close : undefined;
  return {
    dryRun: true,
    outcome: decision.outcome,
    from,
    to,
    ...(lock ? { interaction: summariseInteraction(interactionFromLock(lock)) } : {}),
    // Named as in the real answer: the interaction this send would close.
    ...(decision.kind === "replace" ? { closedInteractionId: decision.close.interactionId } : {}),
    profile: {
      change: decision.profile.kind,
      ...(decision.profile.kind === "move" ? { currentConsumerId: decision.profile.from.consumerId } : {}),
    },
    message: encoding,
    sendWindow,
    ...(scheduledFor ? { wouldSchedule: true as const, scheduledFor } : {}),
  };
}

/**
 * The request as sent, keys sorted: the same body in another key order is the same request. The
 * hash is stored with an Idempotency-Key's record, so it must not change between releases (a test
 * pins it).
 */
export function hashRequest(request: InitiateMessageInput): string {
  const sorted = Object.fromEntries(Object.entries(request).sort(([a], [b]) => byCodeUnits(a, b)));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}
