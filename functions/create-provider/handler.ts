import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { createProvider } from "../../shared/use-cases/create-provider";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.createProvider, (request) => createProvider(adapters, request.body));
