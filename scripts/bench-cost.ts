/**
 * Section 4 of `npm run bench`: what 1,000 conversations cost in AWS infrastructure at on-demand
 * prices, from the request path measured in section 1 (DynamoDB request units, handler time, bytes
 * logged, and what the change stream sets off) and the assumptions below. The SMS carrier's price
 * is not in it: it depends on the destination country and the number type.
 */
import type { OperationFigures, OperationId } from "./bench-request-path";
import { printTable } from "./bench-table";

/** us-east-1, on-demand list prices in USD (first pricing tier), as published on aws.amazon.com/pricing in 2025. */
export const prices = {
  /** DynamoDB on-demand (standard table class), per million write request units. */
  dynamoDbWriteRequestUnitsPerMillion: 0.625,
  /** DynamoDB on-demand (standard table class), per million read request units. */
  dynamoDbReadRequestUnitsPerMillion: 0.125,
  /** Lambda on arm64, per GB-second of billed duration. */
  lambdaArmGbSecond: 0.0000133334,
  /** Lambda, per million requests. */
  lambdaRequestsPerMillion: 0.2,
  /** API Gateway HTTP API, per million requests (up to 512 KB each). */
  httpApiRequestsPerMillion: 1.0,
  /** EventBridge, per million custom events put (64 KB chunks). */
  eventBridgeCustomEventsPerMillion: 1.0,
  /** CloudWatch Logs ingestion, per GB (Lambda's logs are vended logs: $0.50 in the first tier). */
  cloudWatchLogsIngestionPerGb: 0.5,
  /** CloudWatch Logs data protection, per GB scanned: the stack masks phone numbers on every log group. */
  cloudWatchLogsDataProtectionPerGb: 0.12,
} as const;

/** What one conversation is, and what the measurements do not give. */
export const assumptions = {
  /** Messages the agent sends: the first one creates the conversation, the others join it. */
  agentMessagesPerConversation: 3,
  /** Customer replies (two-way SMS → SNS → inbound-sms; SNS delivery to Lambda is free). */
  customerRepliesPerConversation: 3,
  /** The agent checks the number once and opens Compose SMS once. */
  validationsPerConversation: 1,
  composeOptionsPerConversation: 1,
  /** Every function's memory (infra/service-function.ts): 512 MB. */
  lambdaMemoryGb: 0.5,
  /** Lambda's own START/END/REPORT records per invocation (JSON log format), beside what our code logs (measured). */
  platformLogBytesPerInvocation: 600,
} as const;

export interface CostLine {
  item: string;
  quantity: number;
  unit: string;
  unitPrice: number;
  usd: number;
}

export interface CostResult {
  prices: typeof prices;
  assumptions: typeof assumptions;
  /** Operations per conversation, from the assumptions. */
  conversation: Partial<Record<OperationId, number>>;
  /** Per 1,000 conversations. */
  lines: CostLine[];
  totalUsd: number;
  notes: string[];
}

export function costPerThousandConversations(operations: readonly OperationFigures[]): CostResult {
  const conversation: Partial<Record<OperationId, number>> = {
    "validate-e164": assumptions.validationsPerConversation,
    "compose-options": assumptions.composeOptionsPerConversation,
    "initiate-created": 1,
    "initiate-joined": assumptions.agentMessagesPerConversation - 1,
    "inbound-reply": assumptions.customerRepliesPerConversation,
  };
  let apiRequests = 0;
  let lambdaRequests = 0;
  let gbSeconds = 0;
  let readUnits = 0;
  let writeUnits = 0;
  let cancelledWriteUnits = 0;
  let events = 0;
  let logBytes = 0;
  for (const [id, perConversation] of Object.entries(conversation) as [OperationId, number][]) {
    const operation = operations.find((candidate) => candidate.id === id);
    if (!operation) throw new Error(`cost: no figures for ${id}`);
    const count = perConversation * 1000;
    const pipelineInvocations = Object.values(operation.pipeline.invocations).reduce((a, b) => a + b, 0);
    if (operation.functionId !== "inbound-sms") apiRequests += count;
    lambdaRequests += count * (1 + pipelineInvocations);
    // Lambda bills each invocation's duration rounded up to the millisecond.
    gbSeconds += (count * assumptions.lambdaMemoryGb * (Math.ceil(operation.handlerMs.p50) + operation.pipeline.handlerMs)) / 1000;
    readUnits += count * (operation.readUnits + operation.pipeline.readUnits);
    writeUnits += count * (operation.writeUnits + operation.pipeline.writeUnits);
    cancelledWriteUnits += count * operation.cancelledWriteUnits;
    events += count * (operation.pipeline.records["event-publisher"] ?? 0);
    logBytes +=
      count * (operation.logBytes + operation.pipeline.logBytes + assumptions.platformLogBytesPerInvocation * (1 + pipelineInvocations));
  }
  const logGb = logBytes / 1024 ** 3;
  const line = (item: string, quantity: number, unit: string, unitPrice: number, per: number): CostLine => ({
    item,
    quantity,
    unit,
    unitPrice,
    usd: (quantity / per) * unitPrice,
  });
  const lines = [
    line("DynamoDB write request units", writeUnits, "WRU", prices.dynamoDbWriteRequestUnitsPerMillion, 1e6),
    line(
      "DynamoDB write request units, cancelled tries (estimate: as if written)",
      cancelledWriteUnits,
      "WRU",
      prices.dynamoDbWriteRequestUnitsPerMillion,
      1e6,
    ),
    line("DynamoDB read request units", readUnits, "RRU", prices.dynamoDbReadRequestUnitsPerMillion, 1e6),
    line("Lambda requests", lambdaRequests, "requests", prices.lambdaRequestsPerMillion, 1e6),
    line("Lambda arm64 duration", gbSeconds, "GB-s", prices.lambdaArmGbSecond, 1),
    line("API Gateway HTTP API requests", apiRequests, "requests", prices.httpApiRequestsPerMillion, 1e6),
    line("EventBridge custom events", events, "events", prices.eventBridgeCustomEventsPerMillion, 1e6),
    line("CloudWatch Logs ingestion", logGb, "GB", prices.cloudWatchLogsIngestionPerGb, 1),
    line("CloudWatch Logs data protection (masking)", logGb, "GB", prices.cloudWatchLogsDataProtectionPerGb, 1),
  ];
  return {
    prices,
    assumptions,
    conversation,
    lines,
    totalUsd: lines.reduce((total, entry) => total + entry.usd, 0),
    notes: [
      "Request units and bytes logged are measured (section 1: median per invocation, plus the mean of what the change stream then sets off: sms-sender, event-publisher); Lambda duration is the handler p50 measured here against DynamoDB Local, a stand-in for DynamoDB's latency in AWS.",
      "A send decided on nothing read is cancelled when the key has a conversation running (joining: the try finds its lock, then joins). DynamoDB bills failed conditional writes but reports no units for them: the cancelled tries are priced as if written (2 WRU per item), an estimate from above.",
      "Not per conversation, so not in the total: the schedules (sms-sweep every minute, idle-close every 15 minutes), alarms, the dashboard, KMS, Cognito, table storage, and the desk's event-feed long-polls (per agent-hour).",
      "Stream-fed invocations are counted as the local poller batches the records (up to 10 per batch); an event source mapping may batch them differently.",
      "DynamoDB Streams reads by Lambda event source mappings are free; SNS deliveries to Lambda are free.",
    ],
  };
}

export function printCost(result: CostResult): void {
  const a = result.assumptions;
  printTable(
    `4. Infrastructure cost per 1,000 conversations, us-east-1 on-demand (${a.agentMessagesPerConversation} agent messages, ${a.customerRepliesPerConversation} customer replies, ${a.validationsPerConversation} validation and ${a.composeOptionsPerConversation} compose options each)`,
    ["item", "quantity", "unit", "price", "USD"],
    [
      ...result.lines.map((entry) => [
        entry.item,
        entry.quantity >= 100 ? Math.round(entry.quantity).toLocaleString("en-US") : entry.quantity.toFixed(4),
        entry.unit,
        `$${Number.isInteger(entry.unitPrice * 100) ? entry.unitPrice.toFixed(2) : entry.unitPrice} ${entry.unit === "GB-s" || entry.unit === "GB" ? `per ${entry.unit}` : "per million"}`,
        entry.usd.toFixed(4),
      ]),
      ["total", "", "", "", result.totalUsd.toFixed(4)],
    ],
  );
  console.log(
    `\n   bytes logged: what the handlers wrote (measured) + ${a.platformLogBytesPerInvocation} bytes of Lambda platform records per invocation; memory ${a.lambdaMemoryGb * 1024} MB.`,
  );
  console.log("   SMS itself: see AWS End User Messaging pricing");
  for (const note of result.notes) console.log(`   ${note}`);
}
