import { routeList, type RouteDefinition } from "../adapters/http/routes";
import { insertedEventFilter, queuedOutboundFilter } from "../adapters/dynamo/stream-records";

/** What starts a function: a route, a topic, a schedule, or the table's change stream. */
export type FunctionTrigger =
  | { readonly kind: "http"; readonly route: RouteDefinition }
  /** An SNS topic the stack creates: customers' replies, or End User Messaging's delivery receipts. */
  | { readonly kind: "sns"; readonly topic: "inbound-sms" | "delivery-receipts" }
  /** An EventBridge schedule (locally, a timer of the local server). */
  | { readonly kind: "schedule"; readonly everyMinutes: number }
  /** The table's change stream; `filter` is the event source mapping's filter pattern (the local server applies it too). */
  | { readonly kind: "stream"; readonly filter: object };

/**
 * The functions table, declared once: every Lambda function of the service, at
 * `functions/<id>/handler.ts`, with what triggers it and what it may do. The stack deploys one
 * function per entry, the local server serves or runs each one the way its trigger says, and the
 * tests walk all of them. HTTP entries come from the route table (which also drives request
 * validation and the OpenAPI document).
 */
export interface FunctionDefinition {
  readonly id: string;
  readonly summary: string;
  readonly trigger: FunctionTrigger;
  /** What the function may do to the table: the stack grants exactly this. */
  readonly tableAccess: "read" | "readWrite";
  /** The function hands SMS to the transport (the stack grants it the transport's permission). */
  readonly sendsSms: boolean;
  /** The function loads the compose defaults extension (the stack bundles a deployer's module into it). */
  readonly usesComposeExtension: boolean;
  /** The function puts events on the stack's event bus (the stack grants it events:PutEvents there). */
  readonly publishesEvents?: boolean;
  /** Deployed only with this SMS transport (delivery receipts exist only with End User Messaging). */
  readonly onlyWithTransport?: "end-user-messaging";
  /** The function hashes numbers with the privacy key (the stack creates the key's secret and lets only these read it). */
  readonly usesPrivacyKey?: boolean;
  /** What Lambda gives it: the stack deploys these, the local server and the tests build each invocation's context from them. */
  readonly limits: LambdaLimits;
}

/** A function's memory (Lambda gives CPU in proportion) and how long one invocation may run. */
export interface LambdaLimits {
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

/**
 * What every function gets unless its entry says otherwise.
 *
 * - memory 512 MB: a cold start here is CPU-bound (parsing one minified bundle with the AWS SDK,
 *   zod and libphonenumber metadata). 512 MB roughly halves the init time of the 128 MB default
 *   for pennies at desk traffic; the handlers themselves need far less RAM.
 * - timeout 10 s: a request is a few DynamoDB calls (milliseconds, SDK retries included). 10 s
 *   covers a cold start plus retries and stays well under API Gateway's 30 s integration timeout,
 *   so a slow call ends as our own logged error, not as an anonymous 503 from the gateway.
 */
export const defaultLimits: LambdaLimits = { memoryMb: 512, timeoutSeconds: 10 };

/** The default limits with a longer timeout: a scheduled run's must stay shorter than its schedule (the stack checks). */
const withTimeout = (timeoutSeconds: number): LambdaLimits => ({ ...defaultLimits, timeoutSeconds });

const fromRoute = (route: RouteDefinition): FunctionDefinition => ({
  id: route.id,
  summary: route.summary,
  trigger: { kind: "http", route },
  tableAccess: route.tableAccess,
  // The API answers without the transport: only the pipeline (sms-sender) sends.
  sendsSms: false,
  usesComposeExtension: route.usesComposeExtension === true,
  ...(route.usesPrivacyKey ? { usesPrivacyKey: true } : {}),
  limits: route.timeoutSeconds === undefined ? defaultLimits : withTimeout(route.timeoutSeconds),
});

export const functionTable: readonly FunctionDefinition[] = [
  ...routeList.map(fromRoute),
  {
    id: "inbound-sms",
    summary: "A customer's reply from the two-way SMS topic joins its conversation, or opens one for the virtual agent",
    trigger: { kind: "sns", topic: "inbound-sms" },
    tableAccess: "readWrite",
    // The STOP/START confirmations and the HELP answer are written queued; the pipeline sends them.
    sendsSms: false,
    usesComposeExtension: false,
    limits: defaultLimits,
  },
  {
    id: "sms-sender",
    summary: "The change stream's queued outbound messages: claims each, paces it per send-from number, hands it to the transport once",
    trigger: { kind: "stream", filter: queuedOutboundFilter },
    tableAccess: "readWrite",
    sendsSms: true,
    usesComposeExtension: false,
    // A hand-over may wait up to 20 s for a pacing slot; the transport call gets the rest.
    limits: withTimeout(60),
  },
  {
    id: "event-publisher",
    summary: "The change stream's new events, put on the EventBridge bus for integrations (at least once, batched)",
    trigger: { kind: "stream", filter: insertedEventFilter },
    tableAccess: "read",
    sendsSms: false,
    publishesEvents: true,
    usesComposeExtension: false,
    limits: defaultLimits,
  },
  {
    id: "sms-sweep",
    summary:
      "Re-dispatches messages left queued, ends lapsed claims OUTCOME_UNKNOWN and expired ones VALIDITY_EXPIRED, queues scheduled messages when due",
    trigger: { kind: "schedule", everyMinutes: 1 },
    tableAccess: "readWrite",
    sendsSms: false,
    usesComposeExtension: false,
    limits: defaultLimits,
  },
  {
    id: "delivery-receipts",
    summary: "End User Messaging delivery receipts move each message's status forward",
    trigger: { kind: "sns", topic: "delivery-receipts" },
    tableAccess: "readWrite",
    sendsSms: false,
    usesComposeExtension: false,
    onlyWithTransport: "end-user-messaging",
    limits: defaultLimits,
  },
  {
    id: "privacy-erasure",
    summary: "Carries out the privacy erasures step by step, resuming each from its last saved step (a crash loses at most one step)",
    trigger: { kind: "schedule", everyMinutes: 1 },
    tableAccess: "readWrite",
    sendsSms: false,
    usesComposeExtension: false,
    usesPrivacyKey: true,
    // Steps until 10 s before its end, under its one-minute schedule (runs never overlap).
    limits: withTimeout(50),
  },
  {
    id: "idle-close",
    summary: "Closes SMS interactions idle past IDLE_CLOSE_AFTER, so a stale conversation never captures a reply",
    trigger: { kind: "schedule", everyMinutes: 15 },
    tableAccess: "readWrite",
    sendsSms: false,
    usesComposeExtension: false,
    // Pages through idle interactions until 5 s before its end; the next run picks up the rest.
    limits: withTimeout(60),
  },
];

export function functionById(id: string): FunctionDefinition {
  const found = functionTable.find((definition) => definition.id === id);
  if (!found) throw new Error(`no function '${id}' in the functions table`);
  return found;
}
