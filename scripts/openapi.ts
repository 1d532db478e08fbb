import { writeFileSync } from "node:fs";
import { buildOpenApiDocument } from "./openapi-document";

/** `npm run openapi`: writes docs/openapi.json (a test fails when the committed copy is stale). */
const target = new URL("../docs/openapi.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
