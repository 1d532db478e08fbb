/**
 * The events `npm run bench` hands to handlers in process: copies of the fixtures in events/*.json
 * (what `sam local invoke` uses, shaped as API Gateway HTTP API v2 and SNS deliver them), with the
 * body, query, headers and caller of each request filled in. No test support is imported: the
 * harness in test/ pulls in vitest.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context, SNSEvent } from "aws-lambda";

export const projectRoot = join(import.meta.dirname, "..");

/**
 * SEND_WINDOW for every function the bench runs: the whole day, so that sends are answered the
 * same way whatever the hour of the run in the recipients' time zones (the window is still read
 * and checked on every send, as deployed).
 */
export const sendWindowAllDay = { SEND_WINDOW: "00:00-24:00" } as const;

const fixtures = new Map<string, unknown>();

/** A fresh copy of a function's fixture, `events/<functionId>.json` (read once). */
export function fixture<T = unknown>(functionId: string): T {
  if (!fixtures.has(functionId)) fixtures.set(functionId, JSON.parse(readFileSync(fixturePath(functionId), "utf8")));
  return structuredClone(fixtures.get(functionId)) as T;
}

export function fixturePath(functionId: string): string {
  return join(projectRoot, "events", `${functionId}.json`);
}

export interface ApiRequest {
  body?: unknown;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** The token's subject and groups, as the JWT authorizer passes them (`cognito:groups` as "[a b]"). */
  caller: { sub: string; groups: string[] };
}

/** The fixture of an HTTP function with this request in it (a fresh requestId and time each call). */
export function apiEvent(functionId: string, request: ApiRequest): APIGatewayProxyEventV2WithJWTAuthorizer {
  const event = fixture<APIGatewayProxyEventV2WithJWTAuthorizer>(functionId);
  const query = request.query ?? {};
  const rawQueryString = new URLSearchParams(query).toString();
  const body = request.body === undefined ? undefined : JSON.stringify(request.body);
  // The fixture's own Idempotency-Key and Content-Type are the example's, not this request's.
  const { "idempotency-key": _key, "content-type": _type, ...fixtureHeaders } = event.headers;
  const headers = { ...fixtureHeaders, ...(body === undefined ? {} : { "content-type": "application/json" }), ...request.headers };
  return {
    ...event,
    rawQueryString,
    queryStringParameters: rawQueryString ? query : undefined,
    headers,
    body,
    requestContext: {
      ...event.requestContext,
      requestId: randomUUID(),
      time: new Date().toUTCString(),
      timeEpoch: Date.now(),
      authorizer: {
        ...event.requestContext.authorizer,
        jwt: {
          ...event.requestContext.authorizer.jwt,
          claims: {
            ...event.requestContext.authorizer.jwt.claims,
            sub: request.caller.sub,
            "cognito:groups": `[${request.caller.groups.join(" ")}]`,
          },
        },
      },
    },
  };
}

/** The inbound-sms fixture carrying this two-way SMS payload (a fresh SNS MessageId each call). */
export function inboundSmsEvent(payload: {
  originationNumber: string;
  destinationNumber: string;
  messageBody: string;
  inboundMessageId: string;
}) {
  const event = fixture<SNSEvent>("inbound-sms");
  const record = event.Records[0]!;
  return {
    Records: [
      {
        ...record,
        Sns: { ...record.Sns, MessageId: randomUUID(), Timestamp: new Date().toISOString(), Message: JSON.stringify(payload) },
      },
    ],
  } satisfies SNSEvent;
}

/** Timeouts the stack sets apart from the default 10 s (infra/stack.ts): the sender reads its deadline from the context. */
const timeoutsMs: Readonly<Record<string, number>> = { "sms-sender": 60_000, "follow-events": 25_000 };

/** A Lambda context as the runtime passes it (512 MB and the function's timeout, as the stack configures them). */
export function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + (timeoutsMs[functionName] ?? 10_000);
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${functionName}`,
    memoryLimitInMB: "512",
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: "bench",
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
