/**
 * What one handler invocation costs in DynamoDB, measured by AWS SDK middleware on the handlers' own
 * clients: each call's command, its time (the whole call as the handler waits for it, and its HTTP
 * requests alone), whether it failed, and its request units.
 *
 * How the middleware gets onto the clients: the handlers build their document client at module
 * scope through `createDocumentClient`, which calls the listeners registered with
 * `onDocumentClientCreated` (a side-effect-free hook, empty in production). That is the least
 * invasive way that still measures the real request path: a counting HTTP proxy in front of
 * DynamoDB Local would change no production code, but it adds a hop (another process competing for
 * the 2 cores, or the bench's own event loop) to every call, inflating the very handler ÷ DynamoDB
 * ratio this bench reports, and it sees only the wire; patching the SDK's classes is fragile, and
 * spying on our stores would count our methods, not the calls the SDK makes. The hook is ten lines,
 * backward compatible, and does nothing until a listener is registered.
 *
 * Request units: the middleware asks every data-plane call for `ReturnConsumedCapacity: TOTAL`
 * (table and indexes) and removes `ConsumedCapacity` from the answer again, so the handler sees
 * what it would have seen. DynamoDB Local computes the units as DynamoDB does (item size, indexes,
 * transactions twice). A call that fails (a condition that does not hold, a cancelled transaction)
 * reports no units although DynamoDB bills it: such calls are counted apart.
 *
 * Which invocation a call belongs to: an AsyncLocalStorage "sink" opened around the invocation, so
 * stream-fed functions invoked while the request path is measured are told apart. The same sink
 * counts the bytes the invocation writes to stdout/stderr (its log lines and EMF metrics, what
 * CloudWatch Logs would ingest) and swallows them, so the bench's tables stay readable.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { onDocumentClientCreated } from "../shared/adapters/dynamo/document-client";

export interface DynamoCall {
  /** The DynamoDB operation: GetItem, Query, TransactWriteItems, ... */
  command: string;
  /** The call as the handler waits for it: marshalling, signing, retries and the round trips. */
  startedAt: number;
  endedAt: number;
  /** Each HTTP attempt alone (request out, response in, before parsing): what a proxy on the wire would time. */
  wire: [number, number][];
  /** The error's name when the call failed (ConditionalCheckFailedException, TransactionCanceledException, ...). */
  error?: string;
  readUnits: number;
  writeUnits: number;
  /** False when DynamoDB returned no ConsumedCapacity (a failed call, or a control-plane operation). */
  unitsReported: boolean;
  /** A cancelled TransactWriteItems: how many items it carried (DynamoDB bills failed conditional writes; no units are reported). */
  cancelledItems?: number;
}

export interface Measured<T> {
  result: T;
  ms: number;
  calls: DynamoCall[];
  /** Bytes written to stdout and stderr during the invocation. */
  logBytes: number;
}

interface Sink {
  calls: DynamoCall[];
  logBytes: number;
}

/** The operations that accept ReturnConsumedCapacity. */
const meteredCommands = new Set([
  "GetItem",
  "PutItem",
  "UpdateItem",
  "DeleteItem",
  "Query",
  "Scan",
  "BatchGetItem",
  "BatchWriteItem",
  "TransactGetItems",
  "TransactWriteItems",
  "ExecuteStatement",
  "BatchExecuteStatement",
  "ExecuteTransaction",
]);
const readCommands = new Set(["GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"]);

interface Capacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

export class DynamoDbMeter {
  private readonly storage = new AsyncLocalStorage<Sink>();
  private readonly unregister: () => void;
  private readonly restoreOutput: () => void;
  /** Clients the middleware was added to: 0 after importing a handler means the hook no longer reaches them. */
  clientsMetered = 0;

  constructor() {
    this.unregister = onDocumentClientCreated((client) => this.attach(client));
    this.restoreOutput = this.captureOutput();
  }

  /** Runs `invoke` with its own sink: the DynamoDB calls made and the bytes logged until it settles. */
  async measure<T>(invoke: () => Promise<T>): Promise<Measured<T>> {
    const sink: Sink = { calls: [], logBytes: 0 };
    const started = performance.now();
    const result = await this.storage.run(sink, invoke);
    return { result, ms: performance.now() - started, calls: sink.calls, logBytes: sink.logBytes };
  }

  close(): void {
    this.unregister();
    this.restoreOutput();
  }

  private attach(client: DynamoDBDocumentClient): void {
    this.clientsMetered++;
    /** The wire times of the call in flight, by its handler context (one per send, shared by its retries). */
    const wireOf = new WeakMap<object, [number, number][]>();
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const sink = this.storage.getStore();
        if (!sink) return next(args);
        const command = String(context.commandName ?? "unknown").replace(/Command$/, "");
        const input = args.input as Record<string, unknown>;
        const askUnits = meteredCommands.has(command) && input.ReturnConsumedCapacity === undefined;
        const wire: [number, number][] = [];
        wireOf.set(context, wire);
        const startedAt = performance.now();
        try {
          const answer = await next(askUnits ? { ...args, input: { ...input, ReturnConsumedCapacity: "TOTAL" } } : args);
          const output = answer.output as { ConsumedCapacity?: Capacity | Capacity[] };
          const units = requestUnits(command, output.ConsumedCapacity, input.ConsistentRead === true);
          if (askUnits) delete output.ConsumedCapacity;
          sink.calls.push({ command, startedAt, endedAt: performance.now(), wire, ...units });
          return answer;
        } catch (error) {
          const name = error instanceof Error ? error.name : String(error);
          sink.calls.push({
            command,
            startedAt,
            endedAt: performance.now(),
            wire,
            error: name,
            readUnits: 0,
            writeUnits: 0,
            unitsReported: false,
            ...(command === "TransactWriteItems" && Array.isArray(input.TransactItems)
              ? { cancelledItems: input.TransactItems.length }
              : {}),
          });
          throw error;
        }
      },
      // Outermost: the time includes marshalling, signing, retries and the round trip, as the handler waits for it.
      { step: "initialize", priority: "high", name: "benchDynamoDbMeter" },
    );
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const wire = wireOf.get(context);
        if (!wire) return next(args);
        const started = performance.now();
        try {
          return await next(args);
        } finally {
          wire.push([started, performance.now()]);
        }
      },
      // Innermost, after the deserializer: the HTTP request alone.
      { step: "deserialize", priority: "low", name: "benchDynamoDbWireMeter" },
    );
  }

  /** Counts (and swallows) what is written to stdout/stderr inside a sink; everything else passes through. */
  private captureOutput(): () => void {
    const streams = [process.stdout, process.stderr] as const;
    const originals = streams.map((stream) => stream.write);
    streams.forEach((stream, index) => {
      const original = originals[index]!;
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        const sink = this.storage.getStore();
        if (!sink) return (original as (...args: unknown[]) => boolean).call(stream, chunk, ...rest);
        sink.logBytes += typeof chunk === "string" ? Buffer.byteLength(chunk) : chunk.byteLength;
        const callback = rest.find((value) => typeof value === "function") as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof stream.write;
    });
    return () => streams.forEach((stream, index) => (stream.write = originals[index]!));
  }
}

function requestUnits(command: string, consumed: Capacity | Capacity[] | undefined, consistent: boolean) {
  if (consumed === undefined) return { readUnits: 0, writeUnits: 0, unitsReported: false };
  // DynamoDB Local reports 0 for a read that finds nothing; DynamoDB bills such a read one read unit
  // (0.5 request unit eventually consistent, 1 strongly consistent).
  const single = !Array.isArray(consumed) && readCommands.has(command) && (consumed.CapacityUnits ?? 0) === 0;
  if (single) return { readUnits: consistent ? 1 : 0.5, writeUnits: 0, unitsReported: true };
  let readUnits = 0;
  let writeUnits = 0;
  for (const entry of Array.isArray(consumed) ? consumed : [consumed]) {
    if (entry.ReadCapacityUnits !== undefined || entry.WriteCapacityUnits !== undefined) {
      readUnits += entry.ReadCapacityUnits ?? 0;
      writeUnits += entry.WriteCapacityUnits ?? 0;
    } else if (readCommands.has(command)) readUnits += entry.CapacityUnits ?? 0;
    else writeUnits += entry.CapacityUnits ?? 0;
  }
  return { readUnits, writeUnits, unitsReported: true };
}

/**
 * Wall time inside DynamoDB calls, the union of their intervals (calls made in parallel count
 * once): `sdk`, the calls as the handler waits for them; `wire`, their HTTP requests alone.
 */
export function timeInside(calls: readonly DynamoCall[], measure: "sdk" | "wire"): number {
  const intervals =
    measure === "sdk" ? calls.map((call): [number, number] => [call.startedAt, call.endedAt]) : calls.flatMap((call) => call.wire);
  intervals.sort((a, b) => a[0] - b[0]);
  let total = 0;
  let end = -Infinity;
  for (const [start, stop] of intervals) {
    if (start >= end) {
      total += stop - start;
      end = stop;
    } else if (stop > end) {
      total += stop - end;
      end = stop;
    }
  }
  return total;
}
