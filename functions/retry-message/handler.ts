import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { retryMessage } from "../../shared/messages/retry-message";
import { createTransport } from "../../shared/sms/create-transport";

const deps = { ...createAdapters(readConfig()), transport: createTransport() };

export const handler = httpHandler(routes.retryMessage, (request) =>
  retryMessage(deps, { interactionId: request.params.id, messageId: request.params.messageId }, { agentId: request.caller.sub }),
);
