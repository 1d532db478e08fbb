import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPair, SignJWT, type JWTPayload } from "jose";
import {
  apiGatewayTime,
  buildHttpApiEvent,
  eventBody,
  findRoute,
  parseQuery,
  stringifyClaim,
  stringifyClaims,
  toHttpResponse,
  type IncomingRequest,
} from "../../local/api-gateway-emulator";
import {
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadOrCreateKeyPair,
  signDevToken,
  verifyBearerToken,
  checkBearerToken,
  type LocalKeyPair,
} from "../../local/local-jwt";
import { parseDevTokenArgs } from "../../local/dev-token-args";
import { lambdaContextFor, routeEvent } from "../../local/invocation";
import { routeList } from "../../shared/adapters/http/routes";

describe("claims as API Gateway stringifies them", () => {
  it("turns a list into [a b]", () => {
    expect(stringifyClaim(["agents", "admins"])).toBe("[agents admins]");
    expect(stringifyClaim(["agents"])).toBe("[agents]");
    expect(stringifyClaim([])).toBe("[]");
  });

  it("turns numbers and booleans into their text, keeps strings", () => {
    expect(stringifyClaim(1700000000)).toBe("1700000000");
    expect(stringifyClaim(1.5)).toBe("1.5");
    expect(stringifyClaim(true)).toBe("true");
    expect(stringifyClaim(false)).toBe("false");
    expect(stringifyClaim("ann")).toBe("ann");
  });

  it("prints objects the way Go prints a map, keys sorted", () => {
    expect(stringifyClaim({ b: 1, a: ["x", "y"] })).toBe("map[a:[x y] b:1]");
    expect(stringifyClaim(null)).toBe("<nil>");
  });

  it("stringifies every claim of a token", () => {
    expect(stringifyClaims({ sub: "ann", "cognito:groups": ["agents", "admins"], exp: 1700000000, email_verified: true })).toEqual({
      sub: "ann",
      "cognito:groups": "[agents admins]",
      exp: "1700000000",
      email_verified: "true",
    });
  });
});

describe("route matching", () => {
  const routes = [
    { method: "GET", path: "/api/now/consumers" },
    { method: "POST", path: "/api/now/consumers" },
    { method: "GET", path: "/api/now/consumers/{id}" },
    { method: "GET", path: "/api/now/consumers/search" },
    { method: "GET", path: "/files/{path+}" },
  ];

  it("decodes path parameters and names the routeKey after the template", () => {
    const lookup = findRoute(routes, "GET", "/api/now/consumers/abc%20d%2Fe");
    expect(lookup).toMatchObject({
      kind: "match",
      match: { routeKey: "GET /api/now/consumers/{id}", pathParameters: { id: "abc d/e" } },
    });
  });

  it("prefers a literal segment over a parameter, and omits pathParameters when there are none", () => {
    const lookup = findRoute(routes, "GET", "/api/now/consumers/search");
    expect(lookup.kind).toBe("match");
    if (lookup.kind !== "match") return;
    expect(lookup.match.routeKey).toBe("GET /api/now/consumers/search");
    expect(lookup.match.pathParameters).toBeUndefined();
  });

  it("matches a greedy parameter across segments", () => {
    expect(findRoute(routes, "GET", "/files/a/b/c.txt")).toMatchObject({ kind: "match", match: { pathParameters: { path: "a/b/c.txt" } } });
    expect(findRoute(routes, "GET", "/files/").kind).toBe("none");
  });

  it("tells an unknown path from a known path with another method", () => {
    expect(findRoute(routes, "GET", "/api/now/nothing")).toEqual({ kind: "none" });
    expect(findRoute(routes, "DELETE", "/api/now/consumers")).toEqual({ kind: "method-mismatch", allowed: ["GET", "POST"] });
    expect(findRoute(routes, "GET", "/api/now/consumers/").kind).toBe("none");
    expect(findRoute(routes, "GET", "/api/now/consumers/a/b").kind).toBe("none");
  });

  it("finds every route of the real table by its own path", () => {
    for (const route of routeList) {
      const path = route.path.replace(/\{[^}]+\}/g, "x1");
      const lookup = findRoute(routeList, route.method, path);
      expect(lookup.kind === "match" && lookup.match.route.id).toBe(route.id);
    }
  });
});

describe("the HTTP API v2 event", () => {
  const request: IncomingRequest = {
    method: "post",
    rawPath: "/api/now/consumers/c%2D1",
    rawQueryString: "phoneNumber=%2B14155550171&tag=a&tag=b&empty&plus=a+b",
    headers: {
      host: ["127.0.0.1:3000"],
      "Content-Type": ["application/json"],
      "x-multi": ["one", "two"],
      cookie: ["a=1; b=2"],
      "user-agent": ["vitest"],
      authorization: ["Bearer abc"],
    },
    body: Buffer.from('{"phoneNumber":"+14155550171"}'),
    sourceIp: "127.0.0.1",
    protocol: "HTTP/1.1",
    port: 3000,
  };
  const now = new Date(Date.UTC(2020, 2, 12, 19, 3, 58));
  const claims: JWTPayload = { sub: "ann", "cognito:groups": ["agents", "admins"], exp: 1700000000, iss: LOCAL_ISSUER };
  const event = buildHttpApiEvent(request, { routeKey: "POST /api/now/consumers/{id}", pathParameters: { id: "c-1" } }, claims, {
    requestId: "JKJaXmPLvHcESHA=",
    now,
  });

  it("has the top-level fields of payload format 2.0", () => {
    expect(event).toMatchObject({
      version: "2.0",
      routeKey: "POST /api/now/consumers/{id}",
      rawPath: "/api/now/consumers/c%2D1",
      rawQueryString: request.rawQueryString,
      pathParameters: { id: "c-1" },
      body: '{"phoneNumber":"+14155550171"}',
      isBase64Encoded: false,
      cookies: ["a=1", "b=2"],
    });
  });

  it("lower-cases headers, joins repeats with a comma, moves cookies out, adds x-forwarded-*", () => {
    expect(event.headers).toEqual({
      host: "127.0.0.1:3000",
      "content-type": "application/json",
      "x-multi": "one,two",
      "user-agent": "vitest",
      authorization: "Bearer abc",
      "x-forwarded-for": "127.0.0.1",
      "x-forwarded-port": "3000",
      "x-forwarded-proto": "http",
    });
  });

  it("decodes the query and joins repeated names with a comma", () => {
    expect(event.queryStringParameters).toEqual({ phoneNumber: "+14155550171", tag: "a,b", empty: "", plus: "a b" });
    expect(parseQuery("")).toBeUndefined();
  });

  it("carries the request context with the stringified claims", () => {
    expect(event.requestContext).toEqual({
      accountId: "local",
      apiId: "local",
      domainName: "127.0.0.1:3000",
      domainPrefix: "127",
      http: { method: "POST", path: "/api/now/consumers/c%2D1", protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "vitest" },
      requestId: "JKJaXmPLvHcESHA=",
      routeKey: "POST /api/now/consumers/{id}",
      stage: "$default",
      time: "12/Mar/2020:19:03:58 +0000",
      timeEpoch: now.getTime(),
      authorizer: {
        jwt: {
          claims: { sub: "ann", "cognito:groups": "[agents admins]", exp: "1700000000", iss: LOCAL_ISSUER },
          scopes: null,
        },
      },
    });
    expect(apiGatewayTime(new Date(Date.UTC(2024, 0, 5, 1, 2, 3)))).toBe("05/Jan/2024:01:02:03 +0000");
  });

  it("leaves out what the request does not have", () => {
    const bare = buildHttpApiEvent(
      { method: "GET", rawPath: "/api/now/providers", rawQueryString: "", headers: {}, sourceIp: "127.0.0.1", protocol: "HTTP/1.1" },
      { routeKey: "GET /api/now/providers" },
      { sub: "ann" },
    );
    expect(bare).not.toHaveProperty("body");
    expect(bare).not.toHaveProperty("cookies");
    expect(bare).not.toHaveProperty("pathParameters");
    expect(bare).not.toHaveProperty("queryStringParameters");
    expect(bare.isBase64Encoded).toBe(false);
    expect(bare.requestContext.authorizer.jwt.claims).toEqual({ sub: "ann" });
  });

  it("base64-encodes binary bodies and text that is not UTF-8", () => {
    expect(eventBody(Buffer.from([0xff, 0xfe, 0x00]), "application/json")).toEqual({ body: "//4A", isBase64Encoded: true });
    expect(eventBody(Buffer.from("hello"), "application/octet-stream")).toEqual({ body: "aGVsbG8=", isBase64Encoded: true });
    expect(eventBody(Buffer.from("héllo"), "text/plain; charset=utf-8")).toEqual({ body: "héllo", isBase64Encoded: false });
    expect(eventBody(Buffer.from("{}"), "application/vnd.api+json")).toEqual({ body: "{}", isBase64Encoded: false });
    expect(eventBody(Buffer.alloc(0), "application/json")).toBeUndefined();
  });

  it("comes with a Lambda context named after the route, with its function's deployed memory and timeout", () => {
    const context = lambdaContextFor("validate-phone-number");
    expect(context.functionName).toBe("validate-phone-number");
    expect(context.awsRequestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(context.memoryLimitInMB).toBe("512");
    expect(context.getRemainingTimeInMillis()).toBeGreaterThan(9_000);
    expect(context.getRemainingTimeInMillis()).toBeLessThanOrEqual(10_000);
    expect(context.invokedFunctionArn).toContain(":function:validate-phone-number");
    // The long-poll's own, longer timeout.
    expect(lambdaContextFor("follow-events").getRemainingTimeInMillis()).toBeGreaterThan(24_000);
  });

  it("is built for a test or the bench the way the local gateway builds it for a request", () => {
    const event = routeEvent(
      { method: "GET", path: "/api/now/consumers/{id}" },
      { params: { id: "cust 1" }, query: { x: "1" }, caller: { sub: "ann", groups: ["agents", "admins"] } },
    );
    expect(event).toMatchObject({
      routeKey: "GET /api/now/consumers/{id}",
      rawPath: "/api/now/consumers/cust%201",
      rawQueryString: "x=1",
      pathParameters: { id: "cust 1" },
      queryStringParameters: { x: "1" },
      requestContext: { authorizer: { jwt: { claims: { sub: "ann", "cognito:groups": "[agents admins]" }, scopes: null } } },
    });
    expect(event.body).toBeUndefined();
  });
});

describe("the function's result as an HTTP response", () => {
  it("uses a structured result as given", () => {
    const response = toHttpResponse({
      statusCode: 201,
      headers: { "Content-Type": "application/json", "X-N": 3 },
      body: "{}",
      cookies: ["a=1"],
    });
    expect(response.statusCode).toBe(201);
    expect(response.headers).toEqual({ "content-type": "application/json", "x-n": "3", "set-cookie": ["a=1"] });
    expect(response.body.toString()).toBe("{}");
  });

  it("decodes a base64 body", () => {
    expect(toHttpResponse({ statusCode: 200, body: "aGk=", isBase64Encoded: true }).body.toString()).toBe("hi");
  });

  it("sends any other value as a 200 JSON body, and a malformed result as API Gateway's 500", () => {
    const inferred = toHttpResponse({ ok: true });
    expect(inferred.statusCode).toBe(200);
    expect(inferred.headers["content-type"]).toBe("application/json");
    expect(inferred.body.toString()).toBe('{"ok":true}');
    const broken = toHttpResponse({ statusCode: "nope" });
    expect(broken.statusCode).toBe(500);
    expect(JSON.parse(broken.body.toString())).toEqual({ message: "Internal Server Error" });
  });
});

describe("the local JWT check", () => {
  let dataDir: string;
  let keys: LocalKeyPair;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), "local-jwt-"));
    keys = await loadOrCreateKeyPair(dataDir);
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  const sign = (payload: JWTPayload, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: keys.kid, ...header }).sign(keys.privateKey);
  const valid = (): JWTPayload => ({ sub: "ann", iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now(), exp: now() + 600 });

  it("keeps one key pair, the private half readable by the owner only", async () => {
    const again = await loadOrCreateKeyPair(dataDir);
    expect(again.kid).toBe(keys.kid);
    expect(statSync(join(dataDir, "jwt", "private.jwk.json")).mode & 0o777).toBe(0o600);
  });

  it("accepts a dev token, with or without the Bearer prefix", async () => {
    const token = await signDevToken(keys, { sub: "ann", groups: ["agents", "admins"] });
    const claims = await verifyBearerToken(`Bearer ${token}`, keys);
    expect(claims).toMatchObject({
      sub: "ann",
      "cognito:groups": ["agents", "admins"],
      iss: LOCAL_ISSUER,
      aud: LOCAL_AUDIENCE,
      token_use: "access",
    });
    expect(claims!.exp! - claims!.iat!).toBe(12 * 3600);
    expect(await verifyBearerToken(token, keys)).toBeDefined();
  });

  it("accepts client_id in place of a missing aud (Cognito access tokens)", async () => {
    const { aud: _aud, ...payload } = valid();
    expect(await verifyBearerToken(`Bearer ${await sign({ ...payload, client_id: LOCAL_AUDIENCE })}`, keys)).toBeDefined();
  });

  it("refuses everything API Gateway refuses", async () => {
    const other = await generateKeyPair("RS256");
    const refused: Record<string, string | undefined> = {
      missing: undefined,
      empty: "Bearer ",
      garbage: "Bearer not.a.token",
      "other key": `Bearer ${await new SignJWT(valid()).setProtectedHeader({ alg: "RS256", kid: keys.kid }).sign(other.privateKey)}`,
      "unknown kid": `Bearer ${await sign(valid(), { kid: "someone-else" })}`,
      "no kid": `Bearer ${await new SignJWT(valid()).setProtectedHeader({ alg: "RS256" }).sign(keys.privateKey)}`,
      "alg none": `Bearer ${unsecuredToken(valid(), keys.kid)}`,
      HS256: `Bearer ${await new SignJWT(valid()).setProtectedHeader({ alg: "HS256", kid: keys.kid }).sign(new TextEncoder().encode("x".repeat(32)))}`,
      expired: `Bearer ${await sign({ ...valid(), iat: now() - 3600, exp: now() - 60 })}`,
      "no exp": `Bearer ${await sign({ sub: "ann", iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now() })}`,
      "not yet valid": `Bearer ${await sign({ ...valid(), nbf: now() + 600 })}`,
      "issued in the future": `Bearer ${await sign({ ...valid(), iat: now() + 600 })}`,
      "wrong issuer": `Bearer ${await sign({ ...valid(), iss: "https://elsewhere.example" })}`,
      "wrong audience": `Bearer ${await sign({ ...valid(), aud: "another-api" })}`,
      "basic scheme": `Basic ${Buffer.from("ann:pw").toString("base64")}`,
    };
    for (const [name, header] of Object.entries(refused)) {
      expect(await verifyBearerToken(header, keys), name).toBeUndefined();
    }
    // Each with its reason for the server's log (the answer stays a bare 401).
    const reasons: Record<string, string> = {
      missing: "no Authorization header",
      empty: "no token after Bearer",
      garbage: "the token cannot be read",
      "other key": "signature does not verify",
      "unknown kid": "signed with another key (kid someone-else",
      "no kid": "signed with another key (kid undefined",
      "alg none": "signed with none",
      HS256: "signed with HS256",
      expired: "the token expired at",
      "no exp": "the token has no exp claim",
      "not yet valid": "not valid before",
      "issued in the future": "issued in the future",
      "wrong issuer": 'issuer is "https://elsewhere.example"',
      "wrong audience": 'audience is "another-api"',
      "basic scheme": "not Bearer <JWT>",
    };
    for (const [name, header] of Object.entries(refused)) {
      expect(await checkBearerToken(header, keys), name).toEqual({ refused: expect.stringContaining(reasons[name]!) });
    }
  });
});

describe("dev-token arguments", () => {
  it("reads --sub, --groups and --ttl", () => {
    expect(parseDevTokenArgs(["--sub", "ann", "--groups", "agents,admins", "--ttl", "60"])).toEqual({
      sub: "ann",
      groups: ["agents", "admins"],
      ttlSeconds: 60,
    });
    expect(parseDevTokenArgs(["--sub", "bob"])).toEqual({ sub: "bob", groups: [], ttlSeconds: 43_200 });
    expect(parseDevTokenArgs(["--help"])).toBe("help");
  });

  it("says what is wrong", () => {
    expect(() => parseDevTokenArgs([])).toThrow("--sub <id> is required");
    expect(() => parseDevTokenArgs(["--sub", "ann", "--groups", "agents,root"])).toThrow('unknown group "root"');
    expect(() => parseDevTokenArgs(["--sub", "ann", "--ttl", "0"])).toThrow("--ttl must be a positive");
    expect(() => parseDevTokenArgs(["--sub", "ann", "--ttl=1.5"])).toThrow("--ttl must be a positive");
    expect(() => parseDevTokenArgs(["--sub", "ann", "--bogus"])).toThrow();
  });
});

/** An `alg: none` token, which jose will not make. */
function unsecuredToken(payload: JWTPayload, kid: string): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  return `${encode({ alg: "none", typ: "JWT", kid })}.${encode(payload)}.`;
}
