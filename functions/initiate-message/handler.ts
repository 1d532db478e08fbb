import { createAdapters } from "../../shared/platform/composition-root";
import { loadComposeExtension } from "../../shared/adapters/compose/load-compose-extension";
import { readConfig } from "../../shared/platform/config";
import { initiateMessage } from "../../shared/use-cases/initiate-message";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";

const config = readConfig();
const deps = {
  ...createAdapters(config),
  extension: await loadComposeExtension(config.composeExtensionModule),
};

export const handler = httpHandler(routes.initiateMessage, async (request) => {
  const idempotencyKey = request.headers["idempotency-key"];
  return initiateMessage(deps, request.body, { agentId: request.caller.sub, ...(idempotencyKey ? { idempotencyKey } : {}) });
});
