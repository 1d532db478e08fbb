import { rmSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFileAsync, killGroup, outputWith, startServerThroughNpm, type RunningServer } from "../support/local-server-process";

/**
 * `npm start` as an IDE's stop button or a process manager sees it: one PID, npm's. npm passes a
 * signal to its child only; the start script `exec`s node so that child is the server itself (a
 * `sh -c` in between would take the signal and leave the API, DynamoDB Local and esbuild running).
 */

/** The processes of npm's group (npm, node, esbuild, java), and any other naming the server's DATA_DIR (java's -dbPath). */
async function processesOf(server: RunningServer): Promise<string[]> {
  const { stdout } = await execFileAsync("ps", ["-eo", "pid=,pgid=,args="]);
  return stdout
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => {
      const [pid, pgid] = line.split(/\s+/);
      if (!pid || Number(pid) === process.pid) return false;
      return Number(pgid) === server.child.pid || line.includes(server.dataDir);
    });
}

let server: RunningServer | undefined;
beforeAll(async () => {
  // Without SEND_WINDOW (the tests' environment sets one), as a new user starts it.
  server = await startServerThroughNpm("npm-stop", { SEND_WINDOW: "" });
}, 120_000);
afterAll(() => {
  killGroup(server);
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

describe("npm start, stopped through npm's PID", () => {
  it("says the send window it applies and how to send at any hour", async () => {
    const line = "send window: 08:00-21:00 in each customer's time; to send at any hour: SEND_WINDOW=00:00-24:00 npm start";
    expect(await outputWith(server!, line)).toContain(line);
  });

  it("SIGTERM to npm stops the API, DynamoDB Local and esbuild: nothing of it is left", async () => {
    const running = await processesOf(server!);
    expect(running.some((line) => line.includes("local/server.ts"))).toBe(true);
    expect(running.some((line) => line.includes("DynamoDBLocal.jar"))).toBe(true);
    // No shell between npm and the server.
    expect(running.some((line) => /\bsh -c\b/.test(line))).toBe(false);

    process.kill(server!.child.pid!, "SIGTERM");
    const exit = await Promise.race([server!.exited, new Promise<"still running">((r) => setTimeout(() => r("still running"), 20_000))]);
    expect(exit, server!.output()).not.toBe("still running");
    let left = await processesOf(server!);
    for (const deadline = Date.now() + 10_000; left.length > 0 && Date.now() < deadline; left = await processesOf(server!)) {
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(left, server!.output()).toEqual([]);
    expect(server!.output()).toContain("agent-initiated-sms local API stopped");
  }, 60_000);
});
