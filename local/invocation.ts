import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from "aws-lambda";
import { functionById } from "../shared/platform/function-table";
import { buildHttpApiEvent, createLambdaContext, type RouteLike } from "./api-gateway-emulator";

/**
 * What a function is invoked with, built one way for everything that invokes handlers outside AWS:
 * the local server, the tests and the bench. The context carries the memory and timeout of the
 * function's functions-table entry (what the stack deploys), and an HTTP request becomes the event
 * the local API Gateway builds (api-gateway-emulator.ts), so a handler sees the same shapes in a
 * test as behind `npm start`.
 */

/** The Lambda context of one invocation of a functions-table entry. */
export function lambdaContextFor(functionId: string, options: { timeoutMs?: number; awsRequestId?: string } = {}): Context {
  const { limits } = functionById(functionId);
  return createLambdaContext({
    functionName: functionId,
    // A caller may give less (or, for many requests in one process, more) than the deployed timeout.
    timeoutMs: options.timeoutMs ?? limits.timeoutSeconds * 1000,
    memoryLimitInMB: limits.memoryMb,
    ...(options.awsRequestId ? { awsRequestId: options.awsRequestId } : {}),
  });
}

/** An HTTP request to one route, as a client would send it. */
export interface RouteRequest {
  /** Values of the path template's parameters (encoded into the path). */
  params?: Record<string, string>;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** The body's exact text (a JSON body gets `content-type: application/json` unless a header says otherwise). */
  body?: string;
  /** The token's subject and groups; null for a token without them (the claims API Gateway would pass are then empty). */
  caller: { sub: string; groups: readonly string[] } | null;
}

/** The payload-format-2.0 event API Gateway's JWT-authorized route hands the function for this request. */
export function routeEvent(route: RouteLike, request: RouteRequest): APIGatewayProxyEventV2WithJWTAuthorizer {
  const rawPath = route.path.replace(/\{(\w+)\+?\}/g, (_, name: string) => encodeURIComponent(request.params?.[name] ?? ""));
  const headers = { ...(request.body !== undefined ? { "content-type": "application/json" } : {}), ...request.headers };
  const claims = request.caller ? { sub: request.caller.sub, "cognito:groups": [...request.caller.groups] } : {};
  return buildHttpApiEvent(
    {
      method: route.method,
      rawPath,
      rawQueryString: new URLSearchParams(request.query ?? {}).toString(),
      headers,
      ...(request.body !== undefined ? { body: Buffer.from(request.body) } : {}),
      sourceIp: "127.0.0.1",
      protocol: "HTTP/1.1",
    },
    { routeKey: `${route.method} ${route.path}`, ...(request.params ? { pathParameters: request.params } : {}) },
    claims,
  );
}
