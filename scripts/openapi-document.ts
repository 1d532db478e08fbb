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
        "The service's errors are `{ error: { code, message, ...details } }` (schema Error); API Gateway's own refusals, " +
        'given without running the service (no valid token, throttled), are `{ "message": "..." }` (schema GatewayError).',
    },
    servers: [{ url: serverUrl }],
    security: [{ bearerJwt: [] }],
    components: {
      securitySchemes: { bearerJwt: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
      schemas: {
        Error: {
          description:
            "The service's error answer: `code` says what happened (each operation lists, by status, the codes it can answer), " +
            "`message` what to do about it. Some codes add details beside them: INVALID_PHONE_NUMBER `reason` and `field`, " +
            "PROVIDER_NUMBER_TAKEN `providerId`, PROFILE_REASSOCIATION_REQUIRED `currentConsumer`, " +
            "RECIPIENT_OPTED_OUT (refused by the carrier) `interactionId` and `messageId`, MESSAGE_NOT_RETRYABLE `messageStatus`, " +
            "OUTSIDE_SEND_WINDOW `nextAllowedAt`, `timeZone` and `timeZoneSource` (as in a send window report).",
          ...jsonSchema(ErrorResponse),
        },
        GatewayError: {
          description:
            "API Gateway's own answer, given without running the service: its JWT authorizer's 401, its throttling's 429, and its 413, 500 and 503.",
          type: "object",
          properties: { message: { type: "string", examples: ["Unauthorized", "Too Many Requests"] } },
          required: ["message"],
          additionalProperties: false,
        },
      },
    },
    paths,
  };
}

const errorRef = { $ref: "#/components/schemas/Error" };
const gatewayErrorRef = { $ref: "#/components/schemas/GatewayError" };

/** Statuses API Gateway answers itself, `{ message }`, and when (every operation can meet them). */
const gatewayAnswers: Readonly<Record<number, { message: string; when: string }>> = {
  401: {
    message: "Unauthorized",
    when: "the bearer token is missing, invalid or expired (API Gateway's JWT authorizer refuses it; the service never runs)",
  },
  413: { message: "Request Entity Too Large", when: "the body is over API Gateway's own 10 MB limit" },
  429: {
    message: "Too Many Requests",
    when: "API Gateway's stage throttling (rate or burst limit) refused the request; the service never ran. Retry after a pause",
  },
  500: {
    message: "Internal Server Error",
    when: "the function failed outright (crashed, hit Lambda's timeout, or answered something malformed)",
  },
  503: { message: "Service Unavailable", when: "the function gave no answer within API Gateway's integration timeout" },
};

function operation(route: RouteDefinition): Record<string, unknown> {
  const responses: Record<string, unknown> = {};
  for (const [status, response] of Object.entries(route.responses)) {
    responses[status] = { description: response.description, content: { "application/json": { schema: jsonSchema(response.schema) } } };
  }
  const errors = errorResponsesFor(route);
  const statuses = [...new Set([...errors.keys(), 401, 429, ...(route.body ? [413] : [])])].sort((a, b) => a - b);
  for (const status of statuses) responses[String(status)] = errorResponse(route, status, errors.get(status) ?? []);
  return {
    operationId: route.id,
    summary: route.summary,
    description: `Requires group ${route.groups.join(" or ")}.`,
    tags: [route.path.split("/")[3] ?? "api"],
    parameters: [...parameters(route.params, "path"), ...parameters(route.query, "query"), ...headerParameters(route)],
    ...(route.body ? { requestBody: { required: true, content: { "application/json": { schema: jsonSchema(route.body) } } } } : {}),
    responses,
  };
}

/**
 * One error status: the service's Error narrowed to the codes this route answers with it, and/or
 * API Gateway's `{ message }` where the gateway answers that status itself (401 before the service
 * runs, 429 throttled, ...). Both can arrive on 401: the gateway's for a bad token, the service's
 * UNAUTHORIZED for a token without a subject that reached it (a direct invoke).
 */
function errorResponse(route: RouteDefinition, status: number, codes: ErrorCode[]): Record<string, unknown> {
  const gateway = gatewayAnswers[status];
  const onlyTheseCodes = { type: "object", properties: { error: { type: "object", properties: { code: { enum: codes } } } } };
  const service = codes.length > 0 ? { allOf: [errorRef, onlyTheseCodes] } : undefined;
  // On 401 the gateway's answer is the usual one: listed first.
  const schema =
    service && gateway ? { oneOf: status === 401 ? [gatewayErrorRef, service] : [service, gatewayErrorRef] } : (service ?? gatewayErrorRef);
  const parts = [
    ...(codes.length > 0 ? [`Error: ${codes.map((code) => describeCode(route, code)).join(", ")}.`] : []),
    ...(gateway ? [`GatewayError \`{"message":"${gateway.message}"}\` when ${gateway.when}.`] : []),
  ];
  const example = status === 401 || !service ? { example: { message: gateway?.message } } : {};
  return { description: parts.join(" "), content: { "application/json": { schema, ...example } } };
}

function describeCode(route: RouteDefinition, code: ErrorCode): string {
  if (code === "UNAUTHORIZED") return "UNAUTHORIZED (a token without a subject reached the service, e.g. a direct invoke)";
  if (code !== "OUTCOME_UNKNOWN") return code;
  const retry = route.headers?.some((header) => header.name === "Idempotency-Key")
    ? "send it again with the same Idempotency-Key to get its answer without repeating it"
    : "read the state before repeating it";
  return `OUTCOME_UNKNOWN (the service ran out of time and the request may have taken effect: ${retry})`;
}

/** Common errors every route can answer, plus the route's own. */
function errorResponsesFor(route: RouteDefinition): Map<number, ErrorCode[]> {
  // OUTCOME_UNKNOWN: middy's early-timeout answer, on every route.
  const codes: ErrorCode[] = ["VALIDATION_FAILED", "UNAUTHORIZED", "FORBIDDEN", "INTERNAL_ERROR", "OUTCOME_UNKNOWN"];
  if (route.body) codes.push("MALFORMED_JSON", "PAYLOAD_TOO_LARGE", "UNSUPPORTED_MEDIA_TYPE");
  codes.push(...route.errors);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of new Set(codes)) {
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

function headerParameters(route: RouteDefinition) {
  return (route.headers ?? []).map((header) => ({
    name: header.name,
    in: "header",
    required: false,
    description: header.description,
    schema: jsonSchema(header.schema),
  }));
}

function jsonSchema(schema: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: "any" }) as Record<string, unknown>;
  return rest;
}
