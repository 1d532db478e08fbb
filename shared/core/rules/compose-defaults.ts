import type { Consumer } from "../model/consumer";
import { interactionFromLock, type ConversationLock } from "../model/conversation-lock";
import type { Interaction } from "../model/interaction";
import type { Provider, SendFromOption } from "../model/provider";
import type { ComposeDefaults, ComposeDefaultsExtension } from "../ports/compose-defaults-extension";

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

/** The ongoing conversation on a number (any provider number): through an offered sender if there is one. */
export function findOngoing(locks: readonly ConversationLock[], sendFrom: readonly SendFromOption[]): Interaction | undefined {
  const active = locks.map(interactionFromLock);
  return active.find((interaction) => sendFrom.some((option) => option.number === interaction.from)) ?? active[0];
}
