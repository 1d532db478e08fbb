import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { updateProvider } from "../../shared/providers/manage-providers";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.updateProvider, (request) => updateProvider(adapters, request.params.id, request.body));
