import { createAdapters } from "../../shared/platform/composition-root";
import { loadComposeExtension } from "../../shared/adapters/compose/load-compose-extension";
import { readConfig } from "../../shared/platform/config";
import { initiateMessage } from "../../shared/use-cases/initiate-message";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { initiateMessage as initiateMessageRoute } from "../../shared/adapters/http/routes/interactions";
import { numberHasherFor } from "../../shared/platform/number-hasher";

const config = readConfig();
// The privacy key (fetched during the cold start, then kept): every send's transaction checks an erased number's opt-outs.
const numberHasher = numberHasherFor(config, { prefetchKey: true });
const deps = {
  ...createAdapters(config, numberHasher ? { numberHasher } : {}),
  extension: await loadComposeExtension(config.composeExtensionModule),
};

export const handler = httpHandler(initiateMessageRoute, async (request) => {
  const idempotencyKey = request.headers["idempotency-key"];
  return initiateMessage(deps, request.body, { agentId: request.caller.sub, ...(idempotencyKey ? { idempotencyKey } : {}) });
});
