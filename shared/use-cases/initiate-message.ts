import { ServiceError } from "../core/errors";
import type { ApplyResult, InitiationPlan } from "../core/ports/conversation-store";
import { isOptedOut } from "../core/rules/consent";
import { decideInitiation, ownProfileAssumed } from "../core/rules/decide-initiation";
import type { Decision } from "../core/model/initiation";
import { buildInitiationPlan, lockAfter } from "../core/rules/initiation-plan";
import { formatSendWindow, sendWindowOfSend } from "../core/rules/send-window";
import { encodingReport } from "../core/rules/sms-segments";
import type { SmsEncodingReport } from "../core/model/sms-encoding";
import { answer, dryRunAnswer, idempotencyRecord, replay } from "./initiate-message/answers";
import {
  hashRequest,
  maxAttempts,
  requireWellFormed,
  type Caller,
  type InitiateMessageAnswer,
  type InitiateMessageDeps,
  type InitiateMessageInput,
  type InitiationResult,
} from "./initiate-message/contract";
import {
  consumerNotFound,
  learnFrom,
  readStateAgain,
  sendAfterReading,
  sendWithoutReading,
  type SendContext,
} from "./initiate-message/send-context";

// Callers import the use case and its contract from here; its parts live in ./initiate-message/.
export {
  hashRequest,
  maxMessageCharacters,
  type AnsweredMessage,
  type Caller,
  type DryRunResult,
  type InitiateMessageAnswer,
  type InitiateMessageDeps,
  type InitiateMessageInput,
  type InitiationResult,
} from "./initiate-message/contract";

type Decided = Exclude<Decision, { kind: "reassociation_required" }>;
type SendWindowVerdict = ReturnType<typeof sendWindowOfSend>;

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
  caller: Caller,
): Promise<InitiateMessageAnswer> {
  requireWellFormed(request, caller);
  const requestHash = caller.idempotencyKey ? hashRequest(request) : "";
  const unread = request.dryRun ? undefined : await sendWithoutReading(deps, request, caller.idempotencyKey !== undefined);
  const read = unread ? undefined : await sendAfterReading(deps, request, caller, requestHash);
  if (read && "replayed" in read) return read.replayed;
  const send = (unread ?? read) as SendContext;
  const encoding = encodingReport(request.message);

  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const window = sendWindowNow(deps, send);
    // A closed window judged on an assumed state: the customer's last reply may open it (reply grace).
    if (!window.allowed && !send.stateRead) {
      await readStateAgain(deps, send);
      continue;
    }
    refuseIfOptedOut(send);
    const scheduledFor = scheduleOrRefuseOutsideWindow(deps, request, send, window);
    const decision = decideInitiation({
      consumerId: send.consumerId,
      lock: send.state.locks.find((candidate) => candidate.providerNumber === send.sender.number),
      activeProfile: send.ownProfileAssumed ? ownProfileAssumed : send.state.activeProfile,
      confirmReassociation: request.confirmReassociation === true,
    });
    if (decision.kind === "reassociation_required") throw await reassociationRequired(deps, send, decision.currentConsumerId);
    if (request.dryRun) return dryRunAnswer(decision, send.sender.number, send.to, encoding, window.report, scheduledFor);

    const { plan, first } = await planSend(deps, send, decision, { request, caller, requestHash, encoding, scheduledFor });
    const result = await deps.conversations.applyInitiation(plan);
    if (result.ok) {
      deps.recentLocks.remember(send.to, send.sender.number, lockAfter(plan));
      return first;
    }
    // What the failed conditions found stored is the state the decision is made again on.
    learnFrom(deps, send, result.found);
    const replayed = await afterFailedCondition(deps, send, result, requestHash, attempt);
    if (replayed) return replayed;
  }
  throw new ServiceError("CONVERSATION_BUSY", "the conversation changed too often while this message was being sent; send it again");
}

/** The recipient's send window at this moment, judged on what is known of the consumer and the number. */
function sendWindowNow(deps: InitiateMessageDeps, send: SendContext): SendWindowVerdict {
  return sendWindowOfSend(deps, {
    now: deps.clock.now(),
    to: send.to,
    country: send.country,
    consumer: send.consumer ?? {},
    provider: send.allProviders.find((candidate) => candidate.number === send.sender.number),
    lastInboundAt: send.state.lastInboundAt[send.sender.number],
  });
}

function refuseIfOptedOut({ state, sender, to }: SendContext): void {
  if (!isOptedOut(state.optOuts, sender.number)) return;
  throw new ServiceError(
    "RECIPIENT_OPTED_OUT",
    state.optOuts.includes(sender.number)
      ? `${to} opted out of messages from ${sender.number}; nothing was sent. They can reply START to opt back in`
      : `${to} opted out of messages from every number of this service; nothing was sent. Only an administrator can record their opt-in`,
  );
}

/**
 * A closed window: with `scheduleIfOutsideWindow`, when the message is to go (stored in UTC like
 * every other instant of the table, the scheduled index sorts by it; the same instant as
 * `nextAllowedAt`, which the agent reads in the recipient's offset). Without it the send is
 * refused, after the opt-out (a refusal for good says more than "not now") and before anything is
 * written; a dry run only reports the window.
 */
function scheduleOrRefuseOutsideWindow(
  deps: Pick<InitiateMessageDeps, "sendWindow" | "localServer">,
  request: InitiateMessageInput,
  send: SendContext,
  window: SendWindowVerdict,
): string | undefined {
  if (window.allowed) return undefined;
  const { nextAllowedAt, timeZone, timeZoneSource } = window.report;
  if (request.scheduleIfOutsideWindow === true && nextAllowedAt) return new Date(nextAllowedAt).toISOString();
  if (request.dryRun) return undefined;
  // SEND_WINDOW changes the service's window, not a provider's own (its `sendWindow`, parsed into another object).
  const setBySendWindow = deps.localServer === true && window.window === deps.sendWindow;
  throw new ServiceError(
    "OUTSIDE_SEND_WINDOW",
    `${send.to} may only be sent to between ${formatSendWindow(window.window).replace("-", " and ")} in ${timeZone}; nothing was sent. ` +
      `Send again from ${nextAllowedAt}, or now with scheduleIfOutsideWindow: true to have it sent when the window opens` +
      (setBySendWindow ? ". This local server's window is set with SEND_WINDOW, e.g. SEND_WINDOW=00:00-24:00 npm start" : ""),
    { nextAllowedAt, timeZone, timeZoneSource },
  );
}

/** The number's profile is another consumer's and the agent did not confirm: who holds it, named for the agent. */
async function reassociationRequired(deps: InitiateMessageDeps, send: SendContext, currentConsumerId: string): Promise<ServiceError> {
  const [holder, consumer] = await Promise.all([
    deps.consumers.get(currentConsumerId),
    send.consumer ?? deps.consumers.get(send.consumerId),
  ]);
  if (!consumer) return consumerNotFound(send.consumerId);
  return new ServiceError(
    "PROFILE_REASSOCIATION_REQUIRED",
    `${send.to} is currently associated with consumer ${holder?.name ?? currentConsumerId}; sending will associate it with ${consumer.name}. Send again with confirmReassociation: true to do so`,
    { currentConsumer: { id: currentConsumerId, name: holder?.name ?? null } },
  );
}

/** The decision as the records its transaction writes, and the answer it gives once committed. */
async function planSend(
  deps: InitiateMessageDeps,
  send: SendContext,
  decision: Decided,
  sending: {
    request: InitiateMessageInput;
    caller: Caller;
    requestHash: string;
    encoding: SmsEncodingReport;
    scheduledFor: string | undefined;
  },
): Promise<{ plan: InitiationPlan; first: InitiationResult }> {
  const { agentId, idempotencyKey } = sending.caller;
  // Joining: the live group as it is (read before, not after: the answer shows it, and the
  // agent joins, with its event, only if not in it yet).
  const liveGroup = decision.kind === "inject" ? await deps.interactions.getWithParticipants(decision.join.interactionId) : undefined;
  const plan = buildInitiationPlan(
    decision,
    {
      consumerId: send.consumerId,
      sender: send.sender,
      to: send.to,
      body: sending.request.message,
      agentId,
      newParticipant: !liveGroup?.participants.some((participant) => participant.agentId === agentId),
      ...(sending.scheduledFor ? { scheduledFor: sending.scheduledFor } : {}),
    },
    deps.clock.now().toISOString(),
    deps.ids,
  );
  if (!send.consumer) plan.unreadConsumerId = send.consumerId;
  const first = answer(plan, liveGroup?.participants ?? [], sending.encoding, liveGroup);
  if (idempotencyKey) plan.idempotency = idempotencyRecord(plan, { agentId, idempotencyKey }, sending.requestHash, first);
  return { plan, first };
}

/**
 * A failed condition of the send's transaction (what it found is already learnt): the key's first
 * answer, a refusal, or nothing, and the decision is made again on what is now known; a conflict
 * waits and reads again.
 */
async function afterFailedCondition(
  deps: InitiateMessageDeps,
  send: SendContext,
  result: Exclude<ApplyResult, { ok: true }>,
  requestHash: string,
  attempt: number,
): Promise<InitiationResult | undefined> {
  switch (result.failed) {
    case "idempotency":
      return replay(deps, result.record, requestHash);
    case "consumer":
      if (!result.found?.consumer) throw consumerNotFound(send.consumerId);
      // It has a time zone of its own: the window is judged again in it.
      return undefined;
    case "provider":
      throw new ServiceError(
        "UNKNOWN_SEND_FROM",
        `${send.sender.number} stopped being an active SMS provider; choose another send-from number`,
      );
    case "suppressed":
      throw new ServiceError(
        "RECIPIENT_OPTED_OUT",
        `${send.to} opted out before its records were erased (a privacy erasure keeps the opt-out); nothing was sent. Only an administrator can record their opt-in`,
      );
    case "opt_out":
      // An opt-out landed (a STOP, a person's entry) or was there unread: refused on the next turn.
      send.state = { ...send.state, optOuts: [...send.state.optOuts, ...(result.found?.optOuts ?? [send.sender.number])] };
      return undefined;
    case "lock":
    case "profile":
      return undefined;
    default:
      // The joined interaction changed, or another transaction held an item: read again.
      await deps.backoff(attempt);
      await readStateAgain(deps, send);
      return undefined;
  }
}
