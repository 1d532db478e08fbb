import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { retryMessage as retryMessageRoute } from "../../shared/adapters/http/routes/interactions";
import { retryMessage } from "../../shared/use-cases/retry-message";

const deps = { ...createAdapters(readConfig()) };

export const handler = httpHandler(retryMessageRoute, (request) =>
  retryMessage(deps, { interactionId: request.params.id, messageId: request.params.messageId }, { agentId: request.caller.sub }),
);
