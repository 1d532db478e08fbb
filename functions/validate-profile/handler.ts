import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { validateProfile } from "../../shared/use-cases/validate-profile";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.validateProfile, (request) => validateProfile(adapters, request.body));
