import type { IncomingMessage, ServerResponse } from "node:http";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2 } from "aws-lambda";
import type { JWTPayload } from "jose";
import { errorBody, statusOf } from "../shared/adapters/http/error-status";
import type { RouteDefinition } from "../shared/adapters/http/routes";
import { ServiceError } from "../shared/core/errors";
import { functionTable } from "../shared/platform/function-table";
import {
  buildHttpApiEvent,
  findRoute,
  gatewayErrors,
  jsonResponse,
  newApiGatewayRequestId,
  toHttpResponse,
  type HttpResponse,
  type IncomingRequest,
  type RouteMatch,
} from "./api-gateway-emulator";
import { lambdaContextFor } from "./invocation";
import { loadHandler } from "./handler-loader";
import { checkBearerToken, type LocalKeyPair } from "./local-jwt";
import { localRoutes } from "./local-routes";
import type { LocalRoute, LocalServices } from "./local-route";

/**
 * The gateway half of the local server: what API Gateway does for each request (route matching,
 * the body limit, the JWT check, the HTTP API v2 event, the integration timeout, the answer), over
 * the pure pieces of `api-gateway-emulator.ts`. `local-server.ts` boots what it runs on.
 */

export type ServedRoute =
  | { kind: "api"; method: string; path: string; id: string; definition: RouteDefinition }
  | { kind: "local"; method: string; path: string; id: string; definition: LocalRoute };

/** Every HTTP function of the functions table, and the local-only routes; two answering one path fail the start. */
export function servedRoutes(): ServedRoute[] {
  const routes: ServedRoute[] = [
    ...localRoutes.map((definition): ServedRoute => ({
      kind: "local",
      method: definition.method,
      path: definition.path,
      id: definition.id,
      definition,
    })),
    ...functionTable.flatMap((fn): ServedRoute[] =>
      fn.trigger.kind === "http"
        ? [{ kind: "api", method: fn.trigger.route.method, path: fn.trigger.route.path, id: fn.id, definition: fn.trigger.route }]
        : [],
    ),
  ];
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.method} ${route.path.replace(/\{[^}]+\}/g, "{}")}`;
    if (seen.has(key)) throw new Error(`two routes answer ${route.method} ${route.path}`);
    seen.add(key);
  }
  return routes;
}

// ---------------------------------------------------------------- per request

export interface Pipeline {
  served: ServedRoute[];
  keys: LocalKeyPair;
  services: LocalServices;
  integrationTimeoutMs: number;
  maxBody: number;
  log: (line: string) => void;
  logError: (line: string) => void;
}

/** One HTTP request, as API Gateway would handle it: route, body limit, JWT, event, function, answer. */
export async function serve(pipeline: Pipeline, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const started = performance.now();
  const requestId = newApiGatewayRequestId();
  const method = (req.method ?? "GET").toUpperCase();
  const { rawPath, rawQueryString } = splitTarget(req.url ?? "/");
  let response: HttpResponse;
  try {
    response = await respond(pipeline, req, method, rawPath, rawQueryString, requestId);
  } catch (error) {
    pipeline.logError(`${method} ${rawPath} failed: ${describeError(error)}`);
    response = gatewayErrors.internal();
  }
  // An unread body (404, 413) is drained, not cut off: a client still sending would get EPIPE
  // instead of the answer.
  if (!req.complete) req.resume();
  res.writeHead(response.statusCode, {
    ...response.headers,
    "content-length": String(response.body.length),
    "apigw-requestid": requestId,
  });
  res.end(method === "HEAD" ? undefined : response.body);
  const note = response.logNote ? ` (${response.logNote})` : "";
  pipeline.log(`${method} ${rawPath} ${response.statusCode} ${Math.round(performance.now() - started)}ms${note}`);
}

async function respond(
  pipeline: Pipeline,
  req: IncomingMessage,
  method: string,
  rawPath: string,
  rawQueryString: string,
  requestId: string,
): Promise<HttpResponse> {
  const lookup = findRoute(pipeline.served, method, rawPath);
  if (lookup.kind !== "match") {
    const message =
      lookup.kind === "method-mismatch"
        ? `no route for ${method} ${rawPath}; this path accepts ${lookup.allowed.join(", ")}`
        : `no route for ${method} ${rawPath}`;
    return jsonResponse(404, errorBody(new ServiceError("ROUTE_NOT_FOUND", message)));
  }
  const { match } = lookup;

  const body = await readBody(req, pipeline.maxBody);
  if (body === "too-large") return gatewayErrors.tooLarge();

  const route = match.route;
  const needsJwt = route.kind === "api" || route.definition.auth === "jwt";
  let claims: JWTPayload | undefined;
  if (needsJwt) {
    const checked = await checkBearerToken(headerValue(req, "authorization"), pipeline.keys);
    if ("refused" in checked) return gatewayErrors.unauthorized(checked.refused);
    claims = checked.claims;
  }

  const request: IncomingRequest = {
    method,
    rawPath,
    rawQueryString,
    headers: req.headersDistinct,
    body,
    sourceIp: (req.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
    protocol: `HTTP/${req.httpVersion}`,
    port: req.socket.localPort,
  };
  const routeMatch: Pick<RouteMatch<ServedRoute>, "routeKey" | "pathParameters"> = match;

  const invocation = async (): Promise<unknown> => {
    if (route.kind === "local") {
      const local = route.definition;
      try {
        if (local.auth === "none")
          return await local.handle(buildHttpApiEvent(request, routeMatch, undefined, { requestId }), pipeline.services);
        return await local.handle(buildHttpApiEvent(request, routeMatch, claims!, { requestId }), pipeline.services);
      } catch (error) {
        // A local route refuses the way an API function does (a token without a subject is 401, not 500).
        if (error instanceof ServiceError) {
          return { statusCode: statusOf(error), headers: { "content-type": "application/json" }, body: JSON.stringify(errorBody(error)) };
        }
        throw error;
      }
    }
    const handler = await loadHandler<APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyResultV2>(route.id);
    const event = buildHttpApiEvent(request, routeMatch, claims!, { requestId });
    const context = lambdaContextFor(route.id);
    return handler(event, context);
  };

  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<"timeout">((done) => {
    timer = setTimeout(() => done("timeout"), pipeline.integrationTimeoutMs);
  });
  try {
    const result = await Promise.race([invocation(), timedOut]);
    if (result === "timeout") {
      pipeline.logError(`${route.id}: no answer within ${pipeline.integrationTimeoutMs} ms`);
      return gatewayErrors.unavailable();
    }
    return toHttpResponse(result);
  } catch (error) {
    pipeline.logError(`${route.id} threw: ${describeError(error)}`);
    return gatewayErrors.internal();
  } finally {
    clearTimeout(timer);
  }
}

function splitTarget(target: string): { rawPath: string; rawQueryString: string } {
  let pathAndQuery = target;
  if (!target.startsWith("/")) {
    try {
      const url = new URL(target);
      pathAndQuery = `${url.pathname}${url.search}`;
    } catch {
      pathAndQuery = "/";
    }
  }
  const question = pathAndQuery.indexOf("?");
  return question < 0
    ? { rawPath: pathAndQuery, rawQueryString: "" }
    : { rawPath: pathAndQuery.slice(0, question), rawQueryString: pathAndQuery.slice(question + 1) };
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | "too-large"> {
  const declared = Number(req.headers["content-length"]);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve("too-large");
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        done("too-large");
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      done(Buffer.concat(chunks));
    };
    const onError = (error: Error) => {
      cleanup();
      fail(error);
    };
    const cleanup = () => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function describeError(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}
