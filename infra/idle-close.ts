import { parseDuration } from "../shared/platform/config";
import type { FunctionSettings } from "./table-functions";

/**
 * The idle-close function's own settings: IDLE_CLOSE_AFTER (`24h`, `90m`, `2d`, seconds...); its
 * time budget is its functions-table entry's. It closes SMS interactions idle past IDLE_CLOSE_AFTER, so a stale conversation
 * never captures a customer's next reply; it sends nothing (no SMS transport, no SMS permission).
 */
export function idleCloseSettings(idleCloseAfter: string): FunctionSettings {
  // The function's own parser, so a bad value fails the synth rather than the function's cold start.
  parseDuration(idleCloseAfter, "idleCloseAfter");
  return { environment: { IDLE_CLOSE_AFTER: idleCloseAfter } };
}
