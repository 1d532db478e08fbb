import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { closeInteraction } from "../../shared/use-cases/close-interaction";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.closeInteraction, (request) =>
  closeInteraction(adapters, request.params.id, { agentId: request.caller.sub }),
);
