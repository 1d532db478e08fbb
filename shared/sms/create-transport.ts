import { tmpdir } from "node:os";
import { join } from "node:path";
import { SNSClient } from "@aws-sdk/client-sns";
import { OutboxTransport } from "./outbox-transport";
import type { SmsTransport } from "./sms-transport";
import { SnsTransport } from "./sns-transport";

/**
 * The transport named by configuration (SMS_TRANSPORT): `outbox` (the default; OUTBOX_FILE, set by
 * the local server to a file under DATA_DIR) or `sns` (the stack sets it). Never chosen by code edits.
 */
export function createTransport(env: NodeJS.ProcessEnv = process.env): SmsTransport {
  const kind = env.SMS_TRANSPORT ?? "outbox";
  switch (kind) {
    case "outbox":
      return new OutboxTransport(env.OUTBOX_FILE ?? join(tmpdir(), "agent-initiated-sms-outbox.jsonl"));
    case "sns":
      return new SnsTransport(new SNSClient({}));
    default:
      throw new Error(`SMS_TRANSPORT must be outbox or sns, not '${kind}'`);
  }
}
