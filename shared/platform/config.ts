import { fallbackDefaultCountry } from "../core/model/phone-number";
import { defaultHelpText } from "../core/rules/sms-keywords";
import { defaultSendWindowText, parseSendWindow } from "../core/rules/send-window";
import type { SendWindow } from "../core/model/send-window";

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
  /** LOCAL_SERVER=true, set by the local server (`npm start`) for its handlers: an answer may say which of its settings to change. */
  localServer: boolean;
  /** A send this soon after the customer's last message on the key is allowed at any hour (REPLY_GRACE, default 60m). */
  replyGraceMs: number;
  /** How long a container reuses the provider list it read (PROVIDER_CACHE, default 5s; 0 reads every time). */
  providerCacheMs: number;
  /**
   * MESSAGE_RETENTION (e.g. 400d; unset or `off`: kept until erased): messages, and interactions
   * once closed, are deleted by DynamoDB's TTL that long after; events never outlive it either.
   */
  messageRetentionMs?: number;
  /** PRIVACY_KEY_SECRET_ARN: the Secrets Manager secret holding the key of the numbers' keyed hash (set by the stack). */
  privacyKeySecretArn?: string;
  /** PRIVACY_KEY_FILE: a local key file instead (made on first use), for `npm start`, tests and `sam local invoke`; wins over the secret. */
  privacyKeyFile?: string;
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  return {
    tableName: env.TABLE_NAME ?? "agent-initiated-sms",
    defaultCountry: (env.DEFAULT_COUNTRY || fallbackDefaultCountry).toUpperCase(),
    dynamoDbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    composeExtensionModule: env.COMPOSE_EXTENSION_MODULE || undefined,
    helpText: env.HELP_TEXT || defaultHelpText,
    idleCloseAfterMs: parseDuration(env.IDLE_CLOSE_AFTER || "24h", "IDLE_CLOSE_AFTER"),
    claimLeaseMs: parseDuration(env.SMS_CLAIM_LEASE || "2m", "SMS_CLAIM_LEASE"),
    redispatchAfterMs: parseDuration(env.SMS_REDISPATCH_AFTER || "30s", "SMS_REDISPATCH_AFTER"),
    eventRetentionMs: parseDuration(env.EVENT_RETENTION || "7d", "EVENT_RETENTION"),
    sendWindow: readSendWindow(env.SEND_WINDOW || defaultSendWindowText),
    replyGraceMs: parseDuration(env.REPLY_GRACE || "60m", "REPLY_GRACE"),
    localServer: env.LOCAL_SERVER === "true",
    providerCacheMs: parseDuration(env.PROVIDER_CACHE || "5s", "PROVIDER_CACHE"),
    messageRetentionMs: readMessageRetention(env.MESSAGE_RETENTION),
    privacyKeySecretArn: env.PRIVACY_KEY_SECRET_ARN || undefined,
    privacyKeyFile: env.PRIVACY_KEY_FILE || undefined,
  };
}

/** The shortest MESSAGE_RETENTION: a message may wait up to 3 days for its hand-over (a provider's longest validity). */
export const minimumMessageRetentionMs = 3 * 86_400_000;

/** MESSAGE_RETENTION: a duration of at least 3 days, or unset / `off`. */
export function readMessageRetention(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === "" || text.trim().toLowerCase() === "off") return undefined;
  const ms = parseDuration(text, "MESSAGE_RETENTION");
  if (ms < minimumMessageRetentionMs) {
    throw new Error(`MESSAGE_RETENTION must be at least 3d (a message may wait that long to be sent), or off (got "${text}")`);
  }
  return ms;
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
