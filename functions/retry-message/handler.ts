import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { retryMessage } from "../../shared/use-cases/retry-message";

const deps = { ...createAdapters(readConfig()) };

export const handler = httpHandler(routes.retryMessage, (request) =>
  retryMessage(deps, { interactionId: request.params.id, messageId: request.params.messageId }, { agentId: request.caller.sub }),
);
