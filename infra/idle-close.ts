import { Duration } from "aws-cdk-lib";
import { parseDuration } from "../shared/platform/config";
import type { FunctionSettings } from "./table-functions";

/**
 * The idle-close run's time budget: the handler pages through idle interactions until 5 s before
 * it, and the next run picks up the rest. Far longer than an API request may take, far shorter
 * than its schedule (the functions table's `everyMinutes`).
 */
export const idleCloseTimeout = Duration.minutes(1);

/**
 * The idle-close function's own settings: IDLE_CLOSE_AFTER (`24h`, `90m`, `2d`, seconds...) and
 * its time budget. It closes SMS interactions idle past IDLE_CLOSE_AFTER, so a stale conversation
 * never captures a customer's next reply; it sends nothing (no SMS transport, no SMS permission).
 */
export function idleCloseSettings(idleCloseAfter: string): FunctionSettings {
  // The function's own parser, so a bad value fails the synth rather than the function's cold start.
  parseDuration(idleCloseAfter, "idleCloseAfter");
  return { timeout: idleCloseTimeout, environment: { IDLE_CLOSE_AFTER: idleCloseAfter } };
}
