import { ServiceError } from "../../core/errors";
import { interactionFromLock } from "../../core/model/conversation-lock";
import { summariseInteraction, type Interaction, type Participant } from "../../core/model/interaction";
import type { IdempotencyRecord, InitiationPlan } from "../../core/ports/conversation-store";
import type { Decision } from "../../core/model/initiation";
import type { SendWindowReport } from "../../core/model/send-window";
import { encodingReport } from "../../core/rules/sms-segments";
import type { SmsEncodingReport } from "../../core/model/sms-encoding";
import type { Caller, DryRunResult, InitiateMessageDeps, InitiationResult } from "./contract";

/** After the commit: the answer, with the message as written (`queued`, or `scheduled`); the change stream sends it. */
export function answer(
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

/**
 * What the key keeps, written in the send's transaction: the decision's ids and the first answer's
 * interaction (without the numbers, which the message holds), so a repeat reads only the message again.
 */
export function idempotencyRecord(
  plan: InitiationPlan,
  caller: Caller & { idempotencyKey: string },
  requestHash: string,
  first: InitiationResult,
): IdempotencyRecord {
  const { decision } = plan;
  const { from: _from, to: _to, ...numberless } = first.interaction;
  return {
    agentId: caller.agentId,
    key: caller.idempotencyKey,
    requestHash,
    outcome: decision.outcome,
    interactionId: plan.interaction.id,
    ...(decision.kind === "replace" ? { closedInteractionId: decision.close.interactionId } : {}),
    messageId: plan.message.id,
    messageCreatedAt: plan.message.createdAt,
    createdAt: plan.now,
    interaction: numberless,
  };
}

/** The same Idempotency-Key again: the first answer, its message read back, and nothing sent. */
export async function replay(deps: InitiateMessageDeps, record: IdempotencyRecord, requestHash: string): Promise<InitiationResult> {
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

export function dryRunAnswer(
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
