import type { ComposeDefaultsExtension } from "../../core/ports/compose-defaults-extension";

/**
 * The shipped default (the source's `AgentInitiatedMessagingUtilExtPointImpl`): every active
 * provider, the first as default; every candidate number, the call's number (for a phone
 * interaction) or else the consumer's first number as default.
 */
export const defaultComposeExtension: ComposeDefaultsExtension = {
  name: "default",
  composeDefaults({ providers, candidateNumbers }) {
    return {
      sendFrom: [...providers],
      defaultSendFrom: providers[0]?.number ?? null,
      sendTo: [...candidateNumbers],
      defaultSendTo: candidateNumbers[0] ?? null,
    };
  },
};
