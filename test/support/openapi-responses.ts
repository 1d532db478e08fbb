import { readFileSync } from "node:fs";
import { Ajv2020, type ErrorObject, type ValidateFunction } from "ajv/dist/2020";

/**
 * Checks an observed response against an OpenAPI 3.1 document — by default the committed
 * docs/openapi.json, the copy clients read — so a handler and its document cannot drift apart
 * unnoticed. OpenAPI 3.1 schemas are JSON Schema 2020-12: ajv compiles each response schema, with
 * the document's component schemas as `$defs` so their `$ref`s resolve.
 */

type Json = Record<string, unknown>;

/** An operation by operationId (the route id, e.g. `initiate-message`), or by method and path template. */
export type OperationRef = string | { method: string; path: string };

interface Operation {
  label: string;
  /** Compiled schema by status; `undefined` for a documented response without a body. */
  responses: Map<string, ValidateFunction | undefined>;
}

export interface ResponseValidator {
  /** What is wrong with the response, or undefined when the document describes it. */
  problem(operation: OperationRef, status: number, body: unknown): string | undefined;
  /** Throws with `problem`'s text when the document does not describe the response. */
  expectDocumented(operation: OperationRef, status: number, body: unknown): void;
}

export function createResponseValidator(document: Json, source = "the OpenAPI document"): ResponseValidator {
  const ajv = new Ajv2020({ strict: true, allowUnionTypes: true, allErrors: true });
  const components = ((document.components as Json | undefined)?.schemas ?? {}) as Json;
  const $defs = toDefs(components);
  const byId = new Map<string, Operation>();
  const byRoute = new Map<string, Operation>();

  for (const [path, methods] of Object.entries((document.paths ?? {}) as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const label = `${method.toUpperCase()} ${path}${op.operationId ? ` (${String(op.operationId)})` : ""}`;
      const responses = new Map<string, ValidateFunction | undefined>();
      for (const [status, response] of Object.entries((op.responses ?? {}) as Record<string, Json>)) {
        const schema = ((response.content as Record<string, Json> | undefined)?.["application/json"] as Json | undefined)?.schema as
          Json | undefined;
        try {
          responses.set(status, schema ? ajv.compile({ ...toDefs(schema), $defs }) : undefined);
        } catch (error) {
          throw new Error(`${source}: ${label} ${status}: its schema does not compile: ${(error as Error).message}`);
        }
      }
      const operation = { label, responses };
      if (typeof op.operationId === "string") byId.set(op.operationId, operation);
      byRoute.set(routeKey(method, path), operation);
    }
  }

  function problem(ref: OperationRef, status: number, body: unknown): string | undefined {
    const operation = typeof ref === "string" ? byId.get(ref) : byRoute.get(routeKey(ref.method, ref.path));
    if (!operation) return `${source} has no operation ${typeof ref === "string" ? ref : routeKey(ref.method, ref.path)}`;
    // A status range ("4XX") or "default" would document a status too, as OpenAPI reads them.
    const key = [String(status), `${String(status)[0]}XX`, "default"].find((candidate) => operation.responses.has(candidate));
    if (key === undefined) {
      return `${operation.label} answered ${status}, which ${source} does not document for it (documented: ${[...operation.responses.keys()].join(", ")})`;
    }
    const validate = operation.responses.get(key);
    if (!validate)
      return body === undefined
        ? undefined
        : `${operation.label} answered ${status} with a body, but ${source} documents none\nbody: ${excerpt(body)}`;
    if (body === undefined) return `${operation.label} answered ${status} without a body, but ${source} documents an application/json body`;
    if (validate(body)) return undefined;
    return `${operation.label} answered ${status} with a body ${source} does not describe:\n${describe(validate.errors ?? [])}\nbody: ${excerpt(body)}`;
  }

  return {
    problem,
    expectDocumented(ref, status, body) {
      const found = problem(ref, status, body);
      if (found) throw new Error(found);
    },
  };
}

let committed: ResponseValidator | undefined;

/** The validator for the committed docs/openapi.json (compiled once per test file). */
export function documentedResponses(): ResponseValidator {
  committed ??= createResponseValidator(
    JSON.parse(readFileSync(new URL("../../docs/openapi.json", import.meta.url), "utf8")) as Json,
    "docs/openapi.json",
  );
  return committed;
}

/** Fails (throws) unless docs/openapi.json documents this status for the operation and the body matches its schema. */
export function expectDocumentedResponse(operation: OperationRef, status: number, body: unknown): void {
  documentedResponses().expectDocumented(operation, status, body);
}

function routeKey(method: string, path: string): string {
  return `${method.toUpperCase()} ${path}`;
}

/** A copy with `#/components/schemas/X` references pointed at `#/$defs/X`, where the compiled schema carries them. */
function toDefs<T>(value: T): T {
  if (Array.isArray(value)) return value.map(toDefs) as T;
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, inner]) => [
      key,
      key === "$ref" && typeof inner === "string" ? inner.replace(/^#\/components\/schemas\//, "#/$defs/") : toDefs(inner),
    ]),
  ) as T;
}

function describe(errors: ErrorObject[]): string {
  return errors
    .map((error) => {
      const where = error.instancePath === "" ? "body" : `body${error.instancePath}`;
      const params =
        error.keyword === "additionalProperties" || error.keyword === "enum" || error.keyword === "const"
          ? ` ${JSON.stringify(error.params)}`
          : "";
      return `  - ${where} ${error.message ?? error.keyword}${params} (schema ${error.schemaPath})`;
    })
    .join("\n");
}

function excerpt(body: unknown): string {
  const text = JSON.stringify(body);
  return text.length > 2000 ? `${text.slice(0, 2000)}…` : text;
}
