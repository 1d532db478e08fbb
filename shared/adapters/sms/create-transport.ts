import { tmpdir } from "node:os";
import { join } from "node:path";
import { PinpointSMSVoiceV2Client } from "@aws-sdk/client-pinpoint-sms-voice-v2";
import { SNSClient } from "@aws-sdk/client-sns";
import { EndUserMessagingTransport } from "./end-user-messaging-transport";
import { OutboxTransport } from "./outbox-transport";
import type { SmsTransport } from "../../core/ports/sms-transport";
import { SnsTransport } from "./sns-transport";
import { withoutSdkCallLogging } from "../../platform/aws-sdk-client";

export const smsTransportKinds = ["outbox", "sns", "end-user-messaging"] as const;

/**
 * The transport named by configuration (SMS_TRANSPORT): `outbox` (the default; OUTBOX_FILE, set by
 * the local server to a file under DATA_DIR), `sns`, or `end-user-messaging` (needs
 * SMS_CONFIGURATION_SET, the configuration set whose event destination returns delivery receipts).
 * Never chosen by code edits. Builds one SDK client per call: call it once, at module scope.
 */
export function createTransport(env: NodeJS.ProcessEnv = process.env): SmsTransport {
  const kind = env.SMS_TRANSPORT || "outbox";
  switch (kind) {
    case "outbox":
      return new OutboxTransport(env.OUTBOX_FILE || join(tmpdir(), "agent-initiated-sms-outbox.jsonl"));
    case "sns":
      return new SnsTransport(withoutSdkCallLogging(new SNSClient({})));
    case "end-user-messaging": {
      const configurationSet = env.SMS_CONFIGURATION_SET;
      if (!configurationSet) {
        throw new Error(
          "SMS_TRANSPORT=end-user-messaging needs SMS_CONFIGURATION_SET (the configuration set that returns delivery receipts), which is not set",
        );
      }
      return new EndUserMessagingTransport(withoutSdkCallLogging(new PinpointSMSVoiceV2Client({})), configurationSet);
    }
    default:
      throw new Error(`SMS_TRANSPORT must be one of ${smsTransportKinds.join(", ")}, not '${kind}'`);
  }
}
