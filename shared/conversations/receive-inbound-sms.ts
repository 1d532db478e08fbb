import { ApiError } from "../http/error-codes";
import type { Interaction, Message } from "../interactions/interaction";
import { normalisePhoneNumber } from "../phone/normalise-phone-number";
import type { Clock, IdGenerator } from "../platform/clock-and-ids";
import { interactionFromLock } from "./conversation-lock";
import type { ConversationStore, NumberState } from "./conversation-store";

/** The two-way SMS payload (SNS on AWS; `POST /local/inbound_sms` locally). */
export interface InboundSms {
  originationNumber: string;
  destinationNumber: string;
  messageKeyword?: string;
  messageBody: string;
  inboundMessageId: string;
  previousPublishedMessageId?: string;
}

export interface ReceiveInboundDeps {
  conversations: ConversationStore;
  clock: Clock;
  ids: IdGenerator;
  backoff(attempt: number): Promise<void>;
}

export type InboundResult =
  | { outcome: "joined" | "opened"; interactionId: string; messageId: string }
  | { outcome: "duplicate"; inboundMessageId: string };

const maxAttempts = 10;

/**
 * A customer's reply joins the active interaction of its conversation key; with none active it
 * opens one handled by the virtual agent. The message and an item named after the transport's
 * inbound message id are written in one transaction, so a redelivery, however concurrent, is
 * stored once.
 */
export async function receiveInboundSms(deps: ReceiveInboundDeps, sms: InboundSms): Promise<InboundResult> {
  const customer = e164(sms.originationNumber, "originationNumber");
  const provider = e164(sms.destinationNumber, "destinationNumber");
  let state: NumberState = await deps.conversations.readNumberState(customer);

  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const now = deps.clock.now().toISOString();
    const lock = state.locks.find((candidate) => candidate.providerNumber === provider);
    const interaction: Interaction = lock
      ? { ...interactionFromLock(lock), updatedAt: now, lastActivityAt: now }
      : {
          id: deps.ids.next("int"),
          type: "sms",
          state: "work_in_progress",
          active: true,
          handler: "virtual_agent",
          assignedTo: null,
          // The number's active profile says who this is; else a consumer who lists the number.
          consumerId: state.activeProfile?.consumerId ?? state.consumerIds[0] ?? null,
          from: provider,
          to: customer,
          createdAt: now,
          updatedAt: now,
          lastActivityAt: now,
        };
    const message: Message = {
      id: deps.ids.next("msg"),
      interactionId: interaction.id,
      direction: "inbound",
      body: sms.messageBody,
      from: customer,
      to: provider,
      status: "received",
      createdAt: now,
      providerMessageId: sms.inboundMessageId,
    };
    const result = await deps.conversations.applyInbound({ ...(lock ? { join: lock } : {}), interaction, message }, sms.inboundMessageId);
    if (result.ok) return { outcome: lock ? "joined" : "opened", interactionId: interaction.id, messageId: message.id };
    if (result.failed === "duplicate_inbound") return { outcome: "duplicate", inboundMessageId: sms.inboundMessageId };
    if (result.failed === "lock") {
      state = { ...state, locks: [...state.locks.filter((l) => l.providerNumber !== provider), ...(result.lock ? [result.lock] : [])] };
    } else {
      await deps.backoff(attempt);
      state = await deps.conversations.readNumberState(customer);
    }
  }
  throw new Error(`inbound message kept conflicting after ${maxAttempts} attempts`);
}

function e164(value: string, field: string): string {
  const result = normalisePhoneNumber({ phoneNumber: value, defaultCountry: "US" });
  if (!result.valid || result.source !== "input") {
    throw new ApiError("VALIDATION_FAILED", `${field} must be an E.164 number`);
  }
  return result.e164;
}
