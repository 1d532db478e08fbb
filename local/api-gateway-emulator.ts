import { randomBytes, randomUUID } from "node:crypto";
import type { APIGatewayEventRequestContextV2, APIGatewayProxyEventV2, APIGatewayProxyEventV2WithJWTAuthorizer, Context } from "aws-lambda";

/**
 * What API Gateway (HTTP API, Lambda proxy integration, payload format 2.0, JWT authorizer) does
 * between the client and a function, as pure functions: route matching, the event, the Lambda
 * context, and turning the function's result back into an HTTP response. The local server is the
 * I/O around these.
 */

// ---------------------------------------------------------------- routes

export interface RouteLike {
  readonly method: string;
  /** Path template, parameters in braces: `/api/now/consumers/{id}`; `{name+}` is greedy. */
  readonly path: string;
}

export interface RouteMatch<R extends RouteLike> {
  route: R;
  /** `"POST /api/now/consumers"`, the template, as API Gateway's routeKey. */
  routeKey: string;
  /** Decoded path parameters; undefined when the template has none (API Gateway omits the field). */
  pathParameters?: Record<string, string>;
}

export type RouteLookup<R extends RouteLike> =
  | { kind: "match"; match: RouteMatch<R> }
  /** The path exists with other methods. */
  | { kind: "method-mismatch"; allowed: string[] }
  | { kind: "none" };

/**
 * Finds the route for a method and a raw (still percent-encoded) path. Like API Gateway, the most
 * specific template wins: more literal segments first, then non-greedy parameters before greedy.
 */
export function findRoute<R extends RouteLike>(routes: readonly R[], method: string, rawPath: string): RouteLookup<R> {
  const candidates: { route: R; params: Record<string, string>; score: number[] }[] = [];
  for (const route of routes) {
    const matched = matchTemplate(route.path, rawPath);
    if (matched) candidates.push({ route, ...matched });
  }
  if (candidates.length === 0) return { kind: "none" };
  const upper = method.toUpperCase();
  const forMethod = candidates.filter((c) => c.route.method.toUpperCase() === upper);
  if (forMethod.length === 0) {
    return { kind: "method-mismatch", allowed: [...new Set(candidates.map((c) => c.route.method.toUpperCase()))].sort() };
  }
  forMethod.sort((a, b) => compareScores(b.score, a.score));
  const best = forMethod[0]!;
  const hasParams = Object.keys(best.params).length > 0;
  return {
    kind: "match",
    match: {
      route: best.route,
      routeKey: `${best.route.method.toUpperCase()} ${best.route.path}`,
      ...(hasParams ? { pathParameters: best.params } : {}),
    },
  };
}

function compareScores(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function matchTemplate(template: string, rawPath: string): { params: Record<string, string>; score: number[] } | undefined {
  const templateSegments = template.split("/").slice(1);
  const pathSegments = rawPath.split("/").slice(1);
  const params: Record<string, string> = {};
  let literals = 0;
  let plainParams = 0;
  for (let i = 0; i < templateSegments.length; i++) {
    const part = templateSegments[i]!;
    const parameter = /^\{([^{}+]+)(\+)?\}$/.exec(part);
    if (parameter?.[2]) {
      // Greedy: the rest of the path, at least one character.
      const rest = pathSegments.slice(i).join("/");
      if (i !== templateSegments.length - 1 || rest === "") return undefined;
      const value = decodeSegment(rest);
      if (value === undefined) return undefined;
      params[parameter[1]!] = value;
      return { params, score: [literals, plainParams] };
    }
    const segment = pathSegments[i];
    if (segment === undefined) return undefined;
    if (parameter) {
      if (segment === "") return undefined;
      const value = decodeSegment(segment);
      if (value === undefined) return undefined;
      params[parameter[1]!] = value;
      plainParams++;
    } else {
      if (segment !== part && decodeSegment(segment) !== part) return undefined;
      literals++;
    }
  }
  if (pathSegments.length !== templateSegments.length) return undefined;
  return { params, score: [literals, plainParams] };
}

function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- claims

/**
 * A claim value as API Gateway's JWT authorizer hands it to the function: always a string. Its
 * authorizer formats values the way Go's `fmt` prints decoded JSON (`%v`), which is what users
 * observe on AWS:
 * - strings unchanged; numbers as their JSON text (`1700000000` → `"1700000000"`);
 *   booleans `"true"` / `"false"`;
 * - lists as `[a b]`: elements formatted the same way, space-separated, in brackets
 *   (`["agents","admins"]` → `"[agents admins]"`, `[]` → `"[]"`);
 * - objects as `map[k1:v1 k2:v2]`, keys sorted (Go's map printing), values formatted recursively;
 * - null as `<nil>` (assumption: Go's `%v` of a nil interface).
 */
export function stringifyClaim(value: unknown): string {
  if (typeof value === "string") return value;
  if (typeof value === "number" || typeof value === "bigint") return String(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  if (value === null || value === undefined) return "<nil>";
  if (Array.isArray(value)) return `[${value.map(stringifyClaim).join(" ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([key, inner]) => `${key}:${stringifyClaim(inner)}`).join(" ")}]`;
  }
  return String(value);
}

export function stringifyClaims(claims: Record<string, unknown>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(claims)) {
    if (value !== undefined) result[name] = stringifyClaim(value);
  }
  return result;
}

// ---------------------------------------------------------------- the event

export interface IncomingRequest {
  method: string;
  /** Path as received, still percent-encoded, without the query. */
  rawPath: string;
  /** Everything after `?`, as received ("" when none). */
  rawQueryString: string;
  /** Header values by name, each occurrence separately (Node's `req.headersDistinct`). */
  headers: Record<string, string[] | string | undefined>;
  body?: Buffer;
  sourceIp: string;
  /** `HTTP/1.1` */
  protocol: string;
  /** The server's own port, for `x-forwarded-port`. */
  port?: number;
}

export interface EventOptions {
  requestId?: string;
  now?: Date;
}

/** API Gateway's request id looks like `JKJaXmPLvHcESHA=`. */
export function newApiGatewayRequestId(): string {
  return `${randomBytes(10).toString("base64").replace(/=+$/, "").slice(0, 14)}=`;
}

/** Builds the payload-format-2.0 event API Gateway sends on a route with a JWT authorizer. */
export function buildHttpApiEvent(
  request: IncomingRequest,
  match: Pick<RouteMatch<RouteLike>, "routeKey" | "pathParameters">,
  claims: Record<string, unknown>,
  options?: EventOptions,
): APIGatewayProxyEventV2WithJWTAuthorizer;
/** Without claims: a route with no authorizer (local-only routes such as /health). */
export function buildHttpApiEvent(
  request: IncomingRequest,
  match: Pick<RouteMatch<RouteLike>, "routeKey" | "pathParameters">,
  claims?: undefined,
  options?: EventOptions,
): APIGatewayProxyEventV2;
export function buildHttpApiEvent(
  request: IncomingRequest,
  match: Pick<RouteMatch<RouteLike>, "routeKey" | "pathParameters">,
  claims?: Record<string, unknown>,
  options: EventOptions = {},
): APIGatewayProxyEventV2 | APIGatewayProxyEventV2WithJWTAuthorizer {
  const now = options.now ?? new Date();
  const { headers, cookies } = eventHeaders(request);
  const host = headers.host ?? "localhost";
  const queryStringParameters = parseQuery(request.rawQueryString);
  const requestContext: APIGatewayEventRequestContextV2 = {
    accountId: "local",
    apiId: "local",
    domainName: host,
    domainPrefix: host.split(":")[0]!.split(".")[0]!,
    http: {
      method: request.method.toUpperCase(),
      path: request.rawPath,
      protocol: request.protocol,
      sourceIp: request.sourceIp,
      userAgent: headers["user-agent"] ?? "",
    },
    requestId: options.requestId ?? newApiGatewayRequestId(),
    routeKey: match.routeKey,
    stage: "$default",
    time: apiGatewayTime(now),
    timeEpoch: now.getTime(),
  };
  const body = eventBody(request.body, headers["content-type"]);
  const event: APIGatewayProxyEventV2 = {
    version: "2.0",
    routeKey: match.routeKey,
    rawPath: request.rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    requestContext,
    ...(match.pathParameters ? { pathParameters: match.pathParameters } : {}),
    ...(body ? { body: body.body } : {}),
    isBase64Encoded: body?.isBase64Encoded ?? false,
  };
  if (!claims) return event;
  // Routes without authorization scopes get `scopes: null`, as on AWS (ours configure none).
  const authorizer = { jwt: { claims: stringifyClaims(claims), scopes: null } };
  return { ...event, requestContext: { ...requestContext, authorizer } };
}

/**
 * Header names lower-cased, repeated headers joined with ",". The Cookie header moves to `cookies`
 * (one entry per cookie), as API Gateway does; the x-forwarded-* headers it adds are added.
 */
function eventHeaders(request: IncomingRequest): { headers: Record<string, string>; cookies: string[] } {
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [rawName, rawValue] of Object.entries(request.headers)) {
    if (rawValue === undefined) continue;
    const name = rawName.toLowerCase();
    const values = Array.isArray(rawValue) ? rawValue : [rawValue];
    if (name === "cookie") {
      for (const value of values)
        cookies.push(
          ...value
            .split(";")
            .map((c) => c.trim())
            .filter((c) => c !== ""),
        );
      continue;
    }
    headers[name] = headers[name] === undefined ? values.join(",") : `${headers[name]},${values.join(",")}`;
  }
  headers["x-forwarded-for"] = headers["x-forwarded-for"] ? `${headers["x-forwarded-for"]}, ${request.sourceIp}` : request.sourceIp;
  if (request.port !== undefined) headers["x-forwarded-port"] = String(request.port);
  headers["x-forwarded-proto"] = "http";
  return { headers, cookies };
}

/** Query parameters decoded, repeated names joined with ","; undefined when there are none. */
export function parseQuery(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === "") return undefined;
  const result: Record<string, string> = {};
  for (const part of rawQueryString.split("&")) {
    if (part === "") continue;
    const equals = part.indexOf("=");
    const name = decodeQueryComponent(equals < 0 ? part : part.slice(0, equals));
    const value = decodeQueryComponent(equals < 0 ? "" : part.slice(equals + 1));
    result[name] = result[name] === undefined ? value : `${result[name]},${value}`;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

function decodeQueryComponent(text: string): string {
  const spaced = text.replace(/\+/g, " ");
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

/**
 * The body as a string when it is text (no content type, or a textual one, and valid UTF-8);
 * otherwise base64 with `isBase64Encoded: true`. Undefined when the request has no body.
 */
export function eventBody(
  body: Buffer | undefined,
  contentType: string | undefined,
): { body: string; isBase64Encoded: boolean } | undefined {
  if (!body || body.length === 0) return undefined;
  if (isTextualContentType(contentType)) {
    try {
      return { body: utf8.decode(body), isBase64Encoded: false };
    } catch {
      // not UTF-8: binary after all
    }
  }
  return { body: body.toString("base64"), isBase64Encoded: true };
}

export function isTextualContentType(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const type = contentType.split(";")[0]!.trim().toLowerCase();
  return (
    type === "" ||
    type.startsWith("text/") ||
    /^application\/([\w.+-]+\+)?(json|xml)$/.test(type) ||
    type === "application/javascript" ||
    type === "application/x-www-form-urlencoded" ||
    type === "application/graphql" ||
    type === "application/yaml" ||
    type === "application/x-yaml"
  );
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `12/Mar/2020:19:03:58 +0000`, API Gateway's requestContext.time. */
export function apiGatewayTime(date: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${two(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${two(date.getUTCHours())}:${two(date.getUTCMinutes())}:${two(date.getUTCSeconds())} +0000`
  );
}

// ---------------------------------------------------------------- the Lambda context

/** Built from the functions table by `lambdaContextFor` (invocation.ts); this is the shape only. */
export interface LambdaContextOptions {
  functionName: string;
  timeoutMs: number;
  memoryLimitInMB: number;
  awsRequestId?: string;
  now?: number;
}

export function createLambdaContext(options: LambdaContextOptions): Context {
  const deadline = (options.now ?? Date.now()) + options.timeoutMs;
  const awsRequestId = options.awsRequestId ?? randomUUID();
  const day = new Date().toISOString().slice(0, 10).replace(/-/g, "/");
  const unsupported = () => {
    throw new Error("callback-style context methods are not supported: return a promise");
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryLimitInMB),
    awsRequestId,
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${day}/[$LATEST]${awsRequestId.replace(/-/g, "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}

// ---------------------------------------------------------------- the response

export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string | string[]>;
  body: Buffer;
  /** What the server's log line for the request adds (why a token was refused); never sent. */
  logNote?: string;
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: Buffer.from(JSON.stringify(body)),
  };
}

/** API Gateway's own error bodies: `{"message":"Unauthorized"}` and friends. */
export const gatewayErrors = {
  /** The body says nothing, as API Gateway's; the reason, when given, goes to the log only. */
  unauthorized: (reason?: string): HttpResponse => ({
    ...jsonResponse(401, { message: "Unauthorized" }, { "www-authenticate": "Bearer" }),
    ...(reason ? { logNote: `token refused: ${reason}` } : {}),
  }),
  tooLarge: () => jsonResponse(413, { message: "Request Entity Too Large" }),
  internal: () => jsonResponse(500, { message: "Internal Server Error" }),
  unavailable: () => jsonResponse(503, { message: "Service Unavailable" }),
} as const;

/**
 * Turns what a function returned into the HTTP response, following payload format 2.0: a result
 * with `statusCode` is used as given (`cookies` become Set-Cookie, a base64 body is decoded); any
 * other JSON value is sent as a 200 `application/json` body. A malformed result is a 500, as on AWS.
 */
export function toHttpResponse(result: unknown): HttpResponse {
  if (result !== null && typeof result === "object" && !Array.isArray(result) && "statusCode" in result) {
    const structured = result as {
      statusCode: unknown;
      headers?: Record<string, unknown>;
      cookies?: unknown;
      body?: unknown;
      isBase64Encoded?: unknown;
    };
    const status = structured.statusCode;
    if (typeof status !== "number" || !Number.isInteger(status) || status < 100 || status > 599) return gatewayErrors.internal();
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of Object.entries(structured.headers ?? {})) {
      if (value === undefined || value === null) continue;
      headers[name.toLowerCase()] = String(value);
    }
    if (Array.isArray(structured.cookies) && structured.cookies.length > 0) headers["set-cookie"] = structured.cookies.map(String);
    let body = Buffer.alloc(0);
    if (structured.body !== undefined && structured.body !== null) {
      if (typeof structured.body !== "string") return gatewayErrors.internal();
      body = structured.isBase64Encoded === true ? Buffer.from(structured.body, "base64") : Buffer.from(structured.body, "utf8");
    }
    return { statusCode: status, headers, body };
  }
  if (result === undefined) return { statusCode: 200, headers: {}, body: Buffer.alloc(0) };
  return {
    statusCode: 200,
    headers: { "content-type": "application/json" },
    body: Buffer.from(typeof result === "string" ? result : JSON.stringify(result)),
  };
}
