import { createAdapters } from "../../shared/adapters";
import { readConfig } from "../../shared/config";
import { httpHandler } from "../../shared/http/http-handler";
import { routes } from "../../shared/http/routes";
import { validatePhoneNumber } from "../../shared/phone/validate-phone-number";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.validatePhoneNumber, (request) => validatePhoneNumber(adapters, request.body));
