import { defaultHelpText } from "../core/rules/sms-keywords";
import { defaultSendWindowText, parseSendWindow, type SendWindow } from "../core/rules/send-window";

/**
 * Runtime configuration, read from the environment once. The stack sets these on every function;
 * the local server sets them on its own process.
 */
export interface RuntimeConfig {
  tableName: string;
  /** ISO 3166-1 alpha-2 country used to read numbers written nationally when nothing else says. */
  defaultCountry: string;
  /** Endpoint override (DynamoDB Local); unset on AWS. */
  dynamoDbEndpoint?: string;
  /** Module that replaces the compose defaults extension (path or file URL); unset for the shipped default. */
  composeExtensionModule?: string;
  /** What HELP/INFO is answered with. */
  helpText: string;
  /** An SMS interaction with no message for this long is closed (IDLE_CLOSE_AFTER, default 24h). */
  idleCloseAfterMs: number;
  /** How long the sender's claim on a message lasts before the sweep ends it OUTCOME_UNKNOWN (SMS_CLAIM_LEASE, default 2m). */
  claimLeaseMs: number;
  /** A queued message untouched this long is dispatched again by the sweep (SMS_REDISPATCH_AFTER, default 30s). */
  redispatchAfterMs: number;
  /** How long events are kept for the feed (EVENT_RETENTION, default 7d; TTL deletes them after). */
  eventRetentionMs: number;
  /** The recipient's local hours an agent's send may reach them in (SEND_WINDOW, default 08:00-21:00). */
  sendWindow: SendWindow;
  /** A send this soon after the customer's last message on the key is allowed at any hour (REPLY_GRACE, default 60m). */
  replyGraceMs: number;
  /** How long a container reuses the provider list it read (PROVIDER_CACHE, default 5s; 0 reads every time). */
  providerCacheMs: number;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  return {
    tableName: env.TABLE_NAME ?? "agent-initiated-sms",
    defaultCountry: (env.DEFAULT_COUNTRY ?? "US").toUpperCase(),
    dynamoDbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    composeExtensionModule: env.COMPOSE_EXTENSION_MODULE || undefined,
    helpText: env.HELP_TEXT || defaultHelpText,
    idleCloseAfterMs: parseDuration(env.IDLE_CLOSE_AFTER || "24h", "IDLE_CLOSE_AFTER"),
    claimLeaseMs: parseDuration(env.SMS_CLAIM_LEASE || "2m", "SMS_CLAIM_LEASE"),
    redispatchAfterMs: parseDuration(env.SMS_REDISPATCH_AFTER || "30s", "SMS_REDISPATCH_AFTER"),
    eventRetentionMs: parseDuration(env.EVENT_RETENTION || "7d", "EVENT_RETENTION"),
    sendWindow: readSendWindow(env.SEND_WINDOW || defaultSendWindowText),
    replyGraceMs: parseDuration(env.REPLY_GRACE || "60m", "REPLY_GRACE"),
    providerCacheMs: parseDuration(env.PROVIDER_CACHE || "5s", "PROVIDER_CACHE"),
  };
}

function readSendWindow(text: string): SendWindow {
  const window = parseSendWindow(text);
  if (!window) throw new Error(`SEND_WINDOW must be HH:MM-HH:MM, the start before the end, such as 08:00-21:00 (got "${text}")`);
  return window;
}

/** "24h", "90m", "30s", "2d" or plain seconds; anything else fails the cold start with a clear message. */
export function parseDuration(text: string, name: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*(d|h|m|s)?$/.exec(text.trim());
  if (!match) throw new Error(`${name} must be a duration such as 24h, 90m, 30s or 2d (got "${text}")`);
  const unit = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 }[(match[2] ?? "s") as "d" | "h" | "m" | "s"];
  return Number(match[1]) * unit;
}
