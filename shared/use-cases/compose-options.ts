import { ServiceError } from "../core/errors";
import { summariseInteraction, type Interaction, type InteractionSummary } from "../core/model/interaction";
import type { SendFromOption } from "../core/model/provider";
import type { ComposeDefaultsExtension } from "../core/ports/compose-defaults-extension";
import type { ConsumerStore } from "../core/ports/consumer-store";
import type { ConversationStore } from "../core/ports/conversation-store";
import type { InteractionReader } from "../core/ports/interaction-store";
import type { ProviderStore } from "../core/ports/provider-store";
import { activeSmsProviders, composeDefaults, findOngoing } from "../core/rules/compose-defaults";
import type { Clock } from "../core/ports/clock-and-ids";
import { sendWindowOfSend } from "../core/rules/send-window";
import type { SendWindow, SendWindowReport } from "../core/model/send-window";
import { isOptedOut } from "../core/rules/consent";
import { countryOfNumber } from "../core/rules/number-country";

export interface ComposeOptionsDeps {
  consumers: Pick<ConsumerStore, "get">;
  providers: Pick<ProviderStore, "list">;
  interactions: Pick<InteractionReader, "get">;
  conversations: Pick<ConversationStore, "readNumberState">;
  extension: ComposeDefaultsExtension;
  clock: Clock;
  defaultCountry: string;
  sendWindow: SendWindow;
  replyGraceMs: number;
}

/** What the Compose SMS screen offers, and what it should show as chosen. */
export interface ComposeOptions {
  available: boolean;
  reason?: "NO_MESSAGING_PROVIDER";
  consumerId: string;
  sendFrom: SendFromOption[];
  defaultSendFrom: string | null;
  sendTo: string[];
  defaultSendTo: string | null;
  /** The default pair (send-from, send-to) is opted out: a send would be refused. */
  optedOut: boolean;
  /** The send window for the default pair, before the agent writes (absent without a default pair). */
  sendWindow?: SendWindowReport;
  activeInteraction?: InteractionSummary;
}

/**
 * What the Compose SMS screen offers. The extension proposes choices and defaults; then the
 * service's own rules hold whatever it returned: only active provider numbers are offered, and an
 * ongoing SMS conversation on the default send-to number becomes the default, so the desk shows it.
 */
export async function composeOptions(
  deps: ComposeOptionsDeps,
  input: { consumerId: string; interactionId?: string },
): Promise<ComposeOptions> {
  const originInteraction = input.interactionId ? await requireInteraction(deps, input.interactionId) : undefined;
  // A reply to a phone interaction goes to the consumer the call was recorded for.
  const consumerId = originInteraction?.type === "phone" && originInteraction.consumerId ? originInteraction.consumerId : input.consumerId;
  const [consumer, allProviders] = await Promise.all([deps.consumers.get(consumerId), deps.providers.list()]);
  if (!consumer) throw new ServiceError("CONSUMER_NOT_FOUND", `no consumer has id '${consumerId}'`);

  const providers = activeSmsProviders(allProviders);
  const defaults = await composeDefaults(deps.extension, { consumer, originInteraction, providers });

  // One read of the default number's state: its ongoing conversations and its opt-outs.
  const state = defaults.defaultSendTo ? await deps.conversations.readNumberState(defaults.defaultSendTo) : undefined;
  const ongoing = state ? findOngoing(state.locks, defaults.sendFrom) : undefined;
  const offered = (number: string | undefined) => defaults.sendFrom.some((option) => option.number === number);
  // The ongoing conversation's sender becomes the default only if it can still send.
  const defaultSendFrom = ongoing && offered(ongoing.from) ? ongoing.from! : defaults.defaultSendFrom;
  const available = providers.length > 0;
  const defaultSendTo = ongoing?.to ?? defaults.defaultSendTo;
  const window =
    state && defaultSendFrom && defaultSendTo
      ? sendWindowOfSend(deps, {
          now: deps.clock.now(),
          to: defaultSendTo,
          country: countryOfNumber(defaultSendTo),
          consumer,
          provider: allProviders.find((provider) => provider.number === defaultSendFrom),
          lastInboundAt: state.lastInboundAt[defaultSendFrom],
        })
      : undefined;
  return {
    available,
    ...(available ? {} : { reason: "NO_MESSAGING_PROVIDER" as const }),
    consumerId: consumer.id,
    sendFrom: defaults.sendFrom,
    defaultSendFrom,
    sendTo: defaults.sendTo,
    defaultSendTo,
    // Said before the agent writes: this pair would be refused with RECIPIENT_OPTED_OUT.
    optedOut: state !== undefined && defaultSendFrom !== null && isOptedOut(state.optOuts, defaultSendFrom),
    ...(window ? { sendWindow: window.report } : {}),
    ...(ongoing ? { activeInteraction: summariseInteraction(ongoing) } : {}),
  };
}

async function requireInteraction(deps: ComposeOptionsDeps, interactionId: string): Promise<Interaction> {
  const interaction = await deps.interactions.get(interactionId);
  if (!interaction) throw new ServiceError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  return interaction;
}
