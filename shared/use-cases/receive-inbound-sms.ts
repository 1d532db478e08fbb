import { ServiceError } from "../core/errors";
import { eventsOf } from "../core/rules/event-catalogue";
import type { InboundSms } from "../core/model/inbound-sms";
import type { Interaction } from "../core/model/interaction";
import type { Message } from "../core/model/message";
import { normalisePhoneNumber } from "../core/rules/normalise-phone-number";
import { fallbackDefaultCountry } from "../core/model/phone-number";
import type { Clock, IdGenerator } from "../core/ports/clock-and-ids";
import { interactionFromLock } from "../core/model/conversation-lock";
import { keywordOf, keywordReplies } from "../core/rules/sms-keywords";
import type { SmsKeyword } from "../core/model/message";
import type { ConversationStore, NumberState } from "../core/ports/conversation-store";
import type { ConsentEntry } from "../core/model/consent";

export interface ReceiveInboundDeps {
  conversations: ConversationStore;
  /** The answer to HELP/INFO (HELP_TEXT). */
  helpText: string;
  clock: Clock;
  ids: IdGenerator;
  backoff(attempt: number): Promise<void>;
}

export type InboundResult =
  | { outcome: "joined" | "opened"; interactionId: string; messageId: string; keyword?: SmsKeyword; autoReplyMessageId?: string }
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
  const keyword = keywordOf(sms.messageBody);

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
    const optedOut = state.optOuts.includes(provider);
    const optOut = keyword === "stop" && !optedOut ? "record" : keyword === "start" && optedOut ? "lift" : undefined;
    // Confirm a STOP or START that changed something (so once), answer every HELP.
    const reply =
      optOut === "record" ? keywordReplies.stop : optOut === "lift" ? keywordReplies.start : keyword === "help" ? deps.helpText : undefined;
    const autoReply = reply && keyword ? automaticReply(deps, interaction, keyword, reply, now) : undefined;
    const event = () => deps.ids.next("evt");
    const customerActor = { type: "customer" as const };
    const consent: ConsentEntry | undefined = optOut
      ? {
          id: deps.ids.next("cns"),
          phoneNumber: customer,
          providerNumber: provider,
          state: optOut === "record" ? "opted_out" : "opted_in",
          source: "keyword",
          evidence: sms.messageBody.trim().slice(0, 20),
          messageId: message.id,
          at: now,
        }
      : undefined;
    const events = [
      ...(lock ? [] : [eventsOf.interactionCreated(event(), interaction, customerActor)]),
      eventsOf.messageCreated(event(), message, customerActor),
      ...(consent ? [eventsOf.consentChanged(event(), consent, customerActor, interaction.id)] : []),
      ...(autoReply ? [eventsOf.messageCreated(event(), autoReply, { type: "system" })] : []),
    ];
    const result = await deps.conversations.applyInbound(
      {
        ...(lock ? { join: lock } : {}),
        interaction,
        message,
        ...(optOut ? { optOut, consent } : {}),
        ...(autoReply ? { autoReply } : {}),
        events,
      },
      sms.inboundMessageId,
    );
    if (result.ok) {
      return {
        outcome: lock ? "joined" : "opened",
        interactionId: interaction.id,
        messageId: message.id,
        ...(keyword ? { keyword } : {}),
        ...(autoReply ? { autoReplyMessageId: autoReply.id } : {}),
      };
    }
    if (result.failed === "duplicate_inbound") return { outcome: "duplicate", inboundMessageId: sms.inboundMessageId };
    if (result.failed === "opt_out") {
      // Another STOP/START got there first: the state flips, and this one changes nothing.
      state = { ...state, optOuts: optedOut ? state.optOuts.filter((number) => number !== provider) : [...state.optOuts, provider] };
    } else if (result.failed === "lock") {
      state = { ...state, locks: [...state.locks.filter((l) => l.providerNumber !== provider), ...(result.lock ? [result.lock] : [])] };
    } else {
      await deps.backoff(attempt);
      state = await deps.conversations.readNumberState(customer);
    }
  }
  throw new Error(`inbound message kept conflicting after ${maxAttempts} attempts`);
}

/**
 * The keyword's answer, written `queued` with the inbound message (one transaction) and handed over
 * by the change stream like any message. A millisecond after the inbound one, so it sorts after it.
 */
function automaticReply(deps: ReceiveInboundDeps, interaction: Interaction, keyword: SmsKeyword, body: string, inboundAt: string): Message {
  return {
    id: deps.ids.next("msg"),
    interactionId: interaction.id,
    direction: "outbound",
    body,
    from: interaction.from!,
    to: interaction.to!,
    status: "queued",
    createdAt: new Date(Date.parse(inboundAt) + 1).toISOString(),
    answersKeyword: keyword,
  };
}

function e164(value: string, field: string): string {
  // Only a number already in E.164 is accepted: the country it would be read in does not matter.
  const result = normalisePhoneNumber({ phoneNumber: value, defaultCountry: fallbackDefaultCountry });
  if (!result.valid || result.source !== "input") {
    throw new ServiceError("VALIDATION_FAILED", `${field} must be an E.164 number`);
  }
  return result.e164;
}
