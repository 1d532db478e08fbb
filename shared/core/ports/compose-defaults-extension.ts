import type { Consumer } from "../model/consumer";
import type { SendFromOption } from "../model/provider";
import type { Interaction } from "../model/interaction";

/**
 * The send-from / send-to extension point (the source product calls it
 * `AgentInitiatedConversationUtil`). A deployer replaces the shipped default with a module of their
 * own, without forking: see docs/compose-extension.md. The service still applies its own rules
 * after the extension: only active provider numbers can be offered, and an ongoing SMS
 * conversation on the default send-to number becomes the default.
 */
export interface ComposeContext {
  /** The consumer the agent is composing to (for a phone interaction, the one it was recorded for). */
  consumer: Consumer;
  /** The interaction whose screen the agent composes from, when given. */
  originInteraction?: Interaction;
  /** Active SMS providers, in configured (creation) order. */
  providers: readonly SendFromOption[];
  /** Candidate send-to numbers (E.164): the call's number first, then the consumer's numbers. */
  candidateNumbers: readonly string[];
}

export interface ComposeDefaults {
  sendFrom: SendFromOption[];
  defaultSendFrom: string | null;
  sendTo: string[];
  defaultSendTo: string | null;
}

export interface ComposeDefaultsExtension {
  /** Shown in logs, so a deployer can see their module is the one running. */
  readonly name: string;
  composeDefaults(context: ComposeContext): ComposeDefaults | Promise<ComposeDefaults>;
}
