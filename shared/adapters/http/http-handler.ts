import middy, { type MiddlewareObj } from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import type * as z from "zod/mini";
import { logger } from "../../platform/logger";
import { redactPersonalData } from "../../core/rules/mask-phone-number";
import type { Group } from "./wire-schemas";
import { ServiceError } from "../../core/errors";
import { errorBody, statusOf } from "./error-status";
import { validatePart } from "./request-validation";
import type { RouteDefinition } from "./route-definition";
import { isInGroup, readCaller, type Caller } from "./caller";

/** Largest request body a route accepts. A 1,600-character SMS in UCS-2 JSON fits many times over. */
export const maxBodyBytes = 16 * 1024;

type Infer<T> = T extends z.ZodMiniType ? z.infer<T> : undefined;

export interface ApiRequest<R extends RouteDefinition> {
  body: Infer<R["body"]>;
  query: Infer<R["query"]>;
  params: Infer<R["params"]>;
  caller: Caller;
  /** Lower-cased request headers. */
  headers: Readonly<Record<string, string | undefined>>;
  requestId: string;
  /** Milliseconds left before the invocation ends (a long-poll answers before it). */
  remainingMs(): number;
}

/** The answer a route's use case must give: what its declared success responses' schemas describe. */
export type SuccessBody<R extends RouteDefinition> = {
  [S in keyof R["responses"]]: R["responses"][S] extends { schema: infer T } ? (T extends z.ZodMiniType ? z.infer<T> : never) : never;
}[keyof R["responses"]];

export type ApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Wires one route: Powertools logging with the request id, the caller's group check, body size,
 * content type, JSON and schema validation, then the use case; every failure becomes
 * `{ error: { code, message } }` with the status from the error list. The answer's status is the
 * route's declared success status (for a route with several, chosen from the answer by the route).
 */
export function httpHandler<R extends RouteDefinition>(route: R, run: (request: ApiRequest<R>) => Promise<SuccessBody<R>>): ApiHandler {
  const statusFor = (answer: SuccessBody<R>): number =>
    typeof route.status === "number" ? route.status : (route.status as (answer: SuccessBody<R>) => number)(answer);
  const handler = middy<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2>({
    // Answer before Lambda's own timeout cuts the request off silently: the work may have taken
    // effect, so the client is told to retry with the same Idempotency-Key rather than "failed".
    timeoutEarlyInMillis: 500,
    timeoutEarlyResponse: () => {
      throw new ServiceError(
        "OUTCOME_UNKNOWN",
        "the request ran out of time and may have taken effect; retry it with the same Idempotency-Key to get its answer without repeating it",
      );
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(accessLog(route))
    .use(errorResponses(route))
    .handler(async (event, context) => {
      const caller = readCaller(event);
      requireGroup(caller, route.groups);
      const request = { ...readRequest(route, event, caller), remainingMs: () => context.getRemainingTimeInMillis?.() ?? 10_000 };
      const answer = await run(request);
      return json(statusFor(answer), answer, event.requestContext.requestId);
    });
  return handler as unknown as ApiHandler;
}

function requireGroup(caller: Caller, groups: readonly Group[]): void {
  if (!isInGroup(caller, groups)) {
    const has = caller.groups.length > 0 ? caller.groups.join(", ") : "no group";
    throw new ServiceError("FORBIDDEN", `this route needs group ${groups.join(" or ")}; the token has ${has}`);
  }
}

function readRequest<R extends RouteDefinition>(
  route: R,
  event: APIGatewayProxyEventV2WithJWTAuthorizer,
  caller: Caller,
): Omit<ApiRequest<R>, "remainingMs"> {
  const headers = event.headers ?? {};
  const body = route.body ? validatePart(route.body, readJsonBody(event), "body") : undefined;
  const query = validatePart(route.query ?? noFields, event.queryStringParameters ?? {}, "query");
  const params = route.params ? validatePart(route.params, event.pathParameters ?? {}, "path") : undefined;
  return {
    body: body as Infer<R["body"]>,
    query: (route.query ? query : undefined) as Infer<R["query"]>,
    params: params as Infer<R["params"]>,
    caller,
    headers,
    requestId: event.requestContext.requestId,
  };
}

const noFields = {
  safeParse(value: unknown) {
    const keys = Object.keys((value as object) ?? {});
    return keys.length === 0
      ? { success: true as const, data: {} }
      : { success: false as const, error: { issues: [{ code: "unrecognized_keys", keys, path: [], message: "" }] } };
  },
} as unknown as z.ZodMiniType;

function readJsonBody(event: APIGatewayProxyEventV2WithJWTAuthorizer): unknown {
  const raw = event.body ?? "";
  const text = event.isBase64Encoded ? Buffer.from(raw, "base64").toString("utf8") : raw;
  const size = Buffer.byteLength(text, "utf8");
  if (size > maxBodyBytes) {
    throw new ServiceError("PAYLOAD_TOO_LARGE", `request body is ${size} bytes; the limit is ${maxBodyBytes} bytes`);
  }
  const contentType = (event.headers?.["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (!/^application\/([\w.+-]+\+)?json$/.test(contentType)) {
    throw new ServiceError(
      "UNSUPPORTED_MEDIA_TYPE",
      `send the body as JSON with header 'Content-Type: application/json'${contentType ? ` (got '${contentType}')` : ""}`,
    );
  }
  if (text.trim() === "") throw new ServiceError("MALFORMED_JSON", "the request body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ServiceError("MALFORMED_JSON", `the request body is not valid JSON: ${(error as Error).message}`);
  }
}

function json(statusCode: number, body: unknown, requestId: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { "content-type": "application/json; charset=utf-8", "x-request-id": requestId },
    body: JSON.stringify(body),
  };
}

type Middleware = MiddlewareObj<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2>;

/** Network failures on the way to a dependency (DynamoDB, a transport), as Node and the AWS SDK name them. */
const unreachableCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ECONNABORTED",
]);

function isUnreachableDependency(error: unknown): boolean {
  const { code, name } = (error ?? {}) as { code?: unknown; name?: unknown };
  return (typeof code === "string" && unreachableCodes.has(code)) || name === "TimeoutError" || name === "RequestTimeout";
}

const outcomeUnknown = new ServiceError(
  "OUTCOME_UNKNOWN",
  "the service lost its connection to its database while handling this request, which may have taken effect; retry it with the same Idempotency-Key to get its answer without repeating it",
);

/**
 * Expected errors answer with their code; anything else is logged in full and answered without
 * internals. A route that writes and lost its database mid-request cannot say whether the write
 * committed: that is 503 OUTCOME_UNKNOWN (retry with the same Idempotency-Key), not a 500.
 */
function errorResponses(route: RouteDefinition): Middleware {
  return {
    onError: async (request) => {
      const requestId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
      const error = request.error;
      if (error instanceof ServiceError) {
        request.response = json(statusOf(error), errorBody(error), requestId);
        return;
      }
      // In full for operators, but an SDK or extension error can quote a number: masked like the rest.
      logger.error("unexpected failure", { error: redactPersonalData(error) });
      if (route.tableAccess === "readWrite" && isUnreachableDependency(error)) {
        request.response = json(statusOf(outcomeUnknown), errorBody(outcomeUnknown), requestId);
        return;
      }
      request.response = json(
        500,
        { error: { code: "INTERNAL_ERROR", message: `something went wrong on our side; quote request id ${requestId} when reporting it` } },
        requestId,
      );
    },
  };
}

/** One log line per request: route, status, duration, caller, and the input with personal data masked. */
function accessLog(route: RouteDefinition): Middleware {
  const started = new WeakMap<object, number>();
  const write = (request: Parameters<NonNullable<Middleware["after"]>>[0]) => {
    const start = started.get(request.event) ?? Date.now();
    const status = request.response?.statusCode ?? 500;
    logger[status >= 500 ? "error" : "info"]("request", {
      route: route.id,
      status,
      durationMs: Date.now() - start,
      caller: request.event.requestContext?.authorizer?.jwt?.claims?.sub,
      query: redactPersonalData(request.event.queryStringParameters),
      path: redactPersonalData(request.event.pathParameters),
    });
  };
  return {
    before: async (request) => {
      started.set(request.event, Date.now());
      // API Gateway's request id ties our lines to its access log (no JMESPath dependency needed).
      logger.setCorrelationId(request.event.requestContext?.requestId);
    },
    after: async (request) => write(request),
    onError: async (request) => {
      // Runs after errorResponses has set the response (middy runs onError in reverse order).
      if (request.response) write(request);
    },
  };
}
