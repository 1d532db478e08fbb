import { existsSync, statSync } from "node:fs";
import { isAbsolute, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { Node } from "constructs";

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
}

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

  const defaultCountry = (text("defaultCountry") ?? "US").toUpperCase();
  if (!/^[A-Z]{2}$/.test(defaultCountry)) {
    throw new Error(`context defaultCountry must be an ISO 3166-1 alpha-2 code such as US or GB (got "${defaultCountry}")`);
  }

  const issuer = text("jwtIssuer");
  const audience = (text("jwtAudience") ?? "")
    .split(",")
    .map((part) => part.trim())
    .filter((part) => part !== "");
  if ((issuer === undefined) !== (audience.length === 0)) {
    throw new Error("contexts jwtIssuer and jwtAudience go together: give both (an existing OIDC issuer) or neither (the stack creates a Cognito user pool)");
  }
  if (issuer !== undefined && !/^https:\/\/[^\s/]+/.test(issuer)) {
    throw new Error(`context jwtIssuer must be an https URL (got "${issuer}")`);
  }

  const composeExtension = text("composeExtension");
  return {
    stackName,
    defaultCountry,
    ...(issuer !== undefined ? { jwt: { issuer, audience } } : {}),
    ...(composeExtension !== undefined ? { composeExtension: checkComposeExtension(composeExtension, projectRoot) } : {}),
  };
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
