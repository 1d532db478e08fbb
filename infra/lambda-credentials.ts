/**
 * Bundled in place of `@aws-sdk/credential-provider-node` (esbuild alias, infra/service-function.ts):
 * on Lambda the credentials are the role's, in the environment (AWS_ACCESS_KEY_ID,
 * AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), and `sam local invoke` passes them the same way. The
 * SDK's default chain also carries the SSO, INI, process, web-identity and container providers with
 * their own STS and SSO clients: 135 KB of every bundle, about 20 ms of every cold start, for
 * sources a Lambda function never has. Without the variables a call fails with the SDK's own
 * "Unable to find environment variable credentials".
 */
import { fromEnv } from "@aws-sdk/credential-provider-env";

type EnvInit = Parameters<typeof fromEnv>[0];

export const defaultProvider = (init: EnvInit = {}) => fromEnv(init);

/** As the default chain's: credentials with an expiration are refreshed 5 minutes before it. */
export const credentialsWillNeedRefresh = (credentials?: { expiration?: Date }) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials?: { expiration?: Date }) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300_000;
