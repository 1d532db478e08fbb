import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { keyFromText } from "./hmac-number-hasher";

/**
 * The privacy key on AWS: the secret the stack generates (Secrets Manager), read once per
 * container. Only the functions that hash numbers bundle this client and may read the secret.
 */
export function secretsManagerKey(secretArn: string): () => Promise<Buffer> {
  return async () => {
    const client = new SecretsManagerClient({ maxAttempts: 5 });
    try {
      const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (!SecretString) throw new Error("the privacy key secret has no string value");
      return keyFromText(SecretString, "the privacy key secret");
    } finally {
      client.destroy();
    }
  };
}
