import { Duration } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import type { FunctionDefinition } from "../shared/platform/function-table";
import type { ServiceFunctionProps, SmsSending } from "./service-function";
import type { DeployedSmsTransportKind } from "./stack-config";

/** What every function of one deployment shares; each entry of the functions table takes what it declares. */
export interface FunctionDeployment {
  /** The repository root (holds `functions/`, `shared/` and package-lock.json). */
  readonly projectRoot: string;
  readonly table: ITableV2;
  readonly defaultCountry: string;
  /** The deployment's SMS transport: given (env and grant) to the entries that `sendsSms`, and only to them. */
  readonly sms: SmsSending;
  /** Deployer's compose defaults module, relative to `projectRoot`: bundled into the entries that `usesComposeExtension`. */
  readonly composeExtension?: string;
  /** Context `samLocal`: declare the variables `sam local invoke --env-vars` may set (see `samLocalVariables`). */
  readonly samLocal?: boolean;
  /** The privacy key's secret: given (env and read grant) to the entries that `usesPrivacyKey`, and only to them. */
  readonly privacyKey?: ISecret;
  /** MESSAGE_RETENTION of every function that writes messages, closes interactions or writes events (all of them). */
  readonly messageRetention?: string;
}

/**
 * What `sam local invoke --env-vars events/sam-env.json` points at the local server instead of AWS.
 * SAM only sets variables the template declares, so a `-c samLocal=true` synth declares these,
 * empty (an empty value means unset to the functions: they behave as deployed).
 */
export function samLocalVariables(definition: FunctionDefinition): Record<string, string> {
  return {
    DYNAMODB_ENDPOINT: "",
    ...(definition.sendsSms ? { OUTBOX_FILE: "" } : {}),
    ...(definition.publishesEvents ? { EVENTBUS_FILE: "" } : {}),
    ...(definition.usesPrivacyKey ? { PRIVACY_KEY_FILE: "" } : {}),
  };
}

/** A function's own deployment settings, beyond what its table entry declares (e.g. HELP_TEXT, IDLE_CLOSE_AFTER). */
export interface FunctionSettings {
  readonly environment?: Readonly<Record<string, string>>;
}

/** Whether an entry is deployed with this transport (delivery receipts exist only with End User Messaging). */
export function deployedWith(definition: FunctionDefinition, transport: DeployedSmsTransportKind): boolean {
  return definition.onlyWithTransport === undefined || definition.onlyWithTransport === transport;
}

/**
 * The `ServiceFunction` of a functions-table entry: its handler (`functions/<id>/handler.ts`), the
 * table access, SMS grant and compose extension the entry declares, and a description from its
 * summary and trigger.
 */
export function functionPropsFor(
  definition: FunctionDefinition,
  deployment: FunctionDeployment,
  settings: FunctionSettings = {},
): ServiceFunctionProps {
  const purpose = purposeOf(definition);
  const { trigger } = definition;
  const when = trigger.kind === "schedule" ? ` (every ${trigger.everyMinutes} minutes)` : "";
  return {
    functionDir: definition.id,
    purpose,
    description: `${purpose}: ${definition.summary}${when}`,
    tableAccess: definition.tableAccess,
    ...(definition.sendsSms ? { sms: deployment.sms } : {}),
    projectRoot: deployment.projectRoot,
    table: deployment.table,
    defaultCountry: deployment.defaultCountry,
    ...(definition.usesComposeExtension && deployment.composeExtension !== undefined
      ? { composeExtension: deployment.composeExtension }
      : {}),
    ...(definition.usesPrivacyKey ? { privacyKey: requirePrivacyKey(definition, deployment) } : {}),
    ...(settings.environment !== undefined || deployment.samLocal || deployment.messageRetention !== undefined
      ? {
          environment: {
            ...(deployment.samLocal ? samLocalVariables(definition) : {}),
            ...(deployment.messageRetention !== undefined ? { MESSAGE_RETENTION: deployment.messageRetention } : {}),
            ...settings.environment,
          },
        }
      : {}),
    memorySize: definition.limits.memoryMb,
    timeout: Duration.seconds(definition.limits.timeoutSeconds),
  };
}

function requirePrivacyKey(definition: FunctionDefinition, deployment: FunctionDeployment): ISecret {
  if (!deployment.privacyKey) throw new Error(`${definition.id} uses the privacy key, but the deployment has none`);
  return deployment.privacyKey;
}

/** `GET /api/now/...` for a route's function; otherwise its id in words (`inbound-sms` -> `Inbound SMS`). */
function purposeOf(definition: FunctionDefinition): string {
  if (definition.trigger.kind === "http") return `${definition.trigger.route.method} ${definition.trigger.route.path}`;
  const words = definition.id.split("-").map((word) => (word === "sms" ? "SMS" : word));
  const text = words.join(" ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * `compose-options` -> `ComposeOptions`: a function's construct id, so part of its resources'
 * logical ids (InboundSms, IdleClose, DeliveryReceipts... as they were before the table): keep it.
 */
export function constructIdOf(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== "")
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}
