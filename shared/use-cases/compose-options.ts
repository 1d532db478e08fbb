import type { ComposeOptionsResponse, Consumer, Provider, SendFromOption } from "../adapters/http/wire-schemas";
import { ApiError } from "../core/errors";
import type { ConsumerStore } from "../core/ports/consumer-store";
import type { Interaction } from "../core/model/interaction";
import type { InteractionReader } from "../core/ports/interaction-store";
import type { ProviderStore } from "../core/ports/provider-store";
import { interactionFromLock, type ConversationLock } from "../core/model/conversation-lock";
import type { ConversationStore } from "../core/ports/conversation-store";
import type { ComposeDefaults, ComposeDefaultsExtension } from "../core/ports/compose-defaults-extension";

export interface ComposeOptionsDeps {
  consumers: Pick<ConsumerStore, "get">;
  providers: Pick<ProviderStore, "list">;
  interactions: Pick<InteractionReader, "get">;
  conversations: Pick<ConversationStore, "readNumberState">;
  extension: ComposeDefaultsExtension;
}

/**
 * What the Compose SMS screen offers. The extension proposes choices and defaults; then the
 * service's own rules hold whatever it returned: only active provider numbers are offered, and an
 * ongoing SMS conversation on the default send-to number becomes the default, so the desk shows it.
 */
export async function composeOptions(
  deps: ComposeOptionsDeps,
  input: { consumerId: string; interactionId?: string },
): Promise<ComposeOptionsResponse> {
  const originInteraction = input.interactionId ? await requireInteraction(deps, input.interactionId) : undefined;
  // A reply to a phone interaction goes to the consumer the call was recorded for.
  const consumerId = originInteraction?.type === "phone" && originInteraction.consumerId ? originInteraction.consumerId : input.consumerId;
  const [consumer, allProviders] = await Promise.all([deps.consumers.get(consumerId), deps.providers.list()]);
  if (!consumer) throw new ApiError("CONSUMER_NOT_FOUND", `no consumer has id '${consumerId}'`);

  const providers = activeSmsProviders(allProviders);
  const defaults = await composeDefaults(deps.extension, { consumer, originInteraction, providers });

  // One read of the default number's state: its ongoing conversations and its opt-outs.
  const state = defaults.defaultSendTo ? await deps.conversations.readNumberState(defaults.defaultSendTo) : undefined;
  const ongoing = state ? findOngoing(state.locks, defaults.sendFrom) : undefined;
  const offered = (number: string | undefined) => defaults.sendFrom.some((option) => option.number === number);
  // The ongoing conversation's sender becomes the default only if it can still send.
  const defaultSendFrom = ongoing && offered(ongoing.from) ? ongoing.from! : defaults.defaultSendFrom;
  const available = providers.length > 0;
  return {
    available,
    ...(available ? {} : { reason: "NO_MESSAGING_PROVIDER" as const }),
    consumerId: consumer.id,
    sendFrom: defaults.sendFrom,
    defaultSendFrom,
    sendTo: defaults.sendTo,
    defaultSendTo: ongoing?.to ?? defaults.defaultSendTo,
    // Said before the agent writes: this pair would be refused with RECIPIENT_OPTED_OUT.
    optedOut: state !== undefined && defaultSendFrom !== null && state.optOuts.includes(defaultSendFrom),
    ...(ongoing ? { activeInteraction: summary(ongoing) } : {}),
  };
}

/** The active SMS providers as send-from options, in configured order. */
export function activeSmsProviders(providers: readonly Provider[]): SendFromOption[] {
  return providers
    .filter((provider) => provider.active && provider.channel === "sms")
    .map((provider) => ({ number: provider.number, providerId: provider.id, name: provider.name }));
}

/** Asks the extension, then holds its answer to the active providers. Shared by compose options and sending. */
export async function composeDefaults(
  extension: ComposeDefaultsExtension,
  context: { consumer: Consumer; originInteraction: Interaction | undefined; providers: SendFromOption[] },
): Promise<ComposeDefaults> {
  const { consumer, originInteraction, providers } = context;
  // From a call, the caller's number; from an SMS interaction, its customer's number.
  const callNumber = originInteraction?.to;
  const candidateNumbers = [...new Set([...(callNumber ? [callNumber] : []), ...consumer.phoneNumbers])];
  const proposed = await extension.composeDefaults({ consumer, originInteraction, providers, candidateNumbers });
  return keepToActiveProviders(proposed, providers);
}

async function requireInteraction(deps: ComposeOptionsDeps, interactionId: string): Promise<Interaction> {
  const interaction = await deps.interactions.get(interactionId);
  if (!interaction) throw new ApiError("INTERACTION_NOT_FOUND", `no interaction has id '${interactionId}'`);
  return interaction;
}

/** An extension may narrow or reorder the senders, never offer a number that is not an active provider. */
function keepToActiveProviders(proposed: ComposeDefaults, providers: readonly SendFromOption[]): ComposeDefaults {
  const active = new Map(providers.map((provider) => [provider.number, provider]));
  const sendFrom = proposed.sendFrom.flatMap((option) => {
    const provider = active.get(option.number);
    return provider ? [provider] : [];
  });
  const defaultSendFrom = sendFrom.some((option) => option.number === proposed.defaultSendFrom)
    ? proposed.defaultSendFrom
    : (sendFrom[0]?.number ?? null);
  return { ...proposed, sendFrom, defaultSendFrom };
}

/** The ongoing conversation on that number (any provider number): through an offered sender if there is one. */
function findOngoing(locks: readonly ConversationLock[], sendFrom: readonly SendFromOption[]): Interaction | undefined {
  const active = locks.map(interactionFromLock);
  return active.find((interaction) => sendFrom.some((option) => option.number === interaction.from)) ?? active[0];
}

function summary(interaction: Interaction): NonNullable<ComposeOptionsResponse["activeInteraction"]> {
  return {
    id: interaction.id,
    type: interaction.type,
    state: interaction.state,
    handler: interaction.handler,
    assignedTo: interaction.assignedTo,
    consumerId: interaction.consumerId,
    ...(interaction.from ? { from: interaction.from } : {}),
    ...(interaction.to ? { to: interaction.to } : {}),
  };
}
