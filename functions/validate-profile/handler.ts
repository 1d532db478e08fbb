import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { validateProfile as validateProfileRoute } from "../../shared/adapters/http/routes/interactions";
import { validateProfile } from "../../shared/use-cases/validate-profile";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(validateProfileRoute, (request) => validateProfile(adapters, request.body));
