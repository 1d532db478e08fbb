import { join } from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../scripts/openapi-document";
import { contractTypes } from "../../scripts/openapi-types";

/**
 * The console is typed by the contract: console/wire.ts names every request and answer from
 * console/api-contract.d.ts, which `npm run openapi` generates from docs/openapi.json. These cases
 * type-check the console (as `npm run typecheck` does, `tsc -p console`) against a contract
 * generated in memory, and prove that a contract change the console does not follow fails it.
 */
const consoleDir = join(process.cwd(), "console");
const contractFile = join(consoleDir, "api-contract.d.ts");

/** The console's type errors with `contract` in place of the committed api-contract.d.ts. */
function consoleErrors(contract: string): string[] {
  const configFile = ts.readConfigFile(join(consoleDir, "tsconfig.json"), ts.sys.readFile);
  const config = ts.parseJsonConfigFileContent(configFile.config, ts.sys, consoleDir);
  const host = ts.createCompilerHost(config.options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (file === contractFile ? contract : readFile(file));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError, fresh) =>
    file === contractFile ? ts.createSourceFile(file, contract, language) : getSourceFile(file, language, onError, fresh);
  const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true }, host });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

/** The document with a field dropped from every schema that lists it, as a contract change would. */
function withoutField(document: Record<string, unknown>, field: string): Record<string, unknown> {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (node === null || typeof node !== "object") return node;
    const copy: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key === "properties" && value && typeof value === "object") {
        const { [field]: _dropped, ...rest } = value as Record<string, unknown>;
        copy[key] = walk(rest);
      } else if (key === "required" && Array.isArray(value)) copy[key] = value.filter((name) => name !== field);
      else copy[key] = walk(value);
    }
    return copy;
  };
  return walk(document) as Record<string, unknown>;
}

describe("the console's wire types, generated from the contract", () => {
  it("type-check the console against the contract as it is", async () => {
    expect(consoleErrors(await contractTypes(buildOpenApiDocument()))).toEqual([]);
  }, 60_000);

  it("fail the console's type check when the contract drops a field the console reads (segments, defaultSendFrom)", async () => {
    for (const field of ["segments", "defaultSendFrom"]) {
      const errors = consoleErrors(await contractTypes(withoutField(buildOpenApiDocument(), field)));
      expect(
        errors.some((message) => message.includes(`'${field}'`)),
        `${field}: ${errors.join("; ")}`,
      ).toBe(true);
    }
  }, 60_000);
});
