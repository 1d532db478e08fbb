import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { createProvider } from "../../shared/providers/manage-providers";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.createProvider, (request) => createProvider(adapters, request.body));
