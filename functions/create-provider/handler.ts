import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { createProvider as createProviderRoute } from "../../shared/adapters/http/routes/providers";
import { createProvider } from "../../shared/use-cases/create-provider";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(createProviderRoute, (request) => createProvider(adapters, request.body));
