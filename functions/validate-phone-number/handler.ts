import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { validatePhoneNumber } from "../../shared/use-cases/validate-phone-number";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.validatePhoneNumber, (request) => validatePhoneNumber(adapters, request.body));
