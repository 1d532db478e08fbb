import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { generateKeyPair, SignJWT, type JWTPayload } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { freePort } from "../../local/dynamodb-local";
import { devToken, execFileAsync, killGroup, outputWith, startServer, type RunningServer } from "../support/local-server-process";
import { LOCAL_AUDIENCE, LOCAL_ISSUER, loadOrCreateKeyPair, type LocalKeyPair } from "../../local/local-jwt";
import { functionTable } from "../../shared/platform/function-table";

/**
 * The local server as `npm start` runs it (tsx local/server.ts in its own process), driven over
 * real HTTP, with a token from the dev-token script. Two servers run side by side (different
 * DATA_DIR and PORT); both are stopped with SIGTERM at the end and must leave no java behind.
 */

async function javaProcessesFor(dataDir: string): Promise<string[]> {
  const { stdout } = await execFileAsync("ps", ["-eo", "pid,args"]);
  return stdout.split("\n").filter((line) => line.includes("DynamoDBLocal.jar") && line.includes(dataDir));
}

const now = () => Math.floor(Date.now() / 1000);

/** Whether a TCP connection to host:port is accepted. */
function connects(host: string, port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host, port, timeout: 2_000 });
    socket.once("connect", () => (socket.destroy(), done(true)));
    socket.once("timeout", () => (socket.destroy(), done(false)));
    socket.once("error", () => done(false));
  });
}

describe("local server (npm start)", () => {
  let a: RunningServer | undefined;
  let b: RunningServer | undefined;
  let token: string;
  let keys: LocalKeyPair;
  let bDynamoPort: number;

  beforeAll(async () => {
    bDynamoPort = await freePort();
    const started = await Promise.allSettled([
      startServer("a"),
      startServer("b", { DYNAMODB_PORT: String(bDynamoPort), SEND_WINDOW: "07:30-22:00" }),
    ]);
    a = started[0].status === "fulfilled" ? started[0].value : undefined;
    b = started[1].status === "fulfilled" ? started[1].value : undefined;
    for (const result of started) if (result.status === "rejected") throw result.reason;
    console.log(`local server start (spawn → /health 200): a ${a!.startMs} ms, b ${b!.startMs} ms (started together)`);
    token = await devToken(a!.dataDir, ["--sub", "ann", "--groups", "agents,admins"]);
    // The same key file the server and dev-token use, to forge the "valid signature, bad claims" tokens.
    keys = await loadOrCreateKeyPair(a!.dataDir);
  }, 120_000);

  afterAll(() => {
    killGroup(a);
    killGroup(b);
    for (const server of [a, b]) if (server) rmSync(server.dataDir, { recursive: true, force: true });
  });

  const call = (server: RunningServer, path: string, init: RequestInit = {}) => fetch(`${server.url}${path}`, init);
  /** Claims the local authorizer accepts, with these groups (null: no groups claim). */
  const claimsFor = (groups: string[] | null = ["agents"]): JWTPayload => ({
    sub: "ann",
    ...(groups ? { "cognito:groups": groups } : {}),
    iss: LOCAL_ISSUER,
    aud: LOCAL_AUDIENCE,
    iat: now(),
    exp: now() + 600,
  });
  /** Signed with the server's own key: what passes the authorizer, whatever the claims say. */
  const sign = (payload: JWTPayload) => new SignJWT(payload).setProtectedHeader({ alg: "RS256", kid: keys.kid }).sign(keys.privateKey);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const withToken = (value: string | undefined, init: RequestInit = {}): RequestInit => ({
    ...init,
    headers: { ...(init.headers as Record<string, string>), ...(value === undefined ? {} : { authorization: value }) },
  });
  const validate = (server: RunningServer, authorization: string | undefined) =>
    call(
      server,
      "/api/now/initiate_message/validate_phone_number",
      withToken(authorization, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ phoneNumber: "+14155550171" }),
      }),
    );

  it("answers /health on two servers side by side, each with its own data", async () => {
    for (const server of [a!, b!]) {
      const response = await call(server, "/health");
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ status: "ok" });
    }
    expect(a!.port).not.toBe(b!.port);
    expect(statSync(join(a!.dataDir, "dynamodb")).isDirectory()).toBe(true);
    expect(statSync(join(b!.dataDir, "jwt", "private.jwk.json")).mode & 0o777).toBe(0o600);
    expect(a!.output()).toContain(`agent-initiated-sms local API listening on ${a!.url}`);
  });

  it("says the send window SEND_WINDOW sets", async () => {
    const line = "send window: 07:30-22:00 in each customer's time (SEND_WINDOW; the default is 08:00-21:00)";
    expect(await outputWith(b!, line)).toContain(line);
  });

  it("runs DynamoDB Local on the DYNAMODB_PORT given, on 127.0.0.1 only", async () => {
    expect(b!.output()).toContain(`DynamoDB Local at http://127.0.0.1:${bDynamoPort}`);
    expect(await connects("127.0.0.1", bDynamoPort)).toBe(true);
    const outward = Object.values(networkInterfaces())
      .flat()
      .filter((address) => address && !address.internal && address.family === "IPv4");
    // A machine with no network but loopback has nothing to prove here; this one (and CI) has one.
    expect(outward.length, "a non-loopback IPv4 address to try").toBeGreaterThan(0);
    for (const address of outward) expect(await connects(address!.address, bDynamoPort), address!.address).toBe(false);
  });

  it("serves the OpenAPI document without a token", async () => {
    const response = await call(a!, "/openapi.json");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await response.json()).toHaveProperty("openapi");
  });

  it("runs a real route with a dev token", async () => {
    const response = await validate(a!, `Bearer ${token}`);
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ valid: true });
    expect(response.headers.get("apigw-requestid")).toBeTruthy();
  });

  it("answers a long-poll opened before a customer's reply within 2 s of it, and lists the events on the local bus", async () => {
    const auth = withToken(`Bearer ${token}`);
    const start = (await (await call(a!, "/api/now/events", auth)).json()) as { cursor: string };
    const polling = call(a!, `/api/now/events?after=${encodeURIComponent(start.cursor)}&waitSeconds=15`, auth).then(async (response) => ({
      body: (await response.json()) as { items: { type: string; data: { message: { body: string } } }[] },
      at: Date.now(),
    }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const reply = await call(a!, "/local/inbound_sms", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        originationNumber: "+14155550199",
        destinationNumber: "+14155550100",
        messageBody: "hi there",
        inboundMessageId: "lp-1",
      }),
    });
    const repliedAt = Date.now();
    expect(reply.status).toBe(200);
    const { body, at } = await polling;
    console.log(`[npm start] long-poll answered ${at - repliedAt} ms after the reply`);
    expect(body.items.map((event) => event.type)).toContain("message.created");
    expect(at - repliedAt).toBeLessThan(2000);
    // The publisher put the same events on the local bus (within the poller's next read).
    let entries: { DetailType: string; Detail: string }[] = [];
    for (let waited = 0; waited < 3000 && !entries.some((entry) => entry.DetailType === "message.created"); waited += 100) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      entries = (await (await call(a!, "/local/eventbus", auth)).json()) as typeof entries;
    }
    expect(entries.map((entry) => entry.DetailType)).toEqual(expect.arrayContaining(["interaction.created", "message.created"]));
  });

  it("answers 401 like API Gateway for every token it must refuse, and logs why", async () => {
    const other = await generateKeyPair("RS256");
    const valid = () => claimsFor();
    const expiredAt = now() - 3600;
    // Each refusal, and the reason the server's log gives for it (the answer says only "Unauthorized").
    const cases: Record<string, [authorization: string | undefined, reason: string]> = {
      "no token": [undefined, "no Authorization header"],
      "empty token": ["Bearer ", "no token after Bearer (an empty token: did npm run dev-token fail?)"],
      "bad signature (another key)": [
        `Bearer ${await new SignJWT(valid()).setProtectedHeader({ alg: "RS256", kid: keys.kid }).sign(other.privateKey)}`,
        "the token's signature does not verify with this server's key",
      ],
      "alg none": [`Bearer ${encode({ alg: "none", typ: "JWT", kid: keys.kid })}.${encode(valid())}.`, "signed with none; only RS256"],
      HS256: [
        `Bearer ${await new SignJWT(valid()).setProtectedHeader({ alg: "HS256", kid: keys.kid }).sign(new TextEncoder().encode("s".repeat(32)))}`,
        "signed with HS256; only RS256",
      ],
      expired: [
        `Bearer ${await sign({ ...valid(), iat: now() - 7200, exp: expiredAt })}`,
        `the token expired at ${new Date(expiredAt * 1000).toISOString()}`,
      ],
      "not yet valid": [`Bearer ${await sign({ ...valid(), nbf: now() + 3600 })}`, "the token is not valid before"],
      "wrong issuer": [
        `Bearer ${await sign({ ...valid(), iss: "https://cognito-idp.example.com/pool" })}`,
        `the token's issuer is "https://cognito-idp.example.com/pool", not "${LOCAL_ISSUER}"`,
      ],
      "wrong audience": [
        `Bearer ${await sign({ ...valid(), aud: "some-other-api" })}`,
        `the token's audience is "some-other-api", not "${LOCAL_AUDIENCE}"`,
      ],
      "token of the other server": [
        `Bearer ${await devToken(b!.dataDir, ["--sub", "ann", "--groups", "agents"])}`,
        "the token is signed with another key",
      ],
    };
    for (const [name, [authorization, reason]] of Object.entries(cases)) {
      const response = await validate(a!, authorization);
      expect(response.status, name).toBe(401);
      expect(response.headers.get("www-authenticate"), name).toBe("Bearer");
      expect(await response.text(), name).toBe('{"message":"Unauthorized"}');
      const line = `POST /api/now/initiate_message/validate_phone_number 401 `;
      const logged = (await outputWith(a!, reason))
        .split("\n")
        .filter((l) => l.startsWith(line) && l.includes("(token refused: ") && l.includes(reason));
      expect(logged, name).toHaveLength(1);
      // The reason names claims, never the token.
      const claimsPart = authorization?.split(".")[1];
      if (claimsPart) expect(logged[0], name).not.toContain(claimsPart);
    }
    // A correctly signed token with the same claims passes the authorizer (whatever the handler says).
    expect((await validate(a!, `Bearer ${await sign(valid())}`)).status).not.toBe(401);
  });

  it("answers 401 UNAUTHORIZED, never 500, to a validly signed token without a subject, on API and local routes alike", async () => {
    const claims = { "cognito:groups": ["agents", "admins"], iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now(), exp: now() + 600 };
    for (const [name, payload] of Object.entries({ "no sub": claims, "empty sub": { ...claims, sub: "" } })) {
      const authorization = `Bearer ${await sign(payload)}`;
      for (const path of ["/local/outbox", "/api/now/providers"]) {
        const response = await call(a!, path, withToken(authorization));
        expect(response.status, `${name} ${path}`).toBe(401);
        expect(await response.json(), `${name} ${path}`).toMatchObject({ error: { code: "UNAUTHORIZED" } });
      }
    }
  });

  it("walks every HTTP function of the functions table with every token fault: 401 or 403 as the spec says, never 2xx or 5xx", async () => {
    const other = await generateKeyPair("RS256");
    const base = claimsFor;
    const all = ["agents", "admins"];
    const { sub: _sub, ...withoutSub } = base(all);
    // Refused by the authorizer (API Gateway's JWT check): 401 {"message":"Unauthorized"}.
    const gateway: Record<string, string | undefined> = {
      none: undefined,
      malformed: "Bearer not.a.jwt",
      "not a bearer": "Basic YWRhOnNlY3JldA==",
      "alg none": `Bearer ${encode({ alg: "none", typ: "JWT", kid: keys.kid })}.${encode(base(all))}.`,
      HS256: `Bearer ${await new SignJWT(base(all)).setProtectedHeader({ alg: "HS256", kid: keys.kid }).sign(new TextEncoder().encode("s".repeat(32)))}`,
      "another key": `Bearer ${await new SignJWT(base(all)).setProtectedHeader({ alg: "RS256", kid: keys.kid }).sign(other.privateKey)}`,
      expired: `Bearer ${await sign({ ...base(all), iat: now() - 7200, exp: now() - 3600 })}`,
      "not yet valid": `Bearer ${await sign({ ...base(all), nbf: now() + 3600 })}`,
      "wrong issuer": `Bearer ${await sign({ ...base(all), iss: "https://issuer.example.com" })}`,
      "wrong audience": `Bearer ${await sign({ ...base(all), aud: "another-api" })}`,
    };
    const noSub = `Bearer ${await sign(withoutSub)}`;
    const noGroups = `Bearer ${await sign(base(null))}`;
    const tokenFor = async (groups: string[]) => `Bearer ${await sign(base(groups))}`;
    const statuses: Record<string, number> = {};
    let cases = 0;
    for (const fn of functionTable) {
      if (fn.trigger.kind !== "http") continue;
      const route = fn.trigger.route;
      const path = route.path.replace(/\{(\w+)\}/g, "x_1");
      const init = (authorization: string | undefined): RequestInit =>
        withToken(authorization, {
          method: route.method,
          ...(route.method === "GET" ? {} : { headers: { "content-type": "application/json" }, body: "{}" }),
        });
      const expectations: [string, string | undefined, number, unknown][] = [
        ...Object.entries(gateway).map(
          ([name, token]) => [name, token, 401, { message: "Unauthorized" }] as [string, string | undefined, number, unknown],
        ),
        ["no sub", noSub, 401, { error: expect.objectContaining({ code: "UNAUTHORIZED" }) }],
        ["no groups", noGroups, 403, { error: expect.objectContaining({ code: "FORBIDDEN" }) }],
        // A group the route does not take: the other one, or one the service does not know.
        [
          "wrong group",
          await tokenFor(route.groups.length === 2 ? ["supervisors"] : all.filter((group) => !route.groups.includes(group as never))),
          403,
          { error: expect.objectContaining({ code: "FORBIDDEN" }) },
        ],
      ];
      for (const [name, authorization, status, body] of expectations) {
        const response = await call(a!, path, init(authorization));
        cases++;
        statuses[response.status] = (statuses[response.status] ?? 0) + 1;
        expect(response.status, `${route.method} ${route.path} with ${name}`).toBe(status);
        expect(await response.json(), `${route.method} ${route.path} with ${name}`).toEqual(body);
      }
    }
    console.log(
      `[auth matrix] ${cases} cases over ${functionTable.filter((fn) => fn.trigger.kind === "http").length} routes: ${JSON.stringify(statuses)}`,
    );
    expect(cases).toBe(functionTable.filter((fn) => fn.trigger.kind === "http").length * 13);
  });

  it("answers 404 ROUTE_NOT_FOUND for unknown routes, before any token check", async () => {
    const unknown = await call(a!, "/api/now/nothing_here");
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: "ROUTE_NOT_FOUND", message: "no route for GET /api/now/nothing_here" } });
    const wrongMethod = await call(a!, "/api/now/providers", { method: "DELETE" });
    expect(wrongMethod.status).toBe(404);
    const body = (await wrongMethod.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("ROUTE_NOT_FOUND");
    expect(body.error.message).toContain("GET, POST");
  });

  it("refuses bodies over API Gateway's 10 MB with 413", async () => {
    const response = await call(
      a!,
      "/api/now/initiate_message/validate_phone_number",
      withToken(`Bearer ${token}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: "x".repeat(10 * 1024 * 1024 + 1),
      }),
    );
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: "Request Entity Too Large" });
  });

  it("logs one line per request without bodies or tokens", () => {
    const output = a!.output();
    expect(output).toMatch(/GET \/health 200 \d+ms/);
    expect(output).toMatch(/POST \/api\/now\/initiate_message\/validate_phone_number 401 \d+ms/);
    expect(output).not.toContain(token);
    expect(output).not.toContain(token.split(".")[1]!);
  });

  it("stops on SIGTERM with exit code 0 and leaves no DynamoDB Local behind", async () => {
    for (const server of [a!, b!]) {
      expect(await javaProcessesFor(server.dataDir)).toHaveLength(1);
      const stoppedAt = performance.now();
      server.child.kill("SIGTERM"); // the tsx process only, as `kill <pid>` would
      const exit = await Promise.race([server.exited, new Promise<"timeout">((r) => setTimeout(() => r("timeout"), 10_000))]);
      expect(exit, server.output()).toEqual({ code: 0, signal: null });
      expect(performance.now() - stoppedAt).toBeLessThan(10_000);
      expect(await javaProcessesFor(server.dataDir)).toEqual([]);
    }
  }, 30_000);
});
