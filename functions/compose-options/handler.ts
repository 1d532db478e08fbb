import { createAdapters } from "../../shared/adapters";
import { composeOptions } from "../../shared/compose/compose-options";
import { loadComposeExtension } from "../../shared/compose/load-compose-extension";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";

const config = readConfig();
const deps = { ...createAdapters(config), extension: await loadComposeExtension(config.composeExtensionModule) };

export const handler = httpHandler(routes.composeOptions, (request) => composeOptions(deps, request.query));
