import { tmpdir } from "node:os";
import { join } from "node:path";
import { EventBridgeClient } from "@aws-sdk/client-eventbridge";
import type { EventBus } from "../../core/ports/event-bus";
import { EventBridgeBus } from "./eventbridge-bus";
import { LocalEventBus } from "./local-event-bus";
import { withoutSdkCallLogging } from "../../platform/aws-sdk-client";

/**
 * The bus named by configuration: EventBridge when EVENT_BUS_NAME is set (the stack sets it on the
 * publisher), else the local file (EVENTBUS_FILE, set by the local server under DATA_DIR). Call once,
 * at module scope.
 */
export function createEventBus(env: NodeJS.ProcessEnv = process.env): EventBus {
  if (env.EVENT_BUS_NAME) return new EventBridgeBus(withoutSdkCallLogging(new EventBridgeClient({})), env.EVENT_BUS_NAME);
  return new LocalEventBus(env.EVENTBUS_FILE || join(tmpdir(), "agent-initiated-sms-eventbus.jsonl"));
}
