/**
 * The bench's figures as docs/performance.md shows them: a section between two markers that
 * `npm run bench` rewrites from its results (and `npm run bench:docs` from bench/results.json), so a
 * bench run edits that page's figures and nothing else. test/docs/docs.test.ts checks the committed
 * section is what bench/results.json renders to.
 */
import { readFileSync, writeFileSync } from "node:fs";
import type { ColdStartFigures, ColdStartResult } from "./bench-cold-start";
import type { CostResult } from "./bench-cost";
import type { LocalServerResult } from "./bench-local-server";
import type { OperationFigures, RequestPathResult } from "./bench-request-path";

/** What bench.ts writes to bench/results.json. */
export interface BenchResults {
  date: string;
  machine: { node: string; cpu: string; cores: number; memoryGiB: number; os: string; loadAverage: number[] };
  wallSeconds: number;
  sectionSeconds: Record<string, number>;
  requestPath?: RequestPathResult;
  coldStart?: ColdStartResult;
  localServer?: LocalServerResult;
  cost?: CostResult;
}

export const benchSectionStart = "<!-- npm run bench writes from here to the end marker, from bench/results.json: do not edit by hand -->";
export const benchSectionEnd = "<!-- end of npm run bench's figures -->";

/** The bundles that carry libphonenumber's metadata: the phone routes. */
const carriesPhoneMetadata = (row: ColdStartFigures) => row.largest.some((part) => part.name === "libphonenumber-js");

function table(header: readonly string[], rows: readonly (readonly (string | number)[])[]): string {
  const line = (cells: readonly (string | number)[]) => `| ${cells.map(String).join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Two significant figures below 10 ms, whole ms above: the precision repeated runs support. */
function ms(value: number): string {
  if (value === 0) return "0";
  return Number(value.toFixed(1)) >= 10 ? String(Math.round(value)) : value.toFixed(1);
}

const quantity = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 4 });

const kb = (value: number) => String(Math.round(value));
const ratio = (value: number | null) => (value === null ? "" : value.toFixed(2));
const range = (values: number[]) => `${kb(Math.min(...values))}–${kb(Math.max(...values))}`;

/** "TransactWrite! Query TransactWrite" → "3 (a cancelled TransactWrite, Query, TransactWrite)". */
function dynamoCalls(operation: OperationFigures): string {
  const calls = operation.sequence.calls === "none" ? [] : operation.sequence.calls.split(" ");
  if (calls.length === 0) return "0";
  const named = calls.map((call) => (call.endsWith("!") ? `a cancelled ${call.slice(0, -1)}` : call));
  return `${operation.calls.median} (${named.join(", ")})`;
}

function requestPathSection(requestPath: RequestPathResult): string {
  const rows = requestPath.operations.map((operation) => [
    operation.label,
    dynamoCalls(operation),
    ms(operation.handlerMs.p50),
    ms(operation.handlerMs.p95),
    ratio(operation.handlerToDynamo),
    operation.calls.median === 0 ? "" : `${operation.readUnits} / ${operation.writeUnits}`,
  ]);
  return [
    `#### The request path (${requestPath.rounds} rounds after ${requestPath.warmupRounds} to warm up)`,
    "",
    table(["operation", "DynamoDB calls", "handler p50", "handler p95", "÷", "request units (read / write)"], rows),
  ].join("\n");
}

function coldStartSection(coldStart: ColdStartResult, requestPath: RequestPathResult | undefined): string {
  const { floor, floorAsOurs, functions } = coldStart;
  const phone = functions.filter(carriesPhoneMetadata);
  const others = functions.filter((row) => !carriesPhoneMetadata(row));
  const initiate = functions.find((row) => row.id === "initiate-message");
  const warmTransaction = requestPath?.operations.find((operation) => operation.id === "initiate-created")?.wireMs.p50;
  const waits =
    initiate && warmTransaction !== undefined
      ? ` initiate-message's first event waited ${ms(initiate.dynamoWaitMs)} ms for DynamoDB Local, a warm transaction ${ms(warmTransaction)} ms; the floor's GetItem ${ms(floor.dynamoWaitMs)} ms.`
      : "";
  const rows = [floor, floorAsOurs, ...functions].map((row) => [
    row === floor ? "floor (document client + one GetItem)" : row === floorAsOurs ? "floor, bundled as ours" : row.id,
    kb(row.kb),
    ms(row.coldMs),
    row === floor ? "1.00" : ratio(row.ratio),
    `${ms(row.dynamoWaitMs)} ms`,
    row === floor ? "1.00" : ratio(row.ownRatio),
    row.answered,
  ]);
  return [
    `#### Bundles and cold starts (median of ${coldStart.rounds} interleaved rounds)`,
    "",
    `The floor: ${kb(floor.kb)} KB, ${ms(floor.coldMs)} ms; bundled with our two savings, ${kb(floorAsOurs.kb)} KB ` +
      `(${kb(floor.kb - floorAsOurs.kb)} KB less) and ${ms(floorAsOurs.coldMs)} ms. Functions with phone metadata are ` +
      `${range(phone.map((row) => row.kb))} KB (${range(phone.map((row) => row.kbAboveFloor))} KB above the floor), ` +
      `the others ${range(others.map((row) => row.kb))} KB.${waits}`,
    "",
    table(["function", "KB", "cold ms", "÷ floor", "DynamoDB Local's wait", "without it ÷ floor", "first event answered"], rows),
  ].join("\n");
}

function localServerSection(localServer: LocalServerResult): string {
  const rows = localServer.levels.map((level) => [
    level.inFlight,
    Math.round(level.requestsPerSecond),
    `${ms(level.ms.p50)} / ${ms(level.ms.p95)} / ${ms(level.ms.p99)}`,
    ms(level.readsMs.p50),
    ms(level.writesMs.p50),
    level.non2xx,
  ]);
  return [
    `#### The local server (a read-mostly mix over ${localServer.consumers} consumers, ready ${ms(localServer.startMs)} ms after spawn)`,
    "",
    table(["in flight", "requests/s", "p50 / p95 / p99 ms", "reads p50 ms", "writes p50 ms", "non-2xx"], rows),
  ].join("\n");
}

function costSection(cost: CostResult): string {
  const { assumptions } = cost;
  const rows = cost.lines.map((line) => [line.item, `${quantity.format(line.quantity)} ${line.unit}`, `$${line.usd.toFixed(4)}`]);
  return [
    `#### Infrastructure per 1,000 conversations: about $${cost.totalUsd.toFixed(2)}`,
    "",
    `A conversation: ${assumptions.agentMessagesPerConversation} agent messages, ${assumptions.customerRepliesPerConversation} replies, ` +
      `${assumptions.validationsPerConversation} validation and ${assumptions.composeOptionsPerConversation} compose options; ` +
      `us-east-1 on-demand prices, Lambda arm64 at ${assumptions.lambdaMemoryGb * 1024} MB. The SMS themselves are priced by End User Messaging.`,
    "",
    table(["item", "quantity", "cost"], rows),
    "",
    ...cost.notes.map((note) => `- ${note}`),
  ].join("\n");
}

/** The generated section, markers included; undefined when the results lack a section (a partial run). */
export function benchSection(results: BenchResults): string | undefined {
  const { requestPath, coldStart, localServer, cost, machine } = results;
  if (!requestPath || !coldStart || !localServer || !cost) return undefined;
  const date = results.date.slice(0, 16).replace("T", " ");
  return [
    benchSectionStart,
    "",
    `Last run: ${date} UTC, Node ${machine.node.replace(/^v/, "")} on ${machine.cores} ${machine.cpu} cores, ` +
      `load average ${machine.loadAverage[0]} when it started; it took ${Math.round(results.wallSeconds)} s.`,
    "",
    requestPathSection(requestPath),
    "",
    coldStartSection(coldStart, requestPath),
    "",
    localServerSection(localServer),
    "",
    costSection(cost),
    "",
    benchSectionEnd,
  ].join("\n");
}

/** The page with its generated section replaced by `section`. */
export function withBenchSection(page: string, section: string): string {
  const start = page.indexOf(benchSectionStart);
  const end = page.indexOf(benchSectionEnd);
  if (start < 0 || end < start) throw new Error(`the page has no section between "${benchSectionStart}" and "${benchSectionEnd}"`);
  return page.slice(0, start) + section + page.slice(end + benchSectionEnd.length);
}

/** Rewrites the page's generated section; false (the page untouched) when the results lack a section. */
export function writeBenchSection(pageFile: string, results: BenchResults): boolean {
  const section = benchSection(results);
  if (!section) return false;
  writeFileSync(pageFile, withBenchSection(readFileSync(pageFile, "utf8"), section));
  return true;
}
