/**
 * The answers of the HTTP contract the console reads (docs/openapi.json), as TypeScript types. The
 * records themselves are the core model's; the envelopes are written out here, because the
 * console is a client of the contract and never imports the service's adapters.
 */
import type { Consumer } from "../shared/core/model/consumer";
import type { Interaction, InteractionSummary, Participant } from "../shared/core/model/interaction";
import type { Message } from "../shared/core/model/message";
import type { Provider, SendFromOption } from "../shared/core/model/provider";
import type { ServiceEvent } from "../shared/core/model/service-event";

export type { Consumer, Interaction, InteractionSummary, Message, Provider, SendFromOption, ServiceEvent };

export type Outcome = "created" | "injected" | "replaced_virtual_agent" | "replaced_other_consumer";

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export interface SendWindowReport {
  open: boolean;
  timeZone: string;
  nextAllowedAt?: string;
  replyGraceUntil?: string;
}

export interface ComposeOptions {
  available: boolean;
  reason?: "NO_MESSAGING_PROVIDER";
  consumerId: string;
  sendFrom: SendFromOption[];
  defaultSendFrom: string | null;
  sendTo: string[];
  defaultSendTo: string | null;
  optedOut: boolean;
  sendWindow?: SendWindowReport;
  activeInteraction?: InteractionSummary;
}

export interface EncodingReport {
  encoding: "GSM-7" | "UCS-2";
  segments: number;
  characters: number;
}

export interface InitiateRequest {
  consumerId: string;
  message: string;
  from?: string;
  to?: string;
  confirmReassociation?: boolean;
  /** Outside the recipient's send window: 202 with the message scheduled for when it opens, instead of 409 OUTSIDE_SEND_WINDOW. */
  scheduleIfOutsideWindow?: boolean;
}

export interface InitiateAnswer {
  outcome: Outcome;
  interaction: Interaction & { participants: Participant[] };
  closedInteractionId?: string;
  message: Message & EncodingReport;
}

export interface DryRunAnswer {
  dryRun: true;
  outcome: Outcome;
  from: string;
  to: string;
  interaction?: InteractionSummary;
  closedInteractionId?: string;
  profile: { change: "keep" | "create" | "move"; currentConsumerId?: string };
  message: EncodingReport;
  sendWindow: SendWindowReport;
  /** The window is closed and the request says scheduleIfOutsideWindow: the send would answer 202 with the message scheduled. */
  wouldSchedule?: true;
  /** When it would go (ISO 8601 UTC): the instant of sendWindow.nextAllowedAt. */
  scheduledFor?: string;
}

export interface ProfileVerdict {
  status: "available" | "associated_with_consumer" | "associated_with_other_consumer";
  phoneNumber: string;
  currentConsumer?: { id: string; name: string };
  message?: string;
}

export interface EventFeedPage {
  items: ServiceEvent[];
  cursor: string;
}

/** What `POST /local/inbound_sms` takes: the two-way SMS payload a carrier publishes. */
export interface InboundSmsPayload {
  originationNumber: string;
  destinationNumber: string;
  messageBody: string;
  inboundMessageId: string;
}

/** An entry of `GET /local/outbox`. */
export interface OutboxEntry {
  id: string;
  from: string;
  to: string;
  body: string;
  sentAt: string;
}

export interface CreateProviderRequest {
  number: string;
  name: string;
  sendWindow?: string;
  mps?: number;
}

export interface CreateConsumerRequest {
  id?: string;
  name: string;
  location?: string;
  timeZone?: string;
  phoneNumbers?: string[];
}

/** `POST /local/dev-token`'s answer. */
export interface DevToken {
  token: string;
  sub: string;
  groups: string[];
  expiresAt: string;
}
