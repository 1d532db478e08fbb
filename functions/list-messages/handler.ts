import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { listInteractionMessages } from "../../shared/interactions/manage-interactions";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.listMessages, (request) => listInteractionMessages(adapters, request.params.id));
