import middy, { type MiddlewareObj } from "@middy/core";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from "aws-lambda";
import type * as z from "zod/mini";
import { logger } from "../../platform/logger";
import { redactPersonalData } from "../../core/rules/mask-phone-number";
import type { Group } from "./wire-schemas";
import { ApiError, errorBody } from "../../core/errors";
import { validatePart } from "./request-validation";
import type { RouteDefinition } from "./routes";
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
}

/** A use case's answer when its status depends on the outcome (one of the route's declared statuses). */
export class HttpReply {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {}
}

export type ApiHandler = (event: APIGatewayProxyEventV2WithJWTAuthorizer, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * Wires one route: Powertools logging with the request id, the caller's group check, body size,
 * content type, JSON and schema validation, then the use case; every failure becomes
 * `{ error: { code, message } }` with the status from the error list. The answer's status is the
 * route's declared success status.
 */
export function httpHandler<R extends RouteDefinition>(route: R, run: (request: ApiRequest<R>) => Promise<unknown>): ApiHandler {
  const successStatus = Number(Object.keys(route.responses)[0]);
  const handler = middy<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2>({
    // Answer before Lambda's own timeout cuts the request off silently: the work may have taken
    // effect, so the client is told to retry with the same Idempotency-Key rather than "failed".
    timeoutEarlyInMillis: 500,
    timeoutEarlyResponse: () => {
      throw new ApiError(
        "OUTCOME_UNKNOWN",
        "the request ran out of time and may have taken effect; retry it with the same Idempotency-Key to get its answer without repeating it",
      );
    },
  })
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(accessLog(route))
    .use(errorResponses())
    .handler(async (event) => {
      const caller = readCaller(event);
      requireGroup(caller, route.groups);
      const request = readRequest(route, event, caller);
      const result = await run(request);
      return result instanceof HttpReply
        ? json(result.status, result.body, event.requestContext.requestId)
        : json(successStatus, result, event.requestContext.requestId);
    });
  return handler as unknown as ApiHandler;
}

function requireGroup(caller: Caller, groups: readonly Group[]): void {
  if (!isInGroup(caller, groups)) {
    const has = caller.groups.length > 0 ? caller.groups.join(", ") : "no group";
    throw new ApiError("FORBIDDEN", `this route needs group ${groups.join(" or ")}; the token has ${has}`);
  }
}

function readRequest<R extends RouteDefinition>(route: R, event: APIGatewayProxyEventV2WithJWTAuthorizer, caller: Caller): ApiRequest<R> {
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
    throw new ApiError("PAYLOAD_TOO_LARGE", `request body is ${size} bytes; the limit is ${maxBodyBytes} bytes`);
  }
  const contentType = (event.headers?.["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (!/^application\/([\w.+-]+\+)?json$/.test(contentType)) {
    throw new ApiError(
      "UNSUPPORTED_MEDIA_TYPE",
      `send the body as JSON with header 'Content-Type: application/json'${contentType ? ` (got '${contentType}')` : ""}`,
    );
  }
  if (text.trim() === "") throw new ApiError("MALFORMED_JSON", "the request body is empty; send a JSON object");
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ApiError("MALFORMED_JSON", `the request body is not valid JSON: ${(error as Error).message}`);
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

/** Expected errors answer with their code; anything else is logged in full and answered without internals. */
function errorResponses(): Middleware {
  return {
    onError: async (request) => {
      const requestId = request.event.requestContext?.requestId ?? request.context.awsRequestId;
      const error = request.error;
      if (error instanceof ApiError) {
        request.response = json(error.status, errorBody(error), requestId);
        return;
      }
      // In full for operators, but an SDK or extension error can quote a number: masked like the rest.
      logger.error("unexpected failure", { error: redactPersonalData(error) });
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
