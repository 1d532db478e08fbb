import { writeFileSync } from "node:fs";
import { buildOpenApiDocument } from "./openapi-document";
import { contractTypes } from "./openapi-types";

/**
 * `npm run openapi`: writes docs/openapi.json and the desk console's types of it,
 * console/api-contract.d.ts (a test fails when either committed copy is stale).
 */
const document = buildOpenApiDocument();
const targets = [
  [new URL("../docs/openapi.json", import.meta.url), `${JSON.stringify(document, null, 2)}\n`],
  [new URL("../console/api-contract.d.ts", import.meta.url), await contractTypes(document)],
] as const;
for (const [target, text] of targets) {
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
