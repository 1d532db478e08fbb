import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { getInteraction as getInteractionRoute } from "../../shared/adapters/http/routes/interactions";
import { getInteraction } from "../../shared/use-cases/get-interaction";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(getInteractionRoute, (request) => getInteraction(adapters, request.params.id));
