import { Logger } from "@aws-lambda-powertools/logger";

/**
 * The one structured JSON logger (Powertools). Level from POWERTOOLS_LOG_LEVEL. Phone numbers and
 * message bodies never reach it unmasked: log through `redactPersonalData` (shared/core/rules/mask-phone-number.ts).
 */
export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? "agent-initiated-sms" });
