import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { updateProvider } from "../../shared/use-cases/update-provider";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.updateProvider, (request) => updateProvider(adapters, request.params.id, request.body));
