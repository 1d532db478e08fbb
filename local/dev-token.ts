/**
 * `npm run dev-token -- --sub ann --groups agents` prints, as its last line, a bearer token the local
 * server with the same DATA_DIR accepts (the key pair under `<DATA_DIR>/jwt/` is created if absent).
 */
import { resolve } from "node:path";
import { KNOWN_GROUPS, parseDevTokenArgs, type DevTokenArgs } from "./dev-token-args";
import { DEFAULT_DATA_DIR, DEFAULT_TTL_SECONDS, LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateKeyPair, signDevToken } from "./local-jwt";

const usage = `Usage: npm run dev-token -- --sub <id> [--groups <agents|admins>[,...]] [--ttl <seconds>]

Prints a bearer token for the local API (npm start) as the last line of output.

  --sub <id>        the caller's id (claim sub; the agent id the API uses)
  --groups <list>   comma-separated groups for claim cognito:groups: ${KNOWN_GROUPS.join(", ")}
                    (omit for a token with no group: every API route then answers 403)
  --ttl <seconds>   lifetime, default ${DEFAULT_TTL_SECONDS} (12 h)
  --help            this text

Environment: DATA_DIR (default ${DEFAULT_DATA_DIR}) must be the server's DATA_DIR: the token is
signed with the key pair kept in <DATA_DIR>/jwt/.
Token: RS256, iss ${LOCAL_ISSUER}, aud ${LOCAL_AUDIENCE}.`;

async function main(): Promise<void> {
  let args: DevTokenArgs | "help";
  try {
    args = parseDevTokenArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`dev-token: ${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    process.exit(2);
  }
  if (args === "help") {
    console.log(usage);
    return;
  }
  const dataDir = resolve(process.env.DATA_DIR || DEFAULT_DATA_DIR);
  const keys = await loadOrCreateKeyPair(dataDir);
  const token = await signDevToken(keys, { sub: args.sub, groups: args.groups, ttlSeconds: args.ttlSeconds });
  const expires = new Date(Date.now() + args.ttlSeconds * 1000).toISOString();
  const groups = args.groups.length > 0 ? args.groups.join(",") : "none (routes will answer 403)";
  console.error(`token for sub=${args.sub} groups=${groups}, expires ${expires} (keys in ${keys.directory}):`);
  console.log(token);
}

await main();
