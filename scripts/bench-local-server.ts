/**
 * Section 3 of `npm run bench`: the local server (`npm start`, local/server.ts: every function and
 * the stream poller in one Node process, DynamoDB Local beside it) under a read-mostly desk mix,
 * at 1, 8 and 32 requests in flight, a few seconds each, on 127.0.0.1. The traffic is
 * `npm run load`'s (scripts/load-traffic.ts), re-weighted towards reads; the load generator shares
 * the machine's cores with the server and DynamoDB Local.
 */
import { rmSync } from "node:fs";
import { devToken, killGroup, startServer, type RunningServer } from "../test/support/local-server-process";
import { Traffic, type Call, type Operation } from "./load-traffic";
import { sendWindowAllDay } from "./bench-events";
import { percentile } from "./bench-percentiles";
import { figure, printTable } from "./bench-table";

/** About 80 % reads: validations, compose options, lists, the event feed (no wait), lookups; the writes keep conversations coming. */
export const readMostlyWeights: Partial<Record<Operation, number>> = {
  validate_phone_number: 14,
  compose_options: 12,
  list_messages: 10,
  list_interactions: 8,
  follow_events: 6,
  find_consumers: 5,
  send_join: 6,
  send_new_number: 3,
  inbound_reply: 5,
};
const writes = new Set<string>(["send_join", "send_new_number", "inbound_reply"]);

export interface LoadLevel {
  inFlight: number;
  seconds: number;
  requests: number;
  requestsPerSecond: number;
  ms: { p50: number; p95: number; p99: number };
  readsMs: { p50: number; p95: number };
  writesMs: { p50: number; p95: number };
  non2xx: number;
  serverErrors: number;
}

export interface LocalServerResult {
  startMs: number;
  consumers: number;
  warmupSeconds: number;
  weights: Partial<Record<Operation, number>>;
  levels: LoadLevel[];
}

export async function benchLocalServer(options: { levels: number[]; seconds: number; warmupSeconds: number; consumers: number }) {
  let server: RunningServer | undefined;
  const stop = () => {
    killGroup(server);
    if (server) rmSync(server.dataDir, { recursive: true, force: true });
  };
  process.once("exit", stop);
  try {
    server = await startServer("bench", { ...sendWindowAllDay });
    const [adminToken, ...agentTokens] = await Promise.all(
      [["--sub", "ada", "--groups", "admins"], ...["ann", "bob", "cat", "dan"].map((sub) => ["--sub", sub, "--groups", "agents"])].map(
        (args) => devToken(server!.dataDir, args),
      ),
    );
    let calls: Call[] = [];
    const traffic = new Traffic({ url: server.url, adminToken: adminToken!, agentTokens, record: (call) => calls.push(call) });
    await traffic.seed(options.consumers);
    // The mix is the traffic's own list of weighted operations: replaced in place by the read-mostly one.
    traffic.weighted.splice(
      0,
      traffic.weighted.length,
      ...(Object.entries(readMostlyWeights) as [Operation, number][]).flatMap(([op, weight]) => Array<Operation>(weight).fill(op)),
    );

    const run = async (inFlight: number, seconds: number) => {
      calls = [];
      const started = Date.now();
      const deadline = started + seconds * 1000;
      await Promise.all(
        Array.from({ length: inFlight }, async (_, worker) => {
          while (Date.now() < deadline) await traffic.step(worker);
        }),
      );
      return { calls, elapsed: (Date.now() - started) / 1000 };
    };

    // Loads every handler the mix touches and creates the first conversations; not reported.
    await run(8, options.warmupSeconds);
    const levels: LoadLevel[] = [];
    for (const inFlight of options.levels) {
      const { calls: done, elapsed } = await run(inFlight, options.seconds);
      const ms = done.map((call) => call.ms);
      const reads = done.filter((call) => !writes.has(call.op)).map((call) => call.ms);
      const written = done.filter((call) => writes.has(call.op)).map((call) => call.ms);
      levels.push({
        inFlight,
        seconds: elapsed,
        requests: done.length,
        requestsPerSecond: done.length / elapsed,
        ms: { p50: percentile(ms, 50), p95: percentile(ms, 95), p99: percentile(ms, 99) },
        readsMs: { p50: percentile(reads, 50), p95: percentile(reads, 95) },
        writesMs: { p50: percentile(written, 50), p95: percentile(written, 95) },
        non2xx: done.filter((call) => call.status < 200 || call.status > 299).length,
        serverErrors: done.filter((call) => call.status >= 500 || call.status === 0).length,
      });
    }
    return {
      startMs: server.startMs,
      consumers: options.consumers,
      warmupSeconds: options.warmupSeconds,
      weights: readMostlyWeights,
      levels,
    } satisfies LocalServerResult;
  } finally {
    stop();
    process.off("exit", stop);
  }
}

export function printLocalServer(result: LocalServerResult): void {
  printTable(
    `3. Local server (npm start) on a read-mostly mix (~80 % reads), ${result.levels[0]?.seconds.toFixed(0) ?? "?"} s per level after ${result.warmupSeconds} s of warm-up`,
    [
      "in flight",
      "requests",
      "requests/s",
      "p50 ms",
      "p95 ms",
      "p99 ms",
      "reads p50",
      "reads p95",
      "writes p50",
      "writes p95",
      "non-2xx",
      "5xx",
    ],
    result.levels.map((level) => [
      level.inFlight,
      level.requests,
      figure(level.requestsPerSecond),
      figure(level.ms.p50),
      figure(level.ms.p95),
      figure(level.ms.p99),
      figure(level.readsMs.p50),
      figure(level.readsMs.p95),
      figure(level.writesMs.p50),
      figure(level.writesMs.p95),
      level.non2xx,
      level.serverErrors,
    ]),
  );
  console.log(
    `\n   mix (weights): ${Object.entries(result.weights)
      .map(([op, weight]) => `${op} ${weight}`)
      .join(", ")}; non-2xx are the mix's expected 4xx (e.g. an invalid number).` +
      `\n   The load generator, the server (every function and the SMS pipeline in one Node process) and DynamoDB Local share the machine.`,
  );
}
