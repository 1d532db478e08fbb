import { Agent } from "node:http";
import { rmSync } from "node:fs";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../local/dynamodb-local";
import { LOCAL_TABLE_NAME } from "../../local/local-server";
import { createDocumentClient } from "../../shared/adapters/dynamo/document-client";
import { routes, type RouteDefinition } from "../../shared/adapters/http/routes";
import { functionTable } from "../../shared/platform/function-table";
import {
  answerProblem,
  cursorFields,
  describeRequest,
  inPool,
  jsonSchemaOf,
  pathIdsFor,
  pathParamNames,
  routeRequests,
  send,
  validObject,
  type HarvestedCursor,
  type Hints,
  type HostileRequest,
} from "../support/hostile-requests";
import { devToken, killGroup, startServer, type RunningServer } from "../support/local-server-process";
import { invariantViolations } from "../support/table-invariants";
import type { TestTable } from "../support/test-table";

/**
 * The local server as `npm start` runs it, under at least 2,000 hostile requests over every HTTP
 * function of the functions table, generated with fast-check (fixed seed) from each route's
 * request schemas: wrong types, missing and unknown fields, prototype keys, deep nesting, odd
 * unicode, huge values, broken JSON and bytes, odd path ids, tampered cursors, odd headers. About
 * one in ten is a valid request, so the table fills with real records. Every answer must be a 4xx
 * with the service's error body or a 2xx the route declares; afterwards no record is half-written.
 */

const SEED = 20_250_601;
const MIN_REQUESTS = 2_000;
const CONCURRENCY = 8;
/** Above the 1 s long-polls the requests may ask for; a handler that does not answer by then hangs. */
const REQUEST_TIMEOUT_MS = 10_000;

const httpRoutes: RouteDefinition[] = functionTable.flatMap((fn) => (fn.trigger.kind === "http" ? [fn.trigger.route] : []));

describe("hostile requests against the local server (npm start)", () => {
  let server: RunningServer | undefined;
  let table: TestTable | undefined;
  let hints: Hints;
  let requests: HostileRequest[] = [];
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

  /** A valid call, for the records the hostile requests then aim at. */
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await fetch(`${server!.url}${path}`, {
      method,
      headers: { authorization: token, ...(body === undefined ? {} : { "content-type": "application/json" }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (response.status >= 300) throw new Error(`seeding ${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text) as Record<string, unknown> & { id?: string; cursor?: string };
  };

  beforeAll(async () => {
    const dynamoPort = await freePort();
    // Errors logged (not silenced as in the other tests) so a 5xx comes with its stack in server.output().
    server = await startServer("hostile", { DYNAMODB_PORT: String(dynamoPort), POWERTOOLS_LOG_LEVEL: "ERROR" });
    const endpoint = `http://127.0.0.1:${dynamoPort}`;
    const documentClient = createDocumentClient({ endpoint });
    table = {
      tableName: LOCAL_TABLE_NAME,
      endpoint,
      documentClient,
      async scanAll() {
        const items: Record<string, unknown>[] = [];
        let startKey: Record<string, unknown> | undefined;
        do {
          const page = await documentClient.send(new ScanCommand({ TableName: LOCAL_TABLE_NAME, ExclusiveStartKey: startKey }));
          items.push(...(page.Items ?? []));
          startKey = page.LastEvaluatedKey;
        } while (startKey);
        return items;
      },
      // The server's table is not ours to drop: its data directory goes in afterAll.
      async drop() {
        documentClient.destroy();
      },
    };
    const [full, agentOnly, adminOnly] = await Promise.all(
      [
        ["--sub", "ann", "--groups", "agents,admins"],
        ["--sub", "bob", "--groups", "agents"],
        ["--sub", "ada", "--groups", "admins"],
      ].map(async (args) => `Bearer ${await devToken(server!.dataDir, args)}`),
    );
    const tokens = { agentAndAdmin: full!, agentOnly: agentOnly!, adminOnly: adminOnly! };

    // Records to aim at: providers, consumers, a phone interaction, an SMS conversation with two messages, a customer's reply.
    const providerNumbers = ["+14155550100", "+14155550101"];
    const providerIds: string[] = [];
    for (const [i, number] of providerNumbers.entries())
      providerIds.push((await call("POST", routes.createProvider.path, full!, { number, name: `Desk ${i}` })).id!);
    const consumers = { "c-ann": ["+14155550171"], "c-bob": ["+14155550172", "+14155550173"], constructor: ["+14155550174"] };
    for (const [id, phoneNumbers] of Object.entries(consumers))
      await call("POST", routes.createConsumer.path, full!, { id, name: `Consumer ${id}`, phoneNumbers });
    const consumerIds = Object.keys(consumers);
    const interactionIds: string[] = [];
    for (const consumerId of ["c-ann", "c-ann", "c-bob"]) {
      const phoneNumber = consumers[consumerId as keyof typeof consumers][0]!;
      interactionIds.push((await call("POST", routes.createInteraction.path, full!, { type: "phone", consumerId, phoneNumber })).id!);
    }
    const messageIds: string[] = [];
    for (const message of ["Hello from the desk", "A second line"]) {
      const sent = (await call("POST", routes.initiateMessage.path, full!, { consumerId: "c-ann", message })) as {
        interaction: { id: string };
        message: { id: string };
      };
      interactionIds.push(sent.interaction.id);
      messageIds.push(sent.message.id);
    }
    await call("POST", "/local/inbound_sms", full!, {
      originationNumber: "+14155550173",
      destinationNumber: "+14155550101",
      messageBody: "hi, who is this?",
      inboundMessageId: "hostile-inbound-1",
    });

    const phone = fc.oneof(
      { weight: 4, arbitrary: fc.constantFrom(...Object.values(consumers).flat()) },
      { weight: 2, arbitrary: fc.integer({ min: 100, max: 199 }).map((n) => `+1415555${String(n).padStart(4, "0")}`) },
      { weight: 1, arbitrary: fc.constantFrom("(415) 555-0172", "415.555.0173", "+44 20 7183 8750", "020 7183 8750") },
    );
    const interaction = fc.constantFrom(...new Set(interactionIds));
    hints = {
      fields: {
        phoneNumber: phone,
        phoneNumbers: phone,
        to: phone,
        number: phone,
        from: fc.constantFrom(...providerNumbers, "+14155550199"),
        consumerId: fc.constantFrom(...consumerIds),
        id: fc.oneof(fc.constantFrom(...consumerIds), fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/)),
        interactionId: interaction,
        originInteractionId: interaction,
        message: fc.oneof(fc.constantFrom("Hello", "Your order shipped"), fc.string({ unit: "grapheme", minLength: 1, maxLength: 200 })),
        name: fc.string({ minLength: 1, maxLength: 40 }),
        country: fc.constantFrom("US", "GB", "us"),
        location: fc.constantFrom("US", "GB"),
        waitSeconds: fc.constantFrom("0", "1"),
      },
      pathIds: { consumers: consumerIds, providers: providerIds, interactions: [...new Set(interactionIds)], messages: messageIds },
      cursors: [],
      tokens,
    };

    // Real cursors, from the lists that take one: each route's valid-looking requests with limit=1.
    for (const route of httpRoutes) {
      const querySchema = route.query ? jsonSchemaOf(route.query) : undefined;
      const field = Object.keys(querySchema?.properties ?? {}).find((name) => cursorFields.includes(name));
      if (!querySchema || !field) continue;
      const queries = fc.sample(validObject(querySchema, hints), { seed: SEED, numRuns: 6 });
      const paramSets = fc.sample(
        fc.record(Object.fromEntries(pathParamNames(route).map((name) => [name, fc.constantFrom(...pathIdsFor(route, name, hints))]))),
        { seed: SEED, numRuns: 6 },
      );
      for (const [i, query] of queries.entries()) {
        const params = paramSets[i]!;
        const search = new URLSearchParams(query.entries.map(([k, v]): [string, string] => [k, String(v)]));
        search.set("limit", "1");
        search.delete("waitSeconds");
        const path = route.path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name]!));
        const response = await fetch(`${server.url}${path}?${search}`, { headers: { authorization: full! } });
        const body = (await response.json()) as { cursor?: unknown };
        if (response.status === 200 && typeof body.cursor === "string")
          hints.cursors.push({ routeId: route.id, params, query: [...search], field, value: body.cursor });
      }
    }

    const perRoute = Math.ceil(MIN_REQUESTS / httpRoutes.length) + 5;
    const allCursors = hints.cursors.map((c: HarvestedCursor) => c.value);
    requests = httpRoutes.flatMap((route, index) =>
      fc.sample(routeRequests(route, hints, allCursors), { seed: SEED + index, numRuns: perRoute }),
    );
  }, 120_000);

  afterAll(async () => {
    agent.destroy();
    await table?.drop();
    killGroup(server);
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
  });

  it("harvested a real cursor for every route that takes one", () => {
    const withCursor = httpRoutes.filter(
      (route) => route.query && Object.keys(jsonSchemaOf(route.query).properties ?? {}).some((k) => cursorFields.includes(k)),
    );
    expect(withCursor.filter((route) => !hints.cursors.some((c) => c.routeId === route.id)).map((route) => route.id)).toEqual([]);
  });

  it("answers every hostile request with a 4xx error body or a legitimate 2xx: never a 5xx, a non-JSON body or a hang", async () => {
    const url = new URL(server!.url);
    const base = { host: url.hostname, port: Number(url.port) };
    const started = performance.now();
    const answers = await inPool(requests, CONCURRENCY, (req) => send(base, agent, req, REQUEST_TIMEOUT_MS));
    const seconds = ((performance.now() - started) / 1000).toFixed(1);

    const byStatus: Record<string, number> = {};
    const byRoute: Record<string, number> = {};
    /** Bad answers grouped by route, kind of request and status: one example each, and how many. */
    const problems = new Map<string, { example: string; count: number }>();
    for (const [i, req] of requests.entries()) {
      const answer = answers[i]!;
      const status = answer === "timeout" ? "timeout" : answer instanceof Error ? "error" : String(answer.status);
      byStatus[status] = (byStatus[status] ?? 0) + 1;
      byRoute[req.routeId] = (byRoute[req.routeId] ?? 0) + 1;
      const problem = answerProblem(httpRoutes, req, answer);
      if (problem) {
        const key = `${req.routeId} ${req.kind} → ${status}`;
        const seen = problems.get(key) ?? { example: `${problem}\n    ${describeRequest(req)}`, count: 0 };
        problems.set(key, { ...seen, count: seen.count + 1 });
      }
    }
    console.log(
      `[hostile] ${requests.length} requests over ${Object.keys(byRoute).length} routes: ${JSON.stringify(byStatus)} (${seconds} s)`,
    );

    // The server's account of its failures, one line per distinct one: the handler, the error and its first frame of ours.
    const serverErrors = new Set(
      server!
        .output()
        .split("\n")
        .flatMap((line) => {
          if (/threw|failed|no answer within/.test(line) && !line.startsWith("{")) return [line.slice(0, 300)];
          if (!line.includes('"unexpected failure"')) return [];
          const entry = JSON.parse(line) as { function_name?: string; error?: { stack?: string; name?: string } };
          const stack = (entry.error?.stack ?? entry.error?.name ?? "").split("\n");
          return [`${entry.function_name}: ${stack[0]} | ${stack.find((frame) => /\/(shared|functions)\//.test(frame))?.trim() ?? ""}`];
        }),
    );
    expect(
      [...problems].map(([key, { example, count }]) => `${key} (${count}×): ${example}`),
      `${[...problems.values()].reduce((sum, p) => sum + p.count, 0)} bad answers; server errors:\n${[...serverErrors].join("\n")}`,
    ).toEqual([]);
    expect(requests.length).toBeGreaterThanOrEqual(MIN_REQUESTS);
    expect(httpRoutes.filter((route) => (byRoute[route.id] ?? 0) < 50).map((route) => route.id)).toEqual([]);
    // Some legitimate answers among them: the table holds real records for the invariants below.
    expect(
      Object.entries(byStatus)
        .filter(([status]) => status.startsWith("2"))
        .reduce((sum, [, n]) => sum + n, 0),
    ).toBeGreaterThan(50);
  }, 120_000);

  it("is still healthy and leaves no record half-written", async () => {
    expect((await fetch(`${server!.url}/health`)).status).toBe(200);
    expect(await invariantViolations(table!)).toEqual([]);
  });
});
