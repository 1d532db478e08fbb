import { execFile, spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { fileURLToPath } from "node:url";
import { freePort } from "../../local/dynamodb-local";

/** The local server as `npm start` runs it (tsx local/server.ts), in its own process group. */
export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
/** What `npm start` and `npm run dev-token` run: node with tsx's loader, one process (no relay). */
export const NODE_WITH_TSX = [process.execPath, "--import", "tsx"] as const;
export const execFileAsync = promisify(execFile);

export interface RunningServer {
  child: ChildProcess;
  dataDir: string;
  port: number;
  url: string;
  /** ms from spawn to the first /health 200 */
  startMs: number;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts `npm start`'s server in a fresh DATA_DIR, or in `reuseDataDir` (a restart on the same data). */
export async function startServer(label: string, env: Record<string, string> = {}, reuseDataDir?: string): Promise<RunningServer> {
  return startServerWith([NODE_WITH_TSX[0], ...NODE_WITH_TSX.slice(1), "local/server.ts"], label, env, reuseDataDir);
}

/** `npm start` itself, npm's process the child: what an IDE's stop button or a process manager signals. */
export async function startServerThroughNpm(label: string, env: Record<string, string> = {}): Promise<RunningServer> {
  return startServerWith(["npm", "start"], label, env);
}

async function startServerWith(
  [command, ...args]: readonly string[],
  label: string,
  env: Record<string, string> = {},
  reuseDataDir?: string,
): Promise<RunningServer> {
  const dataDir = reuseDataDir ?? mkdtempSync(join(tmpdir(), `local-server-${label}-`));
  const port = await freePort();
  const spawnedAt = performance.now();
  const child = spawn(command!, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, PORT: String(port), DATA_DIR: dataDir, HOST: "127.0.0.1", ...env },
    // Own process group, so cleanup can reach tsx, node and java even if the server misbehaves.
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once("exit", (code, signal) => done({ code, signal })),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`server ${label} exited early:\n${output}`);
    try {
      const response = await fetch(`${url}/health`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`server ${label} not healthy within 60 s:\n${output}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, dataDir, port, url, startMs: Math.round(performance.now() - spawnedAt), output: () => output, exited };
}

/** The server's output once it holds `text`, or after `ms` (what it wrote by then): lines after /health may reach the pipe later. */
export async function outputWith(server: RunningServer, text: string, ms = 5_000): Promise<string> {
  for (const deadline = Date.now() + ms; !server.output().includes(text) && Date.now() < deadline;)
    await new Promise((r) => setTimeout(r, 50));
  return server.output();
}

export function killGroup(server: RunningServer | undefined): void {
  if (!server?.child.pid) return;
  try {
    process.kill(-server.child.pid, "SIGKILL");
  } catch {
    // already gone
  }
}

export async function devToken(dataDir: string, args: string[]): Promise<string> {
  const { stdout } = await execFileAsync(NODE_WITH_TSX[0], [...NODE_WITH_TSX.slice(1), "local/dev-token.ts", ...args], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
  });
  const lines = stdout.trim().split("\n");
  return lines[lines.length - 1]!.trim();
}
