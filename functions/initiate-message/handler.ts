import { createAdapters } from "../../shared/adapters";
import { loadComposeExtension } from "../../shared/compose/load-compose-extension";
import { readConfig } from "../../shared/config";
import { initiateMessage } from "../../shared/conversations/initiate-message";
import { HttpReply, httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { createTransport } from "../../shared/sms/create-transport";

const config = readConfig();
const deps = { ...createAdapters(config), transport: createTransport(), extension: await loadComposeExtension(config.composeExtensionModule) };

export const handler = httpHandler(routes.initiateMessage, async (request) => {
  const idempotencyKey = request.headers["idempotency-key"];
  const reply = await initiateMessage(deps, request.body, { agentId: request.caller.sub, ...(idempotencyKey ? { idempotencyKey } : {}) });
  return new HttpReply(reply.status, reply.body);
});
