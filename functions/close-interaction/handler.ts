import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { closeInteraction as closeInteractionRoute } from "../../shared/adapters/http/routes/interactions";
import { closeInteraction } from "../../shared/use-cases/close-interaction";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(closeInteractionRoute, (request) =>
  closeInteraction(adapters, request.params.id, { agentId: request.caller.sub }),
);
