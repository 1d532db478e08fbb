import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { listProviders } from "../../shared/providers/manage-providers";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.listProviders, () => listProviders(adapters));
