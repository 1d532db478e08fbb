import { HmacNumberHasher } from "../adapters/secrets/hmac-number-hasher";
import { secretsManagerKey } from "../adapters/secrets/secrets-manager-key";
import type { NumberHasher } from "../core/ports/number-hasher";
import { localNumberHasher } from "./composition-root";
import type { RuntimeConfig } from "./config";

/**
 * The keyed hash of numbers for the functions that need it (a send's suppression check, the
 * erasure, an administrator's opt-in): the local key file when PRIVACY_KEY_FILE is set, else the
 * stack's secret. Imported by those functions' handlers only, so no other bundle carries the
 * Secrets Manager client (bundle weight is cold start).
 */
export function numberHasherFor(config: Pick<RuntimeConfig, "privacyKeyFile" | "privacyKeySecretArn">): NumberHasher | undefined {
  if (config.privacyKeyFile) return localNumberHasher(config.privacyKeyFile);
  if (config.privacyKeySecretArn) return new HmacNumberHasher(secretsManagerKey(config.privacyKeySecretArn));
  return undefined;
}
