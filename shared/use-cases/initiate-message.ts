import { createHash } from "node:crypto";
import { activeSmsProviders, composeDefaults } from "./compose-options";
import type { ComposeDefaultsExtension } from "../core/ports/compose-defaults-extension";
import type { ConsumerStore } from "../core/ports/consumer-store";
import type { Consumer, InitiateMessageRequest, SendFromOption } from "../adapters/http/wire-schemas";
import { ApiError } from "../core/errors";
import type { Interaction, Message } from "../core/model/interaction";
import type { InteractionStore } from "../core/ports/interaction-store";
import { requireValidNumber } from "../core/rules/require-valid-number";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import type { ProviderStore } from "../core/ports/provider-store";
import { smsEncoding } from "../core/rules/sms-segments";
import { SmsSendError, type SmsTransport } from "../core/ports/sms-transport";
import { interactionFromLock, type ConversationLock } from "../core/model/conversation-lock";
import type { ConversationStore, IdempotencyRecord, InitiationPlan, NumberState } from "../core/ports/conversation-store";
import { decideInitiation, type Decision } from "../core/rules/decide-initiation";

export const maxMessageCharacters = 1600;
/** Decisions made again after a transaction found its reads stale, before the request gives up. */
const maxAttempts = 10;
/** Reads of a replayed message still `queued` (the first request is sending it), about 3 s at most. */
const replayWaitAttempts = 8;

export interface InitiateMessageDeps {
  consumers: Pick<ConsumerStore, "get">;
  providers: Pick<ProviderStore, "list">;
  interactions: Pick<InteractionStore, "get" | "getWithParticipants">;
  conversations: ConversationStore;
  transport: SmsTransport;
  extension: ComposeDefaultsExtension;
  clock: Clock;
  ids: IdGenerator;
  defaultCountry: string;
  /** Waits before deciding again after a transaction conflict (jittered exponential backoff). */
  backoff(attempt: number): Promise<void>;
}

export interface Reply {
  status: 200 | 201;
  body: Record<string, unknown>;
}

/**
 * An agent's SMS from the screen of an interaction: resolves the numbers, reads the state of the
 * conversation key once, decides (decide-initiation.ts), and applies the decision as one
 * transaction that re-checks what it assumed. A cancelled transaction tells which assumption
 * changed (and the stored item), and the decision is made again on that; a conflict backs off and
 * reads again. The SMS is handed to the transport only after the transaction committed.
 */
export async function initiateMessage(
  deps: InitiateMessageDeps,
  request: InitiateMessageRequest,
  caller: { agentId: string; idempotencyKey?: string },
): Promise<Reply> {
  if (caller.idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(caller.idempotencyKey)) {
    throw new ApiError("VALIDATION_FAILED", "Idempotency-Key must be 1-200 visible ASCII characters, such as a UUID");
  }
  const characters = [...request.message].length;
  if (request.message.trim() === "") throw new ApiError("MESSAGE_EMPTY", "message is empty; write the text to send");
  if (characters > maxMessageCharacters) {
    throw new ApiError("MESSAGE_TOO_LONG", `message is ${characters} characters; the limit is ${maxMessageCharacters}`);
  }

  const requestHash = caller.idempotencyKey ? hashRequest(request) : "";
  const [requestedConsumer, allProviders, origin, earlier] = await Promise.all([
    deps.consumers.get(request.consumerId),
    deps.providers.list(),
    request.originInteractionId ? deps.interactions.get(request.originInteractionId) : Promise.resolve(undefined),
    // A repeat answers the first answer even if the world moved on since (provider deactivated,
    // profile moved): look the key up alongside the other reads, so it costs no extra latency.
    caller.idempotencyKey && !request.dryRun ? deps.conversations.getIdempotencyRecord(caller.agentId, caller.idempotencyKey) : Promise.resolve(undefined),
  ]);
  if (earlier) return replay(deps, earlier, requestHash);
  if (request.originInteractionId && !origin) {
    throw new ApiError("INTERACTION_NOT_FOUND", `no interaction has id '${request.originInteractionId}'`);
  }
  // A reply to a phone interaction goes to the consumer the call was recorded for.
  const consumer =
    origin?.type === "phone" && origin.consumerId && origin.consumerId !== request.consumerId ? await deps.consumers.get(origin.consumerId) : requestedConsumer;
  if (!consumer) {
    const missing = origin?.type === "phone" && origin.consumerId ? origin.consumerId : request.consumerId;
    throw new ApiError("CONSUMER_NOT_FOUND", `no consumer has id '${missing}'`);
  }

  const providers = activeSmsProviders(allProviders);
  if (providers.length === 0) {
    throw new ApiError("NO_MESSAGING_PROVIDER", "no active SMS provider is configured; an administrator must add or activate one");
  }
  const defaults = request.to && request.from ? undefined : await composeDefaults(deps.extension, { consumer, originInteraction: origin, providers });
  const to = resolveTo(deps, request, consumer, origin, defaults?.defaultSendTo ?? null);
  let state = await deps.conversations.readNumberState(to);
  const sender = resolveFrom(deps, request, providers, state.locks, origin, defaults?.defaultSendFrom ?? null);
  const encoding = smsEncoding(request.message);

  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    if (state.optOuts.includes(sender.number)) {
      throw new ApiError("RECIPIENT_OPTED_OUT", `${to} opted out of messages from ${sender.number} (replied STOP); nothing was sent. They can reply START to opt back in`);
    }
    const lock = state.locks.find((candidate) => candidate.providerNumber === sender.number);
    const decision = decideInitiation({ consumerId: consumer.id, lock, activeProfile: state.activeProfile, confirmReassociation: request.confirmReassociation === true });
    if (decision.kind === "reassociation_required") {
      const holder = await deps.consumers.get(decision.currentConsumerId);
      throw new ApiError(
        "PROFILE_REASSOCIATION_REQUIRED",
        `${to} is currently associated with consumer ${holder?.name ?? decision.currentConsumerId}; sending will associate it with ${consumer.name}. Send again with confirmReassociation: true to do so`,
        { currentConsumer: { id: decision.currentConsumerId, name: holder?.name ?? null } },
      );
    }
    if (request.dryRun) return { status: 200, body: dryRunAnswer(decision, sender.number, to, encoding) };

    const plan = buildPlan(deps, decision, { consumer, sender, to, body: request.message, agentId: caller.agentId });
    if (caller.idempotencyKey) {
      plan.idempotency = {
        agentId: caller.agentId,
        key: caller.idempotencyKey,
        requestHash,
        status: decision.kind === "inject" ? 200 : 201,
        outcome: decision.outcome,
        interactionId: plan.interaction.id,
        ...(decision.kind === "replace" ? { closedInteractionId: decision.close.interactionId } : {}),
        messageId: plan.message.id,
        messageCreatedAt: plan.message.createdAt,
        createdAt: plan.now,
      };
    }
    const result = await deps.conversations.applyInitiation(plan);
    if (result.ok) return deliver(deps, plan, encoding);

    switch (result.failed) {
      case "idempotency":
        return replay(deps, result.record, requestHash);
      case "provider":
        throw new ApiError("UNKNOWN_SEND_FROM", `${sender.number} stopped being an active SMS provider; choose another send-from number`);
      case "opt_out":
        // The customer sent STOP while this was being decided: refused on the next turn.
        state = { ...state, optOuts: [...state.optOuts, sender.number] };
        break;
      case "lock":
        state = { ...state, locks: [...state.locks.filter((l) => l.providerNumber !== sender.number), ...(result.lock ? [result.lock] : [])] };
        break;
      case "profile":
        state = { ...state, activeProfile: result.activeProfile };
        break;
      default:
        // The joined interaction changed, or another transaction held an item: read again.
        await deps.backoff(attempt);
        state = await deps.conversations.readNumberState(to);
    }
  }
  throw new ApiError("CONVERSATION_BUSY", "the conversation changed too often while this message was being sent; send it again");
}

function resolveTo(deps: InitiateMessageDeps, request: InitiateMessageRequest, consumer: Consumer, origin: Interaction | undefined, defaultSendTo: string | null): string {
  if (request.to) return requireValidNumber({ phoneNumber: request.to, consumerLocation: consumer.location, defaultCountry: deps.defaultCountry }, "to").e164;
  if (origin?.type === "sms" && origin.to) return origin.to;
  if (defaultSendTo) return defaultSendTo;
  throw new ApiError("VALIDATION_FAILED", `consumer ${consumer.id} has no phone number: give 'to'`);
}

function resolveFrom(
  deps: InitiateMessageDeps,
  request: InitiateMessageRequest,
  providers: SendFromOption[],
  locks: ConversationLock[],
  origin: Interaction | undefined,
  defaultSendFrom: string | null,
): SendFromOption {
  const byNumber = (number: string | undefined | null) => providers.find((provider) => provider.number === number);
  if (request.from) {
    const number = requireValidNumber({ phoneNumber: request.from, defaultCountry: deps.defaultCountry }, "from").e164;
    const provider = byNumber(number);
    if (!provider) throw new ApiError("UNKNOWN_SEND_FROM", `${number} is not an active SMS provider number; see GET /api/now/providers`);
    return provider;
  }
  // An ongoing conversation with this number keeps its send-from number, so the reply lands there.
  const ongoing = (origin?.type === "sms" ? byNumber(origin.from) : undefined) ?? locks.map((lock) => byNumber(lock.providerNumber)).find(Boolean);
  return ongoing ?? byNumber(defaultSendFrom) ?? providers[0]!;
}

function buildPlan(
  deps: InitiateMessageDeps,
  decision: Exclude<Decision, { kind: "reassociation_required" }>,
  input: { consumer: Consumer; sender: SendFromOption; to: string; body: string; agentId: string },
): InitiationPlan {
  const now = deps.clock.now().toISOString();
  const { consumer, sender, to, agentId } = input;
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
          consumerId: consumer.id,
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
    status: "queued",
    createdAt: now,
  };
  return {
    decision,
    providerId: sender.providerId,
    interaction,
    participant: { agentId, joinedAt: now },
    message,
    ...(decision.profile.kind === "keep"
      ? {}
      : { newProfile: { id: deps.ids.next("cup"), phoneNumber: to, channel: "sms" as const, consumerId: consumer.id, active: true, createdAt: now } }),
    now,
  };
}

/** After the commit: hand the SMS over, record sent or failed (never lost), and answer. */
async function deliver(deps: InitiateMessageDeps, plan: InitiationPlan, encoding: ReturnType<typeof smsEncoding>): Promise<Reply> {
  let verdict: Pick<Message, "status" | "providerMessageId" | "errorCode">;
  try {
    const { providerMessageId } = await deps.transport.send({ messageId: plan.message.id, from: plan.message.from, to: plan.message.to, body: plan.message.body });
    verdict = { status: "sent", providerMessageId };
  } catch (error) {
    verdict = { status: "failed", errorCode: error instanceof SmsSendError ? error.code : "TRANSPORT_ERROR" };
  }
  // Outside the try: a failure to record "sent" must not turn a sent SMS into a failed (and resendable) one.
  const message = await deps.conversations.updateMessageDelivery(plan.message, verdict);
  if (verdict.errorCode === "RECIPIENT_OPTED_OUT") {
    // The carrier's opt-out list said no: remember it as ours, so the next send is refused before
    // anything is written, and answer as for any opted-out recipient. The conversation is kept.
    await deps.conversations.recordOptOut(plan.message.to, plan.message.from, plan.now, "transport");
    throw new ApiError("RECIPIENT_OPTED_OUT", `${plan.message.to} has opted out of SMS from ${plan.message.from} at the carrier; nothing was sent`, {
      interactionId: plan.interaction.id,
      messageId: plan.message.id,
    });
  }
  const { decision } = plan;
  const interaction =
    decision.kind === "inject" ? await deps.interactions.getWithParticipants(plan.interaction.id) : { ...plan.interaction, participants: [plan.participant] };
  return {
    status: decision.kind === "inject" ? 200 : 201,
    body: {
      outcome: decision.outcome,
      interaction,
      ...(decision.kind === "replace" ? { closedInteractionId: decision.close.interactionId } : {}),
      message: { ...message, encoding: encoding.encoding, segments: encoding.segments, characters: encoding.characters },
    },
  };
}

/** The same Idempotency-Key again: the first answer, read back, and nothing sent. */
async function replay(deps: InitiateMessageDeps, record: IdempotencyRecord, requestHash: string): Promise<Reply> {
  if (record.requestHash !== requestHash) {
    throw new ApiError("IDEMPOTENCY_KEY_REUSED", `Idempotency-Key '${record.key}' was used for a different request; use a new key for a new message`);
  }
  const interaction = await deps.interactions.getWithParticipants(record.interactionId);
  // A repeat that arrives while the first request is still handing the SMS over waits (briefly)
  // for its delivery result, so both answers say the same.
  let message = (await deps.conversations.getMessage(record.interactionId, record.messageCreatedAt, record.messageId))!;
  for (let attempt = 0; message.status === "queued" && attempt < replayWaitAttempts; attempt++) {
    await deps.backoff(attempt);
    message = (await deps.conversations.getMessage(record.interactionId, record.messageCreatedAt, record.messageId))!;
  }
  const encoding = smsEncoding(message.body);
  return {
    status: record.status as 200 | 201,
    body: {
      outcome: record.outcome,
      interaction,
      ...(record.closedInteractionId ? { closedInteractionId: record.closedInteractionId } : {}),
      message: { ...message, encoding: encoding.encoding, segments: encoding.segments, characters: encoding.characters },
    },
  };
}

function dryRunAnswer(decision: Exclude<Decision, { kind: "reassociation_required" }>, from: string, to: string, encoding: ReturnType<typeof smsEncoding>) {
  const lock = decision.kind === "inject" ? decision.join : decision.kind === "replace" ? decision.close : undefined;
  const { id, type, state, handler, assignedTo, consumerId } = lock ? interactionFromLock(lock) : ({} as Partial<Interaction>);
  return {
    dryRun: true,
    outcome: decision.outcome,
    from,
    to,
    ...(lock ? { interaction: { id, type, state, handler, assignedTo, consumerId, from: lock.providerNumber, to: lock.customerNumber } } : {}),
    // Named as in the real answer: the interaction this send would close.
    ...(decision.kind === "replace" ? { closedInteractionId: decision.close.interactionId } : {}),
    profile: {
      change: decision.profile.kind,
      ...(decision.profile.kind === "move" ? { currentConsumerId: decision.profile.from.consumerId } : {}),
    },
    message: { encoding: encoding.encoding, segments: encoding.segments, characters: encoding.characters },
  };
}

/** The request as sent, keys sorted: the same body in another key order is the same request. */
function hashRequest(request: InitiateMessageRequest): string {
  const sorted = Object.fromEntries(Object.entries(request).sort(([a], [b]) => a.localeCompare(b)));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}

export type { NumberState };
