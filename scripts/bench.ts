/**
 * `npm run bench`: the figures of issue 12, measured in one run (a few minutes on 2 cores), printed
 * as one table per section and written to bench/results.json with the date and the machine. Never
 * asserted in tests: timings belong to a machine and a moment.
 *
 * 1. the request path (bench-request-path.ts): the handlers in process against DynamoDB Local,
 *    DynamoDB calls per operation (SDK middleware), handler and DynamoDB time, request units;
 * 2. bundles and cold starts (bench-cold-start.ts): every function bundled as the stack bundles it,
 *    against a floor function built in the same run;
 * 3. the local server (bench-local-server.ts): throughput and latency at 1, 8 and 32 in flight;
 * 4. infrastructure cost per 1,000 conversations (bench-cost.ts), from section 1's figures.
 *
 * BENCH_SECTIONS=1,2 runs only those sections (the cost needs section 1); the file is still written.
 *
 * The figures also go to docs/performance.md, between its markers (bench-report.ts), and nowhere
 * else: a bench run never edits the README. A partial run leaves the page as it was.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { format, resolveConfig } from "prettier";
import { startDynamoDbLocal } from "../local/dynamodb-local";
import { benchColdStart, printColdStart, type ColdStartResult } from "./bench-cold-start";
import { costPerThousandConversations, printCost, type CostResult } from "./bench-cost";
import { projectRoot } from "./bench-events";
import { benchLocalServer, printLocalServer, type LocalServerResult } from "./bench-local-server";
import { writeBenchSection, type BenchResults } from "./bench-report";
import { benchRequestPath, printRequestPath, type RequestPathResult } from "./bench-request-path";

// As server.ts does: the SDK's notice about future Node versions is noise here (engines says >=20.19).
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

/** Sized to keep the whole run under 5 minutes on the project's 2-core machine. */
const settings = {
  requestPath: { rounds: 30, warmupRounds: 3 },
  coldStart: { rounds: 7 },
  localServer: { levels: [1, 8, 32], seconds: 10, warmupSeconds: 3, consumers: 40 },
};
const sections = new Set((process.env.BENCH_SECTIONS ?? "1,2,3,4").split(",").map((section) => section.trim()));

const startedAt = new Date();
const started = performance.now();
const machine = {
  node: process.version,
  cpu: cpus()[0]?.model.trim() ?? "unknown",
  cores: cpus().length,
  memoryGiB: Math.round(totalmem() / 1024 ** 3),
  os: `${process.platform} ${release()}`,
  /** Load average when the run started: anything else running on the machine shows here. */
  loadAverage: loadavg().map((value) => Math.round(value * 100) / 100),
};
console.log(
  `npm run bench, ${startedAt.toISOString()}: Node ${machine.node}, ${machine.cpu} × ${machine.cores} cores, ${machine.memoryGiB} GiB, load ${machine.loadAverage.join(" ")}`,
);

const workDir = mkdtempSync(join(tmpdir(), "sms-bench-"));
let requestPath: RequestPathResult | undefined;
let coldStart: ColdStartResult | undefined;
let localServer: LocalServerResult | undefined;
let cost: CostResult | undefined;
const seconds: Record<string, number> = {};
const timed = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
  const at = performance.now();
  try {
    return await run();
  } finally {
    seconds[name] = Math.round((performance.now() - at) / 100) / 10;
  }
};

try {
  if (sections.has("1") || sections.has("2")) {
    const dynamo = await startDynamoDbLocal();
    try {
      if (sections.has("1")) {
        requestPath = await timed("requestPath", () => benchRequestPath({ endpoint: dynamo.endpoint, workDir, ...settings.requestPath }));
        printRequestPath(requestPath);
      }
      if (sections.has("2")) {
        coldStart = await timed("coldStart", () => benchColdStart({ endpoint: dynamo.endpoint, workDir, ...settings.coldStart }));
        printColdStart(coldStart);
      }
    } finally {
      await dynamo.stop();
    }
  }
  if (sections.has("3")) {
    localServer = await timed("localServer", () => benchLocalServer(settings.localServer));
    printLocalServer(localServer);
  }
  if (sections.has("4") && requestPath) {
    cost = costPerThousandConversations(requestPath.operations);
    printCost(cost);
  }
} finally {
  rmSync(workDir, { recursive: true, force: true });
}

const wallSeconds = Math.round((performance.now() - started) / 100) / 10;
const results: BenchResults & { settings: typeof settings } = {
  date: startedAt.toISOString(),
  machine,
  wallSeconds,
  sectionSeconds: seconds,
  settings,
  requestPath,
  coldStart,
  localServer,
  cost,
};
const file = join(projectRoot, "bench", "results.json");
mkdirSync(join(projectRoot, "bench"), { recursive: true });
// Figures to 5 significant digits; formatted as `npm run lint` (prettier) expects.
const json = JSON.stringify(results, (_, value: unknown) =>
  typeof value === "number" && !Number.isInteger(value) ? Number(value.toPrecision(5)) : value,
);
writeFileSync(file, await format(json, { ...(await resolveConfig(file)), parser: "json" }));
// From the figures as written (5 digits), so the page is exactly what bench/results.json renders to.
const pageWritten = writeBenchSection(join(projectRoot, "docs", "performance.md"), JSON.parse(json) as BenchResults);
console.log(
  `\nwritten to bench/results.json${pageWritten ? " and docs/performance.md" : " (a partial run: docs/performance.md left as it was)"}; the run took ${wallSeconds} s`,
);
process.exit(0);
