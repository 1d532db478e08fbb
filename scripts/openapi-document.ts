import * as z from "zod/mini";
import type { ErrorCode } from "../shared/core/errors";
import { errorStatus } from "../shared/adapters/http/error-status";
import { ErrorResponse } from "../shared/adapters/http/wire-schemas";
import { routeList, type RouteDefinition } from "../shared/adapters/http/routes";

/**
 * The OpenAPI 3.1 document, built from the route table and the schemas (never by hand). Build-time
 * only: no Lambda imports this, so JSON Schema generation stays out of the bundles.
 */
export function buildOpenApiDocument(serverUrl = "http://127.0.0.1:3000"): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routeList) {
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "Agent-initiated SMS conversations",
      version: "0.1.0",
      description:
        "Agents start or join SMS conversations from a customer interaction. Every route needs a bearer JWT; " +
        "agent routes need group `agents`, administration routes group `admins` (claim `cognito:groups`). " +
        "Errors are `{ error: { code, message } }`.",
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerJwt: [] }],
    components: {
      securitySchemes: { bearerJwt: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: { Error: jsonSchema(ErrorResponse) },
    },
    paths,
  };
}

function operation(route: RouteDefinition): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = { description: response.description, content: { "application/json": { schema: jsonSchema(response.schema) } } };
  }
  for (const [status, codes] of errorResponsesFor(route)) {
    responses[String(status)] = {
      description: `Error: ${codes.join(", ")}`,
      content: { "application/json": { schema: { $ref: "#/components/schemas/Error" } } },
    };
  }
  return {
    operationId: route.id,
    summary: route.summary,
    description: `Requires group ${route.groups.join(" or ")}.`,
    tags: [route.path.split("/")[3] ?? "api"],
    parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query")],
    ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body) } } } } : {}),
    responses,
  };
}

/** Common errors every route can answer, plus the route's own. */
function errorResponsesFor(route: RouteDefinition): Map<number, ErrorCode[]> {
  const codes: ErrorCode[] = ["VALIDATION_FAILED", "UNAUTHORIZED", "FORBIDDEN", "INTERNAL_ERROR"];
  if (route.body) codes.push("MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE");
  codes.push(...((route.errors ?? []) as ErrorCode[]));
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = errorStatus[code];
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus].sort(([a], [b]) => a - b));
}

function parameters(schema: z.ZodMiniType | undefined, location: "path" | "query") {
  if (!schema) return [];
  const object = jsonSchema(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(object.properties ?? {}).map(([name, property]) => ({
    name,
    in: location,
    required: location === "path" || (object.required ?? []).includes(name),
    schema: property,
  }));
}

function jsonSchema(schema: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
