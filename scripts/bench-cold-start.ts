/**
 * Section 2 of `npm run bench`: bundles and cold starts. Every function of the functions table is
 * bundled exactly as the stack bundles it (infra/service-function.ts: esbuild, ESM, minified,
 * node22, main fields module/main, the ESM require banner, the AWS SDK bundled, source map without
 * sources; and our two bundle savings: the credential chain aliased to the environment's
 * credentials, infra/lambda-credentials.ts, and the source map trimmed to our own code). The floor
 * (bench-floor-handler.ts: the DynamoDB document client and one GetItem) is a bare SDK function:
 * the same esbuild settings without our savings, as anyone would bundle it. It is also measured
 * bundled as ours ("floor, bundled as ours"), to show what the savings alone are worth.
 *
 * Cold start: a fresh `node` process (NODE_OPTIONS=--enable-source-maps, as the stack sets it)
 * imports the bundle and handles one first event: the function's fixture from events/, the floor
 * a GetItem, against DynamoDB Local. Timed inside the process from just before the import to the
 * settled first answer (Node's own start-up, the same for all, is left out). Rounds are
 * interleaved (floor, every function, floor, ...), each on a fresh table seeded with the fixtures'
 * provider and consumer, so every round's first event meets the same data; the figure is the
 * median of the rounds.
 *
 * BENCH_PROFILE_DIR=<dir>: each fresh process also writes a CPU profile of its first event there
 * (<function>-<pid>.cpuprofile; open it in Chrome's DevTools), to see where a first event's time goes.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { CreateTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { PutCommand } from "@aws-sdk/lib-dynamodb";
import { build, type Metafile } from "esbuild";
import { createAdapters } from "../shared/platform/composition-root";
import { trimSourceMap } from "../infra/trim-source-map.mjs";
import { createTableInput } from "../shared/adapters/dynamo/table-definition";
import { defaultLimits, functionTable, type LambdaLimits } from "../shared/platform/function-table";
import { createConsumer } from "../shared/use-cases/create-consumer";
import { createProvider } from "../shared/use-cases/create-provider";
import { fixturePath, projectRoot, sendWindowAllDay } from "./bench-events";
import { median } from "./bench-percentiles";
import { figure, printTable } from "./bench-table";

export const floorId = "floor";
export const floorAsOursId = "floor-bundled-as-ours";

/** BENCH_ONLY=initiate-message,compose-options: only these functions (and the floor), to look at one closely. */
const only = process.env.BENCH_ONLY?.split(",").map((id) => id.trim());

export interface BundleFigures {
  id: string;
  trigger: string;
  /** index.mjs, what Node parses at cold start. */
  kb: number;
  /** index.mjs.map, deployed beside it (read by --enable-source-maps). */
  mapKb: number;
  kbAboveFloor: number;
  /** The largest contributors to index.mjs (npm packages, or our own folders), KB. */
  largest: { name: string; kb: number }[];
}

export interface ColdStartFigures extends BundleFigures {
  /** Medians over the rounds, ms. */
  importMs: number;
  firstEventMs: number;
  coldMs: number;
  /** coldMs ÷ the floor's coldMs. */
  ratio: number;
  /** Of the first event, the time DynamoDB Local took to answer its HTTP requests (overlaps counted once). */
  dynamoWaitMs: number;
  /** The cold start less that wait: the function's own work (import, first-use code, marshalling, signing). */
  ownColdMs: number;
  /** ownColdMs ÷ the floor's ownColdMs: the ratio without the time DynamoDB Local takes over a fresh table's first calls. */
  ownRatio: number;
  /** How the first event was answered (the fixture's path through the function). */
  answered: string;
  /** import + first event of every round, ms. */
  rounds: number[];
}

export interface ColdStartResult {
  rounds: number;
  /** The bare SDK function: the reference of every ratio. */
  floor: ColdStartFigures;
  /** The same function bundled with our savings (aliased credentials, trimmed map). */
  floorAsOurs: ColdStartFigures;
  functions: ColdStartFigures[];
}

/** The probe a fresh process runs: read the event, then time the import and the first event. */
const probeSource = `
import { readFileSync, writeFileSync } from "node:fs";
import { subscribe } from "node:diagnostics_channel";
// The first event's wait on DynamoDB (Local): from each HTTP request's start to its response (or
// error), overlapping requests counted once. Node's own HTTP client channels: nothing patched.
// DynamoDB Local is the only HTTP server a probe talks to (outbox, event bus and key are files).
const dynamo = new URL(process.env.DYNAMODB_ENDPOINT);
let inFlight = 0;
let waitingSince = 0;
let dynamoWaitMs = 0;
const isDynamo = (request) => request.host === dynamo.hostname;
const opened = new WeakSet();
subscribe("http.client.request.start", ({ request }) => {
  if (!isDynamo(request)) return;
  opened.add(request);
  if (inFlight++ === 0) waitingSince = performance.now();
});
const closed = ({ request }) => {
  if (!opened.has(request)) return;
  opened.delete(request);
  if (--inFlight === 0) dynamoWaitMs += performance.now() - waitingSince;
};
subscribe("http.client.response.finish", closed);
subscribe("http.client.request.error", closed);
const event = JSON.parse(readFileSync(process.env.BENCH_EVENT, "utf8"));
const context = {
  callbackWaitsForEmptyEventLoop: false, functionName: process.env.BENCH_FUNCTION, functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:000000000000:function:" + process.env.BENCH_FUNCTION, memoryLimitInMB: process.env.BENCH_MEMORY_MB,
  awsRequestId: "cold-start", logGroupName: "/aws/lambda/" + process.env.BENCH_FUNCTION, logStreamName: "bench",
  getRemainingTimeInMillis: () => Number(process.env.BENCH_TIMEOUT_MS), done() {}, fail() {}, succeed() {},
};
const started = performance.now();
const { handler } = await import(process.env.BENCH_BUNDLE);
const imported = performance.now();
let session;
if (process.env.BENCH_PROFILE_DIR) {
  const { Session } = await import("node:inspector/promises");
  session = new Session();
  session.connect();
  await session.post("Profiler.enable");
  await session.post("Profiler.setSamplingInterval", { interval: 100 });
  await session.post("Profiler.start");
}
let answered;
try {
  const result = await handler(event, context);
  answered = result && typeof result === "object" && "statusCode" in result ? "HTTP " + result.statusCode
    : result && Array.isArray(result.batchItemFailures) ? result.batchItemFailures.length + " batch item failures"
    : Array.isArray(result) ? result.map((item) => (item && item.outcome) || "ok").join(", ")
    : "ok";
} catch (error) {
  answered = "threw " + (error && error.name);
}
const handled = performance.now();
if (session) {
  const { profile } = await session.post("Profiler.stop");
  writeFileSync(process.env.BENCH_PROFILE_DIR + "/" + process.env.BENCH_FUNCTION + "-" + process.pid + ".cpuprofile", JSON.stringify(profile));
}
writeFileSync(process.env.BENCH_RESULT, JSON.stringify({ importMs: imported - started, firstEventMs: handled - imported, dynamoWaitMs, answered }));
process.exit(0);
`;

/** What one fresh process reports. */
interface ProbeRun {
  importMs: number;
  firstEventMs: number;
  dynamoWaitMs: number;
  answered: string;
}

interface Target {
  id: string;
  trigger: string;
  entry: string;
  event: string;
}

function limitsOf(target: Target): LambdaLimits {
  return functionTable.find((fn) => fn.id === target.id)?.limits ?? defaultLimits;
}

export async function benchColdStart(options: { endpoint: string; workDir: string; rounds: number }): Promise<ColdStartResult> {
  const outDir = join(options.workDir, "bundles");
  mkdirSync(outDir, { recursive: true });
  const floorEvent = join(options.workDir, "floor-event.json");
  writeFileSync(floorEvent, "{}");
  const floorEntry = join(projectRoot, "scripts", "bench-floor-handler.ts");
  const bare: Target[] = [{ id: floorId, trigger: "-", entry: floorEntry, event: floorEvent }];
  const ours: Target[] = [
    { id: floorAsOursId, trigger: "-", entry: floorEntry, event: floorEvent },
    ...functionTable
      .filter((fn) => only === undefined || only.includes(fn.id))
      .map((fn) => ({
        id: fn.id,
        trigger: fn.trigger.kind,
        entry: join(projectRoot, "functions", fn.id, "handler.ts"),
        event: fixturePath(fn.id),
      })),
  ];
  const targets = [...bare, ...ours];

  // The banner and the aliases come from the stack's own module (it loads aws-cdk-lib, once): no copy to drift.
  const { esmRequireBanner, bundleAliases } = await import("../infra/service-function");
  // One esbuild run per way of bundling, each with every entry point and without code splitting:
  // each output is byte for byte the bundle a run of its own makes (as the stack runs esbuild, once
  // per function), but the AWS SDK is parsed once instead of 30 times.
  const bundleAll = (list: Target[], asOurs: boolean) =>
    build({
      entryPoints: Object.fromEntries(list.map((target) => [`${target.id}/index`, target.entry])),
      absWorkingDir: projectRoot,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      mainFields: ["module", "main"],
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      banner: { js: esmRequireBanner },
      ...(asOurs
        ? { alias: Object.fromEntries(Object.entries(bundleAliases).map(([module, path]) => [module, join(projectRoot, path)])) }
        : {}),
      outdir: outDir,
      outExtension: { ".js": ".mjs" },
      logLevel: "warning",
      // Only a report of what went in; the output is the same with or without it.
      metafile: true,
    });
  const bareBuild = await bundleAll(bare, false);
  const oursBuild = await bundleAll(ours, true);
  const bundles = targets.map((target) => {
    const outfile = join(outDir, target.id, "index.mjs");
    const asOurs = ours.includes(target);
    // As the stack's after-bundling hook does: the map keeps only our code's mappings.
    if (asOurs) writeFileSync(`${outfile}.map`, trimSourceMap(readFileSync(`${outfile}.map`, "utf8")));
    return { target, outfile, largest: largestParts((asOurs ? oursBuild : bareBuild).metafile, outfile) };
  });

  const probe = join(options.workDir, "cold-start-probe.mjs");
  writeFileSync(probe, probeSource);
  const dynamo = new DynamoDBClient({
    endpoint: options.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  const runs = new Map<string, ProbeRun[]>(targets.map((target) => [target.id, []]));
  for (let round = 0; round < options.rounds; round++) {
    const tableName = await seededTable(dynamo, options.endpoint, `cold-start-${Date.now().toString(36)}-${round}`);
    const env = {
      PATH: process.env.PATH ?? "",
      NODE_OPTIONS: "--enable-source-maps",
      AWS_REGION: "us-east-1",
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: options.endpoint,
      DEFAULT_COUNTRY: "US",
      POWERTOOLS_SERVICE_NAME: "agent-initiated-sms",
      // Locally the sender writes to a file and the publisher to a local bus: their SNS and
      // EventBridge clients are bundled (and parsed) but not constructed.
      SMS_TRANSPORT: "outbox",
      OUTBOX_FILE: join(options.workDir, "cold-start-outbox.jsonl"),
      EVENTBUS_FILE: join(options.workDir, "cold-start-eventbus.jsonl"),
      // A local key file for the numbers' keyed hash (on AWS: a Secrets Manager read on the first send).
      PRIVACY_KEY_FILE: join(options.workDir, "cold-start-privacy.key"),
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      ...sendWindowAllDay,
    };
    for (const { target, outfile } of bundles) {
      const resultFile = join(options.workDir, `cold-start-${target.id}.json`);
      writeFileSync(resultFile, "");
      const child = spawnSync(process.execPath, [probe], {
        env: {
          ...env,
          BENCH_BUNDLE: pathToFileURL(outfile).href,
          BENCH_EVENT: target.event,
          BENCH_FUNCTION: target.id,
          // The deployed memory and timeout (the floors get the defaults): the probe's context carries them.
          BENCH_MEMORY_MB: String(limitsOf(target).memoryMb),
          BENCH_TIMEOUT_MS: String(limitsOf(target).timeoutSeconds * 1000),
          BENCH_RESULT: resultFile,
          ...(process.env.BENCH_PROFILE_DIR ? { BENCH_PROFILE_DIR: process.env.BENCH_PROFILE_DIR } : {}),
        },
        cwd: options.workDir,
        stdio: ["ignore", "ignore", "pipe"],
        timeout: 60_000,
      });
      const text = readFileSync(resultFile, "utf8");
      if (child.status !== 0 || !text) {
        throw new Error(`cold start of ${target.id}: exit ${child.status ?? child.signal}\n${String(child.stderr).slice(-2000)}`);
      }
      runs.get(target.id)!.push(JSON.parse(text) as ProbeRun);
    }
  }
  dynamo.destroy();

  const floorBundle = bundles[0]!;
  const floorKb = statSync(floorBundle.outfile).size / 1024;
  const coldOf = (run: ProbeRun) => run.importMs + run.firstEventMs;
  const ownOf = (run: ProbeRun) => coldOf(run) - run.dynamoWaitMs;
  const floorCold = median(runs.get(floorId)!.map(coldOf));
  const floorOwn = median(runs.get(floorId)!.map(ownOf));
  const figures = bundles.map(({ target, outfile, largest }): ColdStartFigures => {
    const list = runs.get(target.id)!;
    const kb = statSync(outfile).size / 1024;
    const cold = list.map(coldOf);
    const own = median(list.map(ownOf));
    return {
      id: target.id,
      trigger: target.trigger,
      kb,
      mapKb: statSync(`${outfile}.map`).size / 1024,
      kbAboveFloor: kb - floorKb,
      largest,
      importMs: median(list.map((run) => run.importMs)),
      firstEventMs: median(list.map((run) => run.firstEventMs)),
      coldMs: median(cold),
      ratio: median(cold) / floorCold,
      dynamoWaitMs: median(list.map((run) => run.dynamoWaitMs)),
      ownColdMs: own,
      ownRatio: own / floorOwn,
      answered: [...new Set(list.map((run) => run.answered))].join(" / "),
      rounds: cold,
    };
  });
  return { rounds: options.rounds, floor: figures[0]!, floorAsOurs: figures[1]!, functions: figures.slice(2) };
}

/** A fresh table with what the fixtures name: provider +14155550100, consumer cust-1001 (and the floor's item). */
async function seededTable(dynamo: DynamoDBClient, endpoint: string, tableName: string): Promise<string> {
  await dynamo.send(new CreateTableCommand(createTableInput(tableName)));
  const adapters = createAdapters({ tableName, dynamoDbEndpoint: endpoint, defaultCountry: "US" });
  await createProvider(adapters, { number: "+14155550100", name: "Support line" });
  await createConsumer(adapters, { id: "cust-1001", name: "Jo Bloggs", location: "US", phoneNumbers: ["415 555 0171"] });
  await adapters.documentClient.send(
    new PutCommand({ TableName: tableName, Item: { pk: "FLOOR", sk: "FLOOR", note: "the floor function's item" } }),
  );
  adapters.documentClient.destroy();
  return tableName;
}

/** What fills a bundle, by npm package (or our own top folder), largest first. */
function largestParts(metafile: Metafile, outfile: string): { name: string; kb: number }[] {
  const output = Object.entries(metafile.outputs).find(([path]) => resolve(projectRoot, path) === outfile);
  const totals = new Map<string, number>();
  for (const [path, { bytesInOutput }] of Object.entries(output?.[1].inputs ?? {})) {
    const match = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
    const name = match ? match[1]! : `${path.split("/")[0]}/ (ours)`;
    totals.set(name, (totals.get(name) ?? 0) + bytesInOutput);
  }
  return [...totals.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 6)
    .map(([name, bytes]) => ({ name, kb: Math.round((bytes / 1024) * 10) / 10 }));
}

export function printColdStart(result: ColdStartResult): void {
  const { floor, floorAsOurs } = result;
  const names: Record<string, string> = {
    [floorId]: "floor (document client + one GetItem)",
    [floorAsOursId]: "floor, bundled as ours",
  };
  printTable(
    `2. Bundles and cold starts: built as the stack builds them; cold start = import + first event in a fresh node, median of ${result.rounds} interleaved rounds`,
    [
      "function",
      "trigger",
      "KB",
      "KB above floor",
      "import ms",
      "first event ms",
      "cold ms",
      "÷ floor",
      "DynamoDB wait ms",
      "less wait ÷ floor",
      "first event answered",
    ],
    [floor, floorAsOurs, ...result.functions].map((row) => [
      names[row.id] ?? row.id,
      row.trigger,
      figure(row.kb, 0),
      row.id === floorId ? "–" : figure(row.kbAboveFloor, 0),
      figure(row.importMs),
      figure(row.firstEventMs),
      figure(row.coldMs),
      row.id === floorId ? "1.00×" : `${row.ratio.toFixed(2)}×`,
      figure(row.dynamoWaitMs),
      row.id === floorId ? "1.00×" : `${row.ownRatio.toFixed(2)}×`,
      row.answered,
    ]),
  );
  console.log(
    "\n   KB: index.mjs (minified, AWS SDK bundled; the source map is deployed beside it). Events: events/<function>.json against a table" +
      "\n   holding the fixtures' provider and consumer; ids the fixtures invent (int_example, ...) answer 404, which is their first event too." +
      "\n   The floor is a bare SDK function, bundled with the stack's esbuild settings but without our two savings (the credential chain" +
      "\n   reduced to the environment's credentials, infra/lambda-credentials.ts; the source map trimmed to our code, infra/trim-source-map.mjs);" +
      '\n   every ratio is against it. "floor, bundled as ours" is the same function with the savings.' +
      "\n   DynamoDB wait: of the first event, the time DynamoDB Local took to answer (each HTTP request's start to its response, Node's" +
      "\n   http.client diagnostics channels; overlaps once). Less wait ÷ floor: (cold − wait) ÷ the floor's (cold − wait), the function's own" +
      "\n   cold work, without the time DynamoDB Local (a Java process on the same 2 cores) takes over a fresh table's first calls.",
  );
}
