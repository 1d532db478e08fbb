/**
 * `npm run load`: a bounded load test of the local server, on 127.0.0.1 only. Starts the server as
 * `npm start` does (own process group, fresh DATA_DIR, DYNAMODB_PORT fixed so the table can be read
 * afterwards), seeds providers and consumers, runs LOAD_SECONDS (60) of mixed desk traffic with
 * LOAD_CONCURRENCY (32) requests in flight, samples the server's memory every second, lets the SMS
 * pipeline settle, then checks the table's invariants. Exits 1 on any 5xx, network error,
 * idempotency mismatch, duplicate hand-over or broken invariant.
 *
 * Environment: LOAD_SECONDS (60), LOAD_CONCURRENCY (32), LOAD_CONSUMERS (100), LOAD_SETTLE_SECONDS
 * (longest wait for the pipeline, 120), LOAD_RESULTS (a path: the figures as JSON), LOAD_HEAP_PROBE=1
 * (also sample the server's process.memoryUsage() through a preloaded module and force a full GC
 * at each checkpoint, to tell retained memory from garbage not yet collected; the server then runs
 * with --expose-gc, so not exactly as `npm start`).
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { freePort } from "../local/dynamodb-local";
import { createDocumentClient } from "../shared/adapters/dynamo/document-client";
import { keys, tableDesign } from "../shared/adapters/dynamo/table-design";
import { devToken, killGroup, startServer, type RunningServer } from "../test/support/local-server-process";
import { invariantViolations } from "../test/support/table-invariants";
// Type only: test-table.ts imports vitest's inject, which cannot run outside vitest.
import type { TestTable } from "../test/support/test-table";
import { operationWeights, Traffic, type Call } from "./load-traffic";

// As server.ts does: the SDK's notice about future Node versions is noise here (engines says >=20.19).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

const TABLE_NAME = "agent-initiated-sms";
const seconds = positiveNumber("LOAD_SECONDS", 60);
const concurrency = positiveNumber("LOAD_CONCURRENCY", 32);
const consumerCount = positiveNumber("LOAD_CONSUMERS", 100);
const settleLimitS = positiveNumber("LOAD_SETTLE_SECONDS", 120);
const resultsPath = process.env.LOAD_RESULTS;
const heapProbe = process.env.LOAD_HEAP_PROBE === "1";
const AGENTS = ["ann", "bob", "cat", "dan", "eve", "fay", "gus", "hal"];

function positiveNumber(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw === "") return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    console.error(`${name} must be a positive number, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

// ---------------------------------------------------------------- cleanup, also on Ctrl-C

const dataDir = mkdtempSync(join(tmpdir(), "sms-load-"));
let server: RunningServer | undefined;
let cleanedUp = false;

function cleanUp(): void {
  if (cleanedUp) return;
  cleanedUp = true;
  if (server) killGroup(server);
  // Interrupted while the server was starting: startServer has not handed it over yet, so find our own child.
  else for (const pid of childrenOf(process.pid)) if (commandLine(pid).includes("local/server.ts")) killPidGroup(pid);
  rmSync(dataDir, { recursive: true, force: true });
}

function killPidGroup(pid: number): void {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    // already gone
  }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the server and removing ${dataDir}`);
    cleanUp();
    process.exit(130);
  });
}
process.on("exit", cleanUp);

// ---------------------------------------------------------------- /proc

function childrenOf(parent: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      // The command name may hold spaces and brackets: fields are counted after its closing ')'.
      const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (ppid === parent) children.push(Number(entry));
    } catch {
      // exited while we looked
    }
  }
  return children;
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
  } catch {
    return "";
  }
}

function rssMiB(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------- figures

interface MemorySample {
  /** Seconds since the traffic started (negative: before it, during seeding). */
  t: number;
  at: number;
  phase: "seeded" | "traffic" | "settle";
  nodeRssMiB?: number;
  javaRssMiB?: number;
}

interface HeapLine {
  at: number;
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  afterGc?: boolean;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

const mib = (value: number | undefined) => (value === undefined ? "-" : value.toFixed(1));
const bytesMiB = (value: number | undefined) => (value === undefined ? "-" : (value / 1024 / 1024).toFixed(1));

/** Kept tiny and dependency-free: it runs inside the server (NODE_OPTIONS --import) only with LOAD_HEAP_PROBE=1. */
const HEAP_PROBE_SOURCE = `
import { appendFileSync } from "node:fs";
const file = process.env.LOAD_HEAP_FILE;
const write = (extra) => appendFileSync(file, JSON.stringify({ at: Date.now(), ...process.memoryUsage(), ...extra }) + "\\n");
setInterval(() => write({}), 1000).unref();
process.on("SIGUSR2", () => { globalThis.gc?.(); globalThis.gc?.(); write({ afterGc: true }); });
`;

// ---------------------------------------------------------------- run

async function main(): Promise<number> {
  const dynamoDbPort = await freePort();
  // Sends at any hour the load runs (the send window is not what it measures).
  const env: Record<string, string> = { DYNAMODB_PORT: String(dynamoDbPort), SEND_WINDOW: "00:00-24:00" };
  const heapFile = join(dataDir, "heap.jsonl");
  if (heapProbe) {
    const probe = join(dataDir, "heap-probe.mjs");
    writeFileSync(probe, HEAP_PROBE_SOURCE);
    env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ""} --expose-gc --import=${pathToFileURL(probe).href}`.trim();
    env.LOAD_HEAP_FILE = heapFile;
  }
  console.log(
    `load: ${seconds} s, ${concurrency} in flight, ${consumerCount} consumers, DATA_DIR ${dataDir}${heapProbe ? ", heap probe on" : ""}`,
  );
  server = await startServer("load", env, dataDir);
  const nodePid = server.child.pid!;
  console.log(`server ${server.url} (node pid ${nodePid}) healthy in ${server.startMs} ms; DynamoDB Local on 127.0.0.1:${dynamoDbPort}`);

  const [adminToken, ...agentTokens] = await Promise.all([
    devToken(dataDir, ["--sub", "ada", "--groups", "admins"]),
    ...AGENTS.map((sub) => devToken(dataDir, ["--sub", sub, "--groups", "agents"])),
  ]);
  const javaPid = childrenOf(nodePid).find((pid) => commandLine(pid).startsWith("java") || commandLine(pid).includes("DynamoDBLocal"));

  const calls: Call[] = [];
  const traffic = new Traffic({ url: server.url, adminToken: adminToken!, agentTokens, record: (call) => calls.push(call) });
  const seedStarted = performance.now();
  await traffic.seed(consumerCount);
  const seedCalls = calls.splice(0);
  console.log(
    `seeded ${traffic.providers.length} providers and ${traffic.consumers.length} consumers in ${Math.round(performance.now() - seedStarted)} ms (${seedCalls.length} requests)`,
  );

  // Memory: every second, from just before the traffic until the pipeline has settled.
  const samples: MemorySample[] = [];
  let phase: MemorySample["phase"] = "seeded";
  let trafficStartedAt = Date.now();
  const sample = () => {
    const at = Date.now();
    samples.push({ t: (at - trafficStartedAt) / 1000, at, phase, nodeRssMiB: rssMiB(nodePid), javaRssMiB: rssMiB(javaPid) });
  };
  sample();
  // With the probe: a full GC at each checkpoint shows what is retained, apart from garbage not yet collected.
  const gcMarks: { label: string; at: number }[] = [];
  const forceGc = (label: string) => {
    gcMarks.push({ label, at: Date.now() });
    process.kill(nodePid, "SIGUSR2");
  };
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  if (heapProbe) {
    forceGc("start");
    await pause(1_500);
  }
  phase = "traffic";
  trafficStartedAt = Date.now();
  const sampler = setInterval(sample, 1000);
  const gcTimers = heapProbe ? [0.25, 0.5, 0.75].map((f) => setTimeout(() => forceGc(`${f * 100}%`), f * seconds * 1000)) : [];

  const deadline = trafficStartedAt + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (Date.now() < deadline) await traffic.step(worker);
    }),
  );
  const elapsedS = (Date.now() - trafficStartedAt) / 1000;
  sample();
  phase = "settle";
  gcTimers.forEach(clearTimeout);
  if (heapProbe) forceGc("end");

  // The SMS pipeline: wait until no outbound message is queued or being sent (the sweep finishes stragglers).
  const documentClient = createDocumentClient({ endpoint: `http://127.0.0.1:${dynamoDbPort}` });
  const scanAll = async (
    filter?: Pick<
      ConstructorParameters<typeof ScanCommand>[0],
      "FilterExpression" | "ExpressionAttributeNames" | "ExpressionAttributeValues"
    >,
  ) => {
    const items: Record<string, unknown>[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient.send(new ScanCommand({ TableName: TABLE_NAME, ExclusiveStartKey: startKey, ...filter }));
      items.push(...(page.Items ?? []));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return items;
  };
  const pendingIndex = tableDesign.indexes.pendingBySender;
  const countPending = async (provider: string): Promise<number> => {
    let count = 0;
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await documentClient.send(
        new QueryCommand({
          TableName: TABLE_NAME,
          IndexName: pendingIndex.indexName,
          KeyConditionExpression: "#pk = :pk",
          ExpressionAttributeNames: { "#pk": pendingIndex.partitionKey },
          ExpressionAttributeValues: { ":pk": keys.pendingPartition(provider) },
          Select: "COUNT",
          ExclusiveStartKey: startKey,
        }),
      );
      count += page.Count ?? 0;
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return count;
  };
  const settleStarted = Date.now();
  let pending = -1;
  const pendingSeen: { t: number; pending: number }[] = [];
  await pause(2_000);
  while (Date.now() - settleStarted < settleLimitS * 1000) {
    // The pipeline's own index of pending messages, counted per send-from number: a scan of the
    // whole table every second would load DynamoDB Local and slow the very pipeline it watches.
    pending = 0;
    for (const provider of traffic.providers) pending += await countPending(provider);
    pendingSeen.push({ t: (Date.now() - settleStarted) / 1000, pending });
    if (pending === 0) break;
    await pause(1_000);
  }
  const settleS = (Date.now() - settleStarted) / 1000;
  clearInterval(sampler);
  sample();

  if (heapProbe) {
    forceGc("settled");
    await pause(2_000);
  }
  const heapLines: HeapLine[] = heapProbe && existsSync(heapFile) ? readHeapLines(heapFile) : [];
  const afterGc = gcMarks.map((mark) => ({ ...mark, line: heapLines.find((line) => line.afterGc && line.at >= mark.at) }));

  const table: TestTable = {
    tableName: TABLE_NAME,
    endpoint: `http://127.0.0.1:${dynamoDbPort}`,
    documentClient,
    scanAll: () => scanAll(),
    drop: async () => documentClient.destroy(),
  };
  const items = await table.scanAll();
  const violations = await invariantViolations(table);
  const outbound = items.filter((item) => item.itemType === "message" && item.direction === "outbound");
  const statusCounts = countBy(outbound.map((item) => String(item.status)));
  const outbox = readOutbox(join(dataDir, "outbox.jsonl"));
  await table.drop();

  // ------------------------------------------------------------ report
  const byOp = new Map<string, Call[]>();
  for (const call of calls) byOp.set(call.op, [...(byOp.get(call.op) ?? []), call]);
  const operations = [...byOp.entries()]
    .sort(([a], [b]) => Object.keys(operationWeights).indexOf(a) - Object.keys(operationWeights).indexOf(b))
    .map(([op, list]) => {
      const sorted = list.map((call) => call.ms).sort((a, b) => a - b);
      return {
        op,
        count: list.length,
        p50: percentile(sorted, 50),
        p95: percentile(sorted, 95),
        p99: percentile(sorted, 99),
        non2xx: list.filter((call) => call.status < 200 || call.status > 299).length,
      };
    });
  const errors = countBy(calls.filter((c) => c.status < 200 || c.status > 299).map((c) => `${c.status} ${c.code ?? ""}`.trim()));
  const expected4xx = Object.entries(errors).filter(([key]) => key.startsWith("4"));
  const serverErrors = Object.entries(errors).filter(([key]) => key.startsWith("5"));
  const networkErrors = Object.entries(errors).filter(([key]) => key.startsWith("0"));
  const fiveXx = serverErrors.reduce((sum, [, n]) => sum + n, 0);
  const failedRequests = networkErrors.reduce((sum, [, n]) => sum + n, 0);

  const all = calls.map((c) => c.ms).sort((a, b) => a - b);
  console.log(`\n== traffic: ${calls.length} requests in ${elapsedS.toFixed(1)} s = ${(calls.length / elapsedS).toFixed(1)} requests/s`);
  console.log(
    `   all: p50 ${percentile(all, 50).toFixed(1)} ms, p95 ${percentile(all, 95).toFixed(1)} ms, p99 ${percentile(all, 99).toFixed(1)} ms`,
  );
  console.log(
    `\n${"operation".padEnd(28)}${"count".padStart(7)}${"p50 ms".padStart(9)}${"p95 ms".padStart(9)}${"p99 ms".padStart(9)}${"non-2xx".padStart(9)}`,
  );
  for (const row of operations) {
    console.log(
      `${row.op.padEnd(28)}${String(row.count).padStart(7)}${row.p50.toFixed(1).padStart(9)}${row.p95.toFixed(1).padStart(9)}${row.p99.toFixed(1).padStart(9)}${String(row.non2xx).padStart(9)}`,
    );
  }
  console.log(`\n== errors by status`);
  console.log(`   expected 4xx: ${expected4xx.length ? expected4xx.map(([k, n]) => `${k} ×${n}`).join(", ") : "none"}`);
  console.log(`   5xx:          ${serverErrors.length ? serverErrors.map(([k, n]) => `${k} ×${n}`).join(", ") : "none"}`);
  console.log(`   network:      ${networkErrors.length ? networkErrors.map(([k, n]) => `${k} ×${n}`).join(", ") : "none"}`);

  const trafficSamples = samples.filter((s) => s.phase !== "settle");
  const checkpoints = [
    ["start", 0],
    ["25%", 0.25],
    ["middle", 0.5],
    ["75%", 0.75],
    ["end", 1],
  ] as const;
  const nearest = <T extends { at: number }>(list: T[], at: number): T | undefined =>
    list.reduce<T | undefined>((best, s) => (!best || Math.abs(s.at - at) < Math.abs(best.at - at) ? s : best), undefined);
  console.log(`\n== memory (MiB; node = the server's Node process, pid ${nodePid}; java = DynamoDB Local, pid ${javaPid ?? "not found"})`);
  console.log(
    `${"".padEnd(14)}${"t s".padStart(7)}${"node RSS".padStart(10)}${"java RSS".padStart(10)}${heapProbe ? `${"heapUsed".padStart(10)}${"heapTotal".padStart(10)}${"external".padStart(10)}` : ""}`,
  );
  const memoryRows = [
    ...checkpoints.map(([label, fraction]) => [label, nearest(trafficSamples, trafficStartedAt + fraction * elapsedS * 1000)] as const),
    ["settled", samples[samples.length - 1]] as const,
  ];
  for (const [label, s] of memoryRows) {
    if (!s) continue;
    const heap = heapProbe
      ? nearest(
          heapLines.filter((line) => !line.afterGc),
          s.at,
        )
      : undefined;
    console.log(
      `${label.padEnd(14)}${s.t.toFixed(0).padStart(7)}${mib(s.nodeRssMiB).padStart(10)}${mib(s.javaRssMiB).padStart(10)}${heap ? `${bytesMiB(heap.heapUsed).padStart(10)}${bytesMiB(heap.heapTotal).padStart(10)}${bytesMiB(heap.external).padStart(10)}` : ""}`,
    );
  }
  const peakNode = Math.max(...samples.map((s) => s.nodeRssMiB ?? 0));
  const peakJava = Math.max(...samples.map((s) => s.javaRssMiB ?? 0));
  console.log(`${"peak".padEnd(14)}${"".padStart(7)}${mib(peakNode).padStart(10)}${mib(peakJava).padStart(10)}`);
  const everyTen = trafficSamples.filter((s, i) => i === 0 || Math.floor(s.t / 10) !== Math.floor(trafficSamples[i - 1]!.t / 10));
  console.log(`   node RSS every 10 s: ${everyTen.map((s) => mib(s.nodeRssMiB)).join(" ")}`);
  if (heapProbe) {
    const heapTen = heapLines.filter(
      (line) => !line.afterGc && line.at >= trafficStartedAt && line.at <= trafficStartedAt + elapsedS * 1000,
    );
    const tenly = heapTen.filter((_, i) => i % 10 === 0);
    console.log(`   heapUsed every 10 s: ${tenly.map((line) => bytesMiB(line.heapUsed)).join(" ")}`);
    console.log(`   retained after a forced full GC (MiB):`);
    for (const { label, at, line } of afterGc) {
      if (!line) continue;
      console.log(
        `     ${label.padEnd(9)} t ${((at - trafficStartedAt) / 1000).toFixed(0).padStart(4)} s: heapUsed ${bytesMiB(line.heapUsed)}, heapTotal ${bytesMiB(line.heapTotal)}, external ${bytesMiB(line.external)}, rss ${bytesMiB(line.rss)}`,
      );
    }
  }

  const duplicateHandOvers = outbox.ids.length - new Set(outbox.ids).size;
  console.log(`\n== after the traffic (settled in ${settleS.toFixed(1)} s${pending > 0 ? `, ${pending} still pending` : ""})`);
  const every10 = pendingSeen.filter((p, i) => i === 0 || Math.floor(p.t / 10) !== Math.floor(pendingSeen[i - 1]!.t / 10));
  console.log(`   still queued or sending while settling: ${every10.map((p) => `${p.t.toFixed(0)} s: ${p.pending}`).join(", ")}`);
  console.log(`   table: ${items.length} items; outbound messages by status: ${JSON.stringify(statusCounts)}`);
  console.log(`   outbox: ${outbox.ids.length} hand-overs, ${duplicateHandOvers} duplicated`);
  const pipeline = pipelineLog(server.output());
  console.log(
    `   sender outcomes (from the server's log): ${JSON.stringify(pipeline.outcomes)}; sweep redispatched ${pipeline.redispatched}`,
  );
  console.log(
    `   idempotency: ${traffic.idempotencyMismatches.length === 0 ? "every repeat answered the first message" : traffic.idempotencyMismatches.join("; ")}`,
  );
  console.log(`   invariants: ${violations.length === 0 ? "all hold" : `${violations.length} violated`}`);
  for (const violation of violations.slice(0, 50)) console.log(`     - ${violation}`);

  if (resultsPath) {
    writeFileSync(
      resultsPath,
      JSON.stringify(
        {
          seconds: elapsedS,
          concurrency,
          consumers: consumerCount,
          requests: calls.length,
          requestsPerSecond: calls.length / elapsedS,
          operations,
          errors,
          memory: { nodePid, javaPid, peakNodeRssMiB: peakNode, peakJavaRssMiB: peakJava, samples, heap: heapLines, afterGc },
          settle: { seconds: settleS, pending, pendingSeen },
          outboundStatus: statusCounts,
          outbox: { handOvers: outbox.ids.length, duplicated: duplicateHandOvers },
          pipeline,
          idempotencyMismatches: traffic.idempotencyMismatches,
          violations,
        },
        null,
        2,
      ),
    );
    console.log(`\nfigures written to ${resultsPath}`);
  }

  const failed =
    fiveXx > 0 || failedRequests > 0 || violations.length > 0 || traffic.idempotencyMismatches.length > 0 || duplicateHandOvers > 0;
  if (failed)
    console.log(
      `\nFAILED: ${fiveXx} 5xx, ${failedRequests} network errors, ${violations.length} invariant violations, ${traffic.idempotencyMismatches.length} idempotency mismatches, ${duplicateHandOvers} duplicate hand-overs`,
    );
  if (pending > 0) console.log(`\nWARNING: the SMS pipeline had not settled: ${pending} outbound messages still queued or sending`);
  if (fiveXx > 0) {
    const errorLines = server
      .output()
      .split("\n")
      .filter((line) => /error|fail|threw/i.test(line));
    console.log(`\nserver error lines (first 40):\n${tail(errorLines, 40)}`);
  }
  return failed ? 1 : 0;
}

/** Lines cut to 300 characters: a JSON log line can be long. */
function tail(lines: string[], count: number): string {
  return lines
    .slice(0, count)
    .map((line) => (line.length > 300 ? `${line.slice(0, 300)}…` : line))
    .join("\n");
}

/** What the SMS pipeline did, read from the server's JSON log lines: each record's hand-over outcome, and the sweep's re-dispatches. */
function pipelineLog(output: string): { outcomes: Record<string, number>; redispatched: number } {
  const outcomes: string[] = [];
  let redispatched = 0;
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const entry = JSON.parse(line) as { message?: string; outcome?: string; redispatched?: number };
      if (entry.message === "hand-over" && entry.outcome) outcomes.push(entry.outcome);
      if (entry.message === "sms sweep") redispatched += entry.redispatched ?? 0;
    } catch {
      // not one of ours
    }
  }
  return { outcomes: countBy(outcomes), redispatched };
}

function countBy(values: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

function readHeapLines(file: string): HeapLine[] {
  return readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as HeapLine);
}

function readOutbox(file: string): { ids: string[] } {
  if (!existsSync(file)) return { ids: [] };
  return {
    ids: readFileSync(file, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => String((JSON.parse(line) as { id?: string }).id)),
  };
}

let code = 1;
try {
  code = await main();
} catch (error) {
  console.error(`load test failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  if (server) console.error(`server output (last 40 lines):\n${tail(server.output().trimEnd().split("\n").slice(-40), 40)}`);
} finally {
  cleanUp();
}
process.exit(code);
