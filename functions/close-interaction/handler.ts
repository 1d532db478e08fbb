import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { closeInteraction } from "../../shared/interactions/manage-interactions";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.closeInteraction, (request) => closeInteraction(adapters, request.params.id));
