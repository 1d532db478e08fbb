import { smsEncoding, smsLimits } from "../shared/core/rules/sms-segments";
import type { Consumer, DryRunAnswer, InitiateAnswer, InteractionSummary, SendWindowReport } from "./wire";

/**
 * What Compose SMS says to the agent, as words: the encoding and segments of the text, the
 * dry run's "this will …" line, the ongoing conversation and the warnings. Pure, so the wording is
 * tested without a browser. The segment count is the service's own rule (shared/core), so the
 * console and the answer of the send never disagree.
 */

const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/** "GSM-7 · 31 characters · 1 segment (160 per segment)". */
export function segmentLine(body: string): string {
  const { encoding, segments, characters } = smsEncoding(body);
  const limits = smsLimits[encoding];
  const perPart = segments > 1 ? `${limits.part} per segment when split` : `up to ${limits.single} in one`;
  return `${encoding} · ${plural(characters, "character")} · ${plural(segments, "segment")} (${perPart})`;
}

/** Why the text is UCS-2, when it is: the first character outside the GSM alphabet. */
export function encodingHint(body: string): string | undefined {
  if (smsEncoding(body).encoding === "GSM-7") return undefined;
  const first = [...body].find((char) => smsEncoding(char).encoding === "UCS-2");
  return first ? `“${first}” is not in the GSM alphabet, so the message goes as UCS-2 (70 characters a segment)` : undefined;
}

function whose(summary: Pick<InteractionSummary, "handler" | "assignedTo">, me: string): string {
  if (summary.handler === "virtual_agent") return "the virtual agent's";
  if (summary.handler === "queue") return "the queued";
  if (summary.assignedTo === me) return "your";
  return summary.assignedTo ? `${summary.assignedTo}'s` : "the";
}

/** The dry run's answer as the line shown before sending; `nameOf` gives a known customer's name for an id. */
export function dryRunLine(
  dry: DryRunAnswer,
  consumer: Pick<Consumer, "name">,
  me: string,
  nameOf: (consumerId: string) => string | undefined = () => undefined,
): string {
  const holder = dry.profile.currentConsumerId ? (nameOf(dry.profile.currentConsumerId) ?? dry.profile.currentConsumerId) : undefined;
  const id = dry.interaction?.id ?? dry.closedInteractionId ?? "";
  let line: string;
  switch (dry.outcome) {
    case "created":
      line = `This will start a new conversation with ${consumer.name}, from ${dry.from} to ${dry.to}.`;
      break;
    case "injected":
      line = dry.interaction
        ? `This will join ${whose(dry.interaction, me)} ongoing conversation ${id}${
            dry.interaction.handler === "queue" ? " and assign it to you" : dry.interaction.assignedTo === me ? "" : " (it stays theirs)"
          }.`
        : `This will join the ongoing conversation ${id}.`;
      break;
    case "replaced_virtual_agent":
      line = `This will replace the virtual agent's conversation ${id}: it closes and a new one is assigned to you.`;
      break;
    case "replaced_other_consumer":
      line = `This will close conversation ${id} of another customer${holder ? ` (${holder})` : ""} and start a new one with ${consumer.name}.`;
      break;
  }
  if (dry.profile.change === "move") {
    line += ` ${dry.to} will then belong to ${consumer.name}${holder ? ` instead of ${holder}` : ""}.`;
  }
  const later = dry.wouldSchedule
    ? ` The customer's send window is closed: Send SMS is refused, and ${SEND_LATER} schedules the message for when it opens.`
    : "";
  return `${line} ${segmentsSaid(dry.message.segments, dry.message.encoding)}${later}`;
}

/** The button that sends with `scheduleIfOutsideWindow`. */
export const SEND_LATER = "Send when the window opens";

/** What came of a send: sent (and its status now), or scheduled for when the window opens. */
export function sentLine(answer: Pick<InitiateAnswer, "outcome" | "message">): string {
  const outcome = answer.outcome.replaceAll("_", " ");
  const segments = plural(answer.message.segments, "segment");
  return answer.message.status === "scheduled"
    ? `Scheduled (${outcome}): ${segments}, to go when the customer's send window opens.`
    : `Sent (${outcome}): ${segments}, now ${answer.message.status}.`;
}

/**
 * A refused send as the agent reads it next to Send: the service's message and code, and for a
 * closed window when it opens (in the customer's time) and that it can go then.
 */
export function refusalLines(refusal: { code: string; message: string; details: Record<string, unknown> }): string[] {
  const lines = [`${refusal.message} (${refusal.code})`];
  const { nextAllowedAt, timeZone } = refusal.details;
  if (refusal.code === "OUTSIDE_SEND_WINDOW" && typeof nextAllowedAt === "string") {
    const opens = recipientTime(nextAllowedAt, typeof timeZone === "string" ? timeZone : "the customer's time");
    lines.push(`The window opens at ${opens}: ${SEND_LATER} schedules it for then.`);
  }
  return lines;
}

function segmentsSaid(segments: number, encoding: string): string {
  return `${plural(segments, "segment")}, ${encoding}.`;
}

/** Whose a conversation is, said on its own: "yours", "the virtual agent's", "in the queue", "bob's". */
function owner(summary: Pick<InteractionSummary, "handler" | "assignedTo">, me: string): string {
  if (summary.handler === "queue") return "in the queue";
  const said = whose(summary, me);
  return said === "your" ? "yours" : said;
}

/** The ongoing conversation compose options found for the pair it proposes. */
export function ongoingLine(active: InteractionSummary, me: string): string {
  return `Ongoing conversation ${active.id} (${owner(active, me)}), from ${active.from ?? "?"} to ${active.to ?? "?"}: a message from this pair lands in it.`;
}

/** "2026-12-02 08:00 (+05:00, Etc/GMT-5)" from an ISO time with its offset. */
export function recipientTime(iso: string, timeZone: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.exec(iso);
  if (!match) return `${iso} (${timeZone})`;
  return `${match[1]} ${match[2]} (${match[3] === "Z" ? "UTC" : match[3]}, ${timeZone})`;
}

export interface Warning {
  kind: "opted_out" | "send_window" | "reply_grace" | "no_provider" | "reassociation";
  text: string;
}

/** Whether a send now is refused for the window (closed, and no recent reply from the customer opens it). */
export function windowClosed(report: SendWindowReport | undefined, now: Date): boolean {
  return report !== undefined && !report.open && !inReplyGrace(report, now);
}

function inReplyGrace(report: SendWindowReport, now: Date): boolean {
  return report.replyGraceUntil !== undefined && report.replyGraceUntil > now.toISOString();
}

/** The send window as the agent needs it: closed (a send is refused), or open only by the customer's recent reply. */
export function sendWindowWarning(report: SendWindowReport | undefined, now: Date): Warning | undefined {
  if (!report) return undefined;
  if (report.replyGraceUntil && inReplyGrace(report, now)) {
    const until = new Date(report.replyGraceUntil).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    return {
      kind: "reply_grace",
      text: `Outside the customer's send window (${report.timeZone}), but they wrote recently: you may answer until ${until}.`,
    };
  }
  if (report.open) return undefined;
  const next = report.nextAllowedAt ? ` It opens at ${recipientTime(report.nextAllowedAt, report.timeZone)}.` : "";
  return {
    kind: "send_window",
    text: `Outside the send window in the customer's time (${report.timeZone}): a send now is refused and nothing is sent.${next}`,
  };
}

export function optedOutWarning(from: string, to: string): Warning {
  return {
    kind: "opted_out",
    text: `${to} opted out of messages from ${from} (replied STOP): a send is refused until they reply START.`,
  };
}

export function reassociationWarning(to: string, holder: string, consumer: Pick<Consumer, "name">): Warning {
  return {
    kind: "reassociation",
    text: `${to} is associated with ${holder}: sending will associate it with ${consumer.name}, once you confirm.`,
  };
}

export const noProviderWarning: Warning = {
  kind: "no_provider",
  text: "Compose SMS is unavailable: there is no active messaging provider. An administrator must add or activate one.",
};
