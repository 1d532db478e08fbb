import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { getInteraction } from "../../shared/interactions/manage-interactions";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.getInteraction, (request) => getInteraction(adapters, request.params.id));
