import { createHash } from "node:crypto";
import type { ComposeDefaultsExtension } from "../../core/ports/compose-defaults-extension";
import type { ConsumerStore } from "../../core/ports/consumer-store";
import type { Clock, IdGenerator } from "../../core/ports/clock-and-ids";
import type { ConversationStore } from "../../core/ports/conversation-store";
import type { InteractionStore } from "../../core/ports/interaction-store";
import type { MessageStore } from "../../core/ports/message-store";
import type { ProviderStore } from "../../core/ports/provider-store";
import type { RecentLocks } from "../../core/ports/recent-locks";
import type { InteractionSummary, Interaction, Participant } from "../../core/model/interaction";
import type { StoredMessage } from "../../core/model/message";
import { ServiceError } from "../../core/errors";
import { byCodeUnits } from "../../core/rules/code-unit-order";
import type { Outcome, ProfileChange } from "../../core/model/initiation";
import type { SendWindow, SendWindowReport } from "../../core/model/send-window";
import type { SmsEncodingReport } from "../../core/model/sms-encoding";

export const maxMessageCharacters = 1600;
/** Decisions made again after a transaction found its reads stale, before the request gives up. */
export const maxAttempts = 10;

export interface InitiateMessageDeps {
  consumers: Pick<ConsumerStore, "get">;
  providers: Pick<ProviderStore, "list">;
  interactions: Pick<InteractionStore, "get" | "getWithParticipants">;
  conversations: ConversationStore;
  /** What this container's sends last left on a key: what a send decided on nothing read assumes runs there. */
  recentLocks: RecentLocks;
  messages: Pick<MessageStore, "get">;
  extension: ComposeDefaultsExtension;
  clock: Clock;
  ids: IdGenerator;
  defaultCountry: string;
  /** The service's send window (SEND_WINDOW) and reply grace (REPLY_GRACE). */
  sendWindow: SendWindow;
  replyGraceMs: number;
  /** Running on the local server (`npm start`): a refusal may say which of its settings (SEND_WINDOW) to change. */
  localServer?: boolean;
  /** Waits before deciding again after a transaction conflict (jittered exponential backoff). */
  backoff(attempt: number): Promise<void>;
}

/** What an agent asks for (the agent is the caller, never a field). */
export interface InitiateMessageInput {
  consumerId: string;
  message: string;
  to?: string;
  from?: string;
  originInteractionId?: string;
  confirmReassociation?: boolean;
  dryRun?: boolean;
  /** When the recipient's send window is closed: store the message `scheduled` for when it opens instead of refusing (409). */
  scheduleIfOutsideWindow?: boolean;
}

/** Who sends: the authenticated agent, and the request's Idempotency-Key if it has one. */
export interface Caller {
  agentId: string;
  idempotencyKey?: string;
}

/** The message as answered: stored fields plus its encoding report. */
export type AnsweredMessage = StoredMessage & SmsEncodingReport;

/** A send that took effect (or its idempotent replay). */
export interface InitiationResult {
  outcome: Outcome;
  interaction: Interaction & { participants: Participant[] };
  closedInteractionId?: string;
  message: AnsweredMessage;
}

/** What a send would do, written and sent nothing. */
export interface DryRunResult {
  dryRun: true;
  outcome: Outcome;
  from: string;
  to: string;
  interaction?: InteractionSummary;
  closedInteractionId?: string;
  profile: { change: ProfileChange["kind"]; currentConsumerId?: string };
  message: SmsEncodingReport;
  sendWindow: SendWindowReport;
  /** The window is closed and the request says `scheduleIfOutsideWindow`: the send would be stored `scheduled` for `scheduledFor`. */
  wouldSchedule?: true;
  /** When it would go (ISO 8601 UTC): the instant of `sendWindow.nextAllowedAt`. */
  scheduledFor?: string;
}

export type InitiateMessageAnswer = InitiationResult | DryRunResult;

/** What no state can change: the key's form and the message's length, refused before anything is read. */
export function requireWellFormed(request: InitiateMessageInput, caller: Caller): void {
  if (caller.idempotencyKey !== undefined && !/^[\x21-\x7e]{1,200}$/.test(caller.idempotencyKey)) {
    throw new ServiceError("VALIDATION_FAILED", "Idempotency-Key must be 1-200 visible ASCII characters, such as a UUID");
  }
  // Counted in Unicode code points: both transports state their limit as 1,600 characters, and AWS
  // API length constraints count code points. An answer's `characters` is the encoding's own count
  // instead (septets or UTF-16 units), the one segments are made of.
  const codePoints = [...request.message].length;
  if (request.message.trim() === "") throw new ServiceError("MESSAGE_EMPTY", "message is empty; write the text to send");
  if (codePoints > maxMessageCharacters) {
    throw new ServiceError(
      "MESSAGE_TOO_LONG",
      `message is ${codePoints} characters (Unicode code points); the limit is ${maxMessageCharacters}`,
    );
  }
}

/**
 * The request as sent, keys sorted: the same body in another key order is the same request. The
 * hash is stored with an Idempotency-Key's record, so it must not change between releases (a test
 * pins it).
 */
export function hashRequest(request: InitiateMessageInput): string {
  const sorted = Object.fromEntries(Object.entries(request).sort(([a], [b]) => byCodeUnits(a, b)));
  return createHash("sha256").update(JSON.stringify(sorted)).digest("hex");
}
