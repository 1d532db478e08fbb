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
export function numberHasherFor(
  config: Pick<RuntimeConfig, "privacyKeyFile" | "privacyKeySecretArn">,
  options: {
    /**
     * Fetch the secret during the cold start instead of on the first hash: for a function whose
     * every request hashes (a send checks an erased number's opt-outs), the Secrets Manager call
     * then overlaps the init and the first event's reads rather than following them.
     */
    prefetchKey?: boolean;
  } = {},
): NumberHasher | undefined {
  if (config.privacyKeyFile) return localNumberHasher(config.privacyKeyFile);
  if (!config.privacyKeySecretArn) return undefined;
  const hasher = new HmacNumberHasher(secretsManagerKey(config.privacyKeySecretArn));
  if (options.prefetchKey) hasher.prefetch();
  return hasher;
}
