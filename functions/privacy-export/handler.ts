import { createAdapters } from "../../shared/platform/composition-root";
import { readConfig } from "../../shared/platform/config";
import { httpHandler } from "../../shared/adapters/http/http-handler";
import { privacyExport as privacyExportRoute } from "../../shared/adapters/http/routes/privacy";
import { exportPersonalData } from "../../shared/use-cases/export-personal-data";

const adapters = createAdapters(readConfig());

export const handler = httpHandler(privacyExportRoute, (request) => exportPersonalData(adapters, request.query));
