import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { updateProvider as updateProviderRoute } from "../../shared/adapters/http/routes/providers";
import { updateProvider } from "../../shared/use-cases/update-provider";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(updateProviderRoute, (request) => updateProvider(adapters, request.params.id, request.body));
