import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { routes } from "../../shared/adapters/http/routes";
import { exportPersonalData } from "../../shared/use-cases/export-personal-data";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(routes.privacyExport, (request) => exportPersonalData(adapters, request.query));
