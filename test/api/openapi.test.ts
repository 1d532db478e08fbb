import { readFileSync } from "node:fs";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../scripts/openapi-document";
import { contractTypes } from "../../scripts/openapi-types";
import { errorStatus } from "../../shared/adapters/http/error-status";
import { routeList } from "../../shared/adapters/http/routes";

describe("OpenAPI document", () => {
  const document = buildOpenApiDocument();

  it("is a valid OpenAPI 3.1 document", async () => {
    // The validator dereferences in place: give it a copy.
    const result = await validate(structuredClone(document) as Parameters<typeof validate>[0]);
    expect(result.valid, result.valid ? "" : compileErrors(result)).toBe(true);
    expect(document.openapi).toBe("3.1.0");
  });

  it("covers every route of the table, and nothing else", () => {
    const paths = document.paths as Record<string, Record<string, { operationId: string; responses: Record<string, unknown> }>>;
    const operations = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.operationId}`),
    );
    expect(operations.sort()).toEqual(routeList.map((r) => `${r.method} ${r.path} ${r.id}`).sort());
    for (const route of routeList) {
      const op = paths[route.path]![route.method.toLowerCase()]!;
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining([...Object.keys(route.responses), "400", "401", "403", "429", "500", "503"]),
      );
    }
  });

  it("lists every code a route declares under the code's status, and the early-timeout 503 everywhere", () => {
    const paths = document.paths as Record<string, Record<string, { responses: Record<string, { description: string }> }>>;
    for (const route of routeList) {
      const op = paths[route.path]![route.method.toLowerCase()]!;
      for (const code of [...route.errors, "OUTCOME_UNKNOWN" as const]) {
        expect(op.responses[String(errorStatus[code])]?.description, `${route.id} ${code}`).toContain(code);
      }
    }
  });

  it("documents the Idempotency-Key header of initiate_message as a parameter", () => {
    const op = (document.paths as Record<string, Record<string, { parameters: { name: string; in: string; required: boolean }[] }>>)[
      "/api/now/initiate_message"
    ]!.post!;
    expect(op.parameters).toContainEqual(expect.objectContaining({ name: "Idempotency-Key", in: "header", required: false }));
  });

  it("is committed up to date in docs/openapi.json (regenerate with npm run openapi)", () => {
    const committed = JSON.parse(readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });

  it("is committed up to date as the console's types in console/api-contract.d.ts (npm run openapi)", async () => {
    const committed = readFileSync(new URL("../../console/api-contract.d.ts", import.meta.url), "utf8");
    expect(committed).toBe(await contractTypes(document));
  });
});
