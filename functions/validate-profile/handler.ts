import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { validateProfile } from "../../shared/profiles/profile-queries";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.validateProfile, (request) => validateProfile(adapters, request.body));
