import { createAdapters } from "../../shared/platform/composition-root";
import { composeOptions } from "../../shared/use-cases/compose-options";
import { loadComposeExtension } from "../../shared/adapters/compose/load-compose-extension";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { composeOptions as composeOptionsRoute } from "../../shared/adapters/http/routes/interactions";

const config = readConfig();
const deps = { ...createAdapters(config), extension: await loadComposeExtension(config.composeExtensionModule) };

export const handler = httpHandler(composeOptionsRoute, (request) => composeOptions(deps, request.query));
