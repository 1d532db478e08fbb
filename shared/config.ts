import { defaultHelpText } from "./conversations/sms-keywords";

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
}

export function readConfig(env: NodeJS.ProcessEnv = process.env): RuntimeConfig {
  return {
    tableName: env.TABLE_NAME ?? "agent-initiated-sms",
    defaultCountry: (env.DEFAULT_COUNTRY ?? "US").toUpperCase(),
    dynamoDbEndpoint: env.DYNAMODB_ENDPOINT || undefined,
    composeExtensionModule: env.COMPOSE_EXTENSION_MODULE || undefined,
    helpText: env.HELP_TEXT || defaultHelpText,
  };
}
