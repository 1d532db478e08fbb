import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { listProfiles as listProfilesRoute } from "../../shared/adapters/http/routes/interactions";
import { listProfiles } from "../../shared/use-cases/list-profiles";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(listProfilesRoute, (request) => listProfiles(adapters, request.query.phoneNumber));
