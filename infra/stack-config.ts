import { existsSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Node } from "constructs";
import { parseDuration, readMessageRetention } from "../shared/platform/config";
import { parseSendWindow } from "../shared/core/rules/send-window";
import { fallbackDefaultCountry } from "../shared/core/model/phone-number";

/** The repository root: `functions/`, `shared/`, `package-lock.json` and deployers' extension modules live here. */
export const projectRoot = resolve(fileURLToPath(new URL("..", import.meta.url)));

export const defaultStackName = "AgentInitiatedSms";

/** An OIDC issuer the deployer already has (Okta, Entra ID, another Cognito pool...). */
export interface ExternalJwtIssuer {
  /** `iss` of the tokens, an https URL (API Gateway fetches `<issuer>/.well-known/openid-configuration`). */
  readonly issuer: string;
  /** Accepted `aud` (or, for tokens without `aud`, `client_id`) values. */
  readonly audience: readonly string[];
}

/** Everything a deployer can choose about the stack, read from CDK context (`-c key=value` or cdk.json). */
export interface StackConfig {
  /** CloudFormation stack name (context `stackName`, else `AgentInitiatedSms-<stage>` with context `stage`). */
  readonly stackName: string;
  /** ISO 3166-1 alpha-2 country used for numbers written nationally (context `defaultCountry`, default US). */
  readonly defaultCountry: string;
  /** Contexts `jwtIssuer` + `jwtAudience` (comma-separated). Unset: the stack creates a Cognito user pool. */
  readonly jwt?: ExternalJwtIssuer;
  /**
   * Context `composeExtension`: the deployer's compose defaults module, relative to the project root.
   * It is bundled into the functions that use the extension point; unset ships the default.
   */
  readonly composeExtension?: string;
  /**
   * Context `smsTransport`: how the functions that send hand SMS to AWS. `sns` (the default):
   * SNS Publish to the phone number. `end-user-messaging`: AWS End User Messaging SMS
   * SendTextMessage through a configuration set whose event destination returns delivery receipts.
   */
  readonly smsTransport: DeployedSmsTransportKind;
  /**
   * Context `idleCloseAfter` (default 24h): an SMS interaction with no message for this long is
   * closed (IDLE_CLOSE_AFTER of the idle-close function): `24h`, `90m`, `2d`, `3600` (seconds).
   */
  readonly idleCloseAfter: string;
  /** Context `helpText`: what HELP/INFO is answered with (HELP_TEXT). Unset: the shipped default text. */
  readonly helpText?: string;
  /** Context `eventArchiveDays` (default 90): how long the event bus's archive keeps events (0: for ever). */
  readonly eventArchiveDays: number;
  /**
   * Context `corsOrigins` (comma-separated origins such as `https://desk.example.com`): browser
   * desks allowed to call the API. Default none: no CORS answer, so browsers on other origins are refused.
   */
  readonly corsOrigins: readonly string[];
  /** Context `alarmEmail`: a mailbox subscribed to the alarm topic (AWS sends it a confirmation link). */
  readonly alarmEmail?: string;
  /** Context `samLocal=true`: a template for `sam local invoke --env-vars` (declares the variables it sets). Not for deploying. */
  readonly samLocal: boolean;
  /** Context `sendWindow` (SEND_WINDOW, `HH:MM-HH:MM` in the recipient's time; unset: 08:00-21:00). */
  readonly sendWindow?: string;
  /** Context `replyGrace` (REPLY_GRACE, a duration such as 60m; unset: 60m). */
  readonly replyGrace?: string;
  /**
   * Context `messageRetention` (MESSAGE_RETENTION, e.g. `400d`, at least `3d`; unset: off):
   * messages, and interactions once closed, are deleted by TTL that long after; events never outlive them.
   */
  readonly messageRetention?: string;
  /** Context `pointInTimeRecoveryDays` (1-35; unset: DynamoDB's 35): how far back a restore reaches, erased data included. */
  readonly pointInTimeRecoveryDays?: number;
}

/** The SMS transports a deployment can choose (the local outbox is never one). */
export const deployedSmsTransportKinds = ["sns", "end-user-messaging"] as const;
export type DeployedSmsTransportKind = (typeof deployedSmsTransportKinds)[number];

export const defaultIdleCloseAfter = "24h";

/** What an SMS body may hold (the service refuses longer ones); the HELP answer is one. */
const maxHelpTextLength = 1600;

/** Reads and checks the stack's context. Every mistake fails the synth with a message naming the key. */
export function readStackConfig(node: Node): StackConfig {
  const text = (key: string): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null) return undefined;
    if (Array.isArray(value)) return value.map(String).join(",");
    const trimmed = String(value).trim();
    return trimmed === "" ? undefined : trimmed;
  };

  const stage = text("stage");
  if (stage !== undefined && !/^[A-Za-z0-9-]{1,40}$/.test(stage)) {
    throw new Error(`context stage must be letters, digits and dashes (got "${stage}")`);
  }
  const stackName = text("stackName") ?? (stage ? `${defaultStackName}-${stage}` : defaultStackName);
  if (!/^[A-Za-z][A-Za-z0-9-]{0,127}$/.test(stackName)) {
    throw new Error(`stack name "${stackName}" is not a valid CloudFormation stack name`);
  }

  const defaultCountry = (text("defaultCountry") ?? fallbackDefaultCountry).toUpperCase();
  if (!/^[A-Z]{2}$/.test(defaultCountry)) {
    throw new Error(`context defaultCountry must be an ISO 3166-1 alpha-2 code such as US or GB (got "${defaultCountry}")`);
  }

  const issuer = text("jwtIssuer");
  const audience = (text("jwtAudience") ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if ((issuer === undefined) !== (audience.length === 0)) {
    throw new Error(
      "contexts jwtIssuer and jwtAudience go together: give both (an existing OIDC issuer) or neither (the stack creates a Cognito user pool)",
    );
  }
  if (issuer !== undefined && !/^https:\/\/[^\s/]+/.test(issuer)) {
    throw new Error(`context jwtIssuer must be an https URL (got "${issuer}")`);
  }

  const smsTransport = text("smsTransport") ?? "sns";
  if (!isDeployedSmsTransport(smsTransport)) {
    throw new Error(`context smsTransport must be ${deployedSmsTransportKinds.join(" or ")} (got "${smsTransport}")`);
  }

  const idleCloseAfter = text("idleCloseAfter") ?? defaultIdleCloseAfter;
  // The same parser the idle-close function applies to IDLE_CLOSE_AFTER at its cold start.
  if (parseDuration(idleCloseAfter, "context idleCloseAfter") <= 0) {
    throw new Error(`context idleCloseAfter must be longer than zero (got "${idleCloseAfter}")`);
  }

  // Trimmed like every context value; otherwise sent as written.
  const helpText = text("helpText");
  if (helpText !== undefined && helpText.length > maxHelpTextLength) {
    throw new Error(
      `context helpText must be at most ${maxHelpTextLength} characters, the longest SMS the service sends (got ${helpText.length})`,
    );
  }

  const archiveText = text("eventArchiveDays") ?? String(defaultEventArchiveDays);
  const eventArchiveDays = Number(archiveText);
  if (!/^\d+$/.test(archiveText) || eventArchiveDays > 3650) {
    throw new Error(`context eventArchiveDays must be a whole number of days from 0 (keep for ever) to 3650 (got "${archiveText}")`);
  }

  const corsOrigins = (text("corsOrigins") ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  for (const origin of corsOrigins) {
    // An origin is scheme://host[:port], nothing after; "*" would let any site use an agent's token.
    if (!/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?$/.test(origin)) {
      throw new Error(`context corsOrigins must list origins such as https://desk.example.com, without a path or "*" (got "${origin}")`);
    }
  }

  const alarmEmail = text("alarmEmail");
  if (alarmEmail !== undefined && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(alarmEmail)) {
    throw new Error(`context alarmEmail must be one e-mail address (got "${alarmEmail}")`);
  }

  const samLocalText = text("samLocal") ?? "false";
  if (samLocalText !== "true" && samLocalText !== "false") {
    throw new Error(`context samLocal must be true or false (got "${samLocalText}")`);
  }

  const sendWindow = text("sendWindow");
  if (sendWindow !== undefined && parseSendWindow(sendWindow) === undefined) {
    throw new Error(`context sendWindow must be HH:MM-HH:MM with the start before the end, such as 08:00-21:00 (got "${sendWindow}")`);
  }
  const replyGrace = text("replyGrace");
  if (replyGrace !== undefined) parseDuration(replyGrace, "context replyGrace");

  const messageRetention = text("messageRetention");
  // The functions' own reading of MESSAGE_RETENTION, so a bad value fails the synth, not a cold start.
  if (messageRetention !== undefined) {
    try {
      readMessageRetention(messageRetention);
    } catch (error) {
      throw new Error(`context messageRetention: ${(error as Error).message}`);
    }
  }
  const pitrText = text("pointInTimeRecoveryDays");
  if (pitrText !== undefined && (!/^\d+$/.test(pitrText) || Number(pitrText) < 1 || Number(pitrText) > 35)) {
    throw new Error(`context pointInTimeRecoveryDays must be a whole number of days from 1 to 35 (got "${pitrText}")`);
  }

  const composeExtension = text("composeExtension");
  return {
    stackName,
    defaultCountry,
    ...(issuer !== undefined ? { jwt: { issuer, audience } } : {}),
    ...(composeExtension !== undefined ? { composeExtension: checkComposeExtension(composeExtension, projectRoot) } : {}),
    smsTransport,
    idleCloseAfter,
    ...(helpText !== undefined ? { helpText } : {}),
    eventArchiveDays,
    corsOrigins,
    ...(alarmEmail !== undefined ? { alarmEmail } : {}),
    samLocal: samLocalText === "true",
    ...(sendWindow !== undefined ? { sendWindow } : {}),
    ...(replyGrace !== undefined ? { replyGrace } : {}),
    ...(messageRetention !== undefined ? { messageRetention } : {}),
    ...(pitrText !== undefined ? { pointInTimeRecoveryDays: Number(pitrText) } : {}),
  };
}

export const defaultEventArchiveDays = 90;

function isDeployedSmsTransport(value: string): value is DeployedSmsTransportKind {
  return (deployedSmsTransportKinds as readonly string[]).includes(value);
}

/**
 * The compose extension module must be a file inside the project (Docker bundling only mounts the
 * project root). Returns its path relative to the root, with forward slashes.
 */
export function checkComposeExtension(modulePath: string, root: string = projectRoot): string {
  const absolute = isAbsolute(modulePath) ? modulePath : resolve(root, modulePath);
  const inside = relative(root, absolute);
  if (inside === "" || inside.startsWith("..") || isAbsolute(inside)) {
    throw new Error(`composeExtension (${modulePath}) must be a module inside the project root ${root}`);
  }
  if (!existsSync(absolute) || !statSync(absolute).isFile()) {
    throw new Error(`composeExtension (${modulePath}) does not exist: give a .ts or .js module path relative to ${root}`);
  }
  return inside.split("\\").join("/");
}
