import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { validatePhoneNumber as validatePhoneNumberRoute } from "../../shared/adapters/http/routes/phone-numbers";
import { validatePhoneNumber } from "../../shared/use-cases/validate-phone-number";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(validatePhoneNumberRoute, (request) => validatePhoneNumber(adapters, request.body));
