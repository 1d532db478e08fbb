import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { listProviders as listProvidersRoute } from "../../shared/adapters/http/routes/providers";
import { listProviders } from "../../shared/use-cases/list-providers";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(listProvidersRoute, () => listProviders(adapters));
