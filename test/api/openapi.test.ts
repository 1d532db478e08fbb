import { readFileSync } from "node:fs";
import { compileErrors, validate } from "@readme/openapi-parser";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../scripts/openapi-document";
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
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining([...Object.keys(route.responses), "400", "401", "403", "500"]));
    }
  });

  it("is committed up to date in docs/openapi.json (regenerate with npm run openapi)", () => {
    const committed = JSON.parse(readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8"));
    expect(committed).toEqual(JSON.parse(JSON.stringify(document)));
  });
});
