/**
 * The events `npm run bench` hands to handlers in process, built by the same builders as the local
 * server's and the tests' (local/invocation.ts, local/sns-event.ts): HTTP API v2 events with the
 * body, query, headers and caller of each request, SNS deliveries, and contexts with each
 * function's deployed memory and timeout. No test support is imported: the harness in test/ pulls
 * in vitest.
 */
import { join } from "node:path";
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context, SNSEvent } from "aws-lambda";
import { lambdaContextFor, routeEvent } from "../local/invocation";
import { snsEvent } from "../local/sns-event";
import { functionById } from "../shared/platform/function-table";

export const projectRoot = join(import.meta.dirname, "..");

/**
 * SEND_WINDOW for every function the bench runs: the whole day, so that sends are answered the
 * same way whatever the hour of the run in the recipients' time zones (the window is still read
 * and checked on every send, as deployed).
 */
export const sendWindowAllDay = { SEND_WINDOW: "00:00-24:00" } as const;

/** A function's fixture, `events/<functionId>.json`: the first event of its cold start (what `sam local invoke` uses too). */
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

/** The event of an HTTP function's route for this request, built as the local API Gateway builds it. */
export function apiEvent(functionId: string, request: ApiRequest): APIGatewayProxyEventV2WithJWTAuthorizer {
  const { trigger } = functionById(functionId);
  if (trigger.kind !== "http") throw new Error(`${functionId} is not an HTTP function`);
  return routeEvent(trigger.route, {
    ...(request.query ? { query: request.query } : {}),
    ...(request.headers ? { headers: request.headers } : {}),
    ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
    caller: request.caller,
  });
}

/** The inbound-sms function's event carrying this two-way SMS payload, as the local topic relays it. */
export function inboundSmsEvent(payload: {
  originationNumber: string;
  destinationNumber: string;
  messageBody: string;
  inboundMessageId: string;
}): SNSEvent {
  return snsEvent(JSON.stringify(payload), "inbound-sms");
}

/** The context of one invocation, with the function's deployed memory and timeout (the functions table). */
export const lambdaContext = (functionId: string): Context => lambdaContextFor(functionId);
