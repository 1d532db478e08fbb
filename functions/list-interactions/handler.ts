import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { listInteractions } from "../../shared/interactions/manage-interactions";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.listInteractions, (request) => listInteractions(adapters, request.query, request.caller.sub));
