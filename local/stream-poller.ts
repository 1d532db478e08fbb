import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";

/** A function fed by the table's stream: the filter of its event source mapping, and how to invoke it. */
export interface StreamConsumer {
  id: string;
  filter: object;
  invoke(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse | void>;
}

export interface StreamPollerOptions {
  dynamo: DynamoDBClient;
  endpoint: string;
  tableName: string;
  consumers: StreamConsumer[];
  /** Records per invocation, as the event source mapping's batch size. */
  batchSize?: number;
  /** Pause between reads when a shard had nothing new. */
  idleMs?: number;
  /** Attempts of a batch whose items keep failing before its records are given up on (logged). */
  retryAttempts?: number;
  /** Where new records start on shards open at start: `LATEST` for the local server (the sweep finds older work), `TRIM_HORIZON` for tests. */
  startAt?: "LATEST" | "TRIM_HORIZON";
  logError?: (line: string) => void;
}

export interface StreamPoller {
  /** Reads every shard until nothing new is there, delivering each batch: what tests call after a request. */
  drain(): Promise<number>;
  /** Drains again every `idleMs` until stopped (the local server). */
  start(idleMs: number): void;
  stop(): Promise<void>;
}

/**
 * DynamoDB Local's change stream, read the way Lambda's event source mapping reads DynamoDB
 * Streams: shard by shard, in order, in batches, each consumer's filter applied, the same
 * `DynamoDBStreamEvent` shape; a batch whose items fail is retried from the first failure, then
 * given up on (the sweep finds what it left behind).
 */
export function createStreamPoller(options: StreamPollerOptions): StreamPoller {
  const streams = new DynamoDBStreamsClient({
    endpoint: options.endpoint,
    region: "local",
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
    maxAttempts: 1,
  });
  const batchSize = options.batchSize ?? 10;
  const retryAttempts = options.retryAttempts ?? 3;
  const logError = options.logError ?? ((line: string) => console.error(line));
  /** Shard id → its next iterator (null: closed and read to its end). */
  const iterators = new Map<string, string | null>();
  let streamArn: string | undefined;
  let started = false;
  /** When the shard list was last read; read again when a shard ends (its children appear then) or after a while. */
  let shardsReadAt = 0;
  let shardEnded = false;
  let draining: Promise<number> | undefined;

  async function refreshShards(): Promise<void> {
    if (started && !shardEnded && Date.now() - shardsReadAt < 5_000) return;
    shardEnded = false;
    shardsReadAt = Date.now();
    if (!streamArn) {
      const described = await options.dynamo.send(new DescribeTableCommand({ TableName: options.tableName }));
      streamArn = described.Table?.LatestStreamArn;
      if (!streamArn) throw new Error(`table ${options.tableName} has no stream`);
    }
    const { StreamDescription } = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn }));
    for (const shard of StreamDescription?.Shards ?? []) {
      if (!shard.ShardId || iterators.has(shard.ShardId)) continue;
      // Shards open when the poller starts begin at `startAt`; shards born later from their start.
      const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
      const type = !started && open ? (options.startAt ?? "LATEST") : "TRIM_HORIZON";
      if (!started && !open) {
        iterators.set(shard.ShardId, null);
        continue;
      }
      const { ShardIterator } = await streams.send(
        new GetShardIteratorCommand({ StreamArn: streamArn, ShardId: shard.ShardId, ShardIteratorType: type }),
      );
      iterators.set(shard.ShardId, ShardIterator ?? null);
    }
    started = true;
  }

  async function deliver(records: DynamoDBRecord[]): Promise<void> {
    for (const consumer of options.consumers) {
      const matching = records.filter((record) => passesFilter(record, consumer.filter));
      for (let start = 0; start < matching.length; start += batchSize) {
        let batch = matching.slice(start, start + batchSize);
        for (let attempt = 1; batch.length > 0; attempt++) {
          let failedFrom: number;
          try {
            const response = await consumer.invoke({ Records: batch });
            const failures = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
            failedFrom = batch.findIndex((record) => failures.has(record.dynamodb?.SequenceNumber ?? ""));
          } catch (error) {
            logError(`${consumer.id} (stream) failed: ${String(error)}`);
            failedFrom = 0;
          }
          if (failedFrom < 0) break;
          batch = batch.slice(failedFrom);
          if (attempt >= retryAttempts) {
            logError(`${consumer.id} (stream) gave up on ${batch.length} record(s) after ${attempt} attempts`);
            break;
          }
        }
      }
    }
  }

  async function drainOnce(): Promise<number> {
    await refreshShards();
    let delivered = 0;
    for (const [shardId, iterator] of iterators) {
      let next = iterator;
      while (next) {
        const page = await streams.send(new GetRecordsCommand({ ShardIterator: next, Limit: 100 }));
        next = page.NextShardIterator ?? null;
        iterators.set(shardId, next);
        if (!next) shardEnded = true;
        const records = (page.Records ?? []).map((record) => toLambdaRecord(record, streamArn!));
        if (records.length === 0) break;
        delivered += records.length;
        await deliver(records);
      }
    }
    return delivered;
  }

  function drain(): Promise<number> {
    // One reader at a time: the timer and a test's drain never deliver a record twice.
    const run = (draining ?? Promise.resolve(0)).then(async () => {
      let total = 0;
      for (let found = await drainOnce(); found > 0; found = await drainOnce()) total += found;
      return total;
    });
    draining = run.catch(() => 0);
    return run;
  }

  let stopped = false;
  let loop: Promise<void> | undefined;
  function start(idleMs: number) {
    loop = (async () => {
      while (!stopped) {
        try {
          await drain();
        } catch (error) {
          if (!stopped) logError(`stream poller: ${String(error)}`);
        }
        await new Promise((resolve) => setTimeout(resolve, idleMs));
      }
    })();
  }

  return {
    drain,
    start,
    async stop() {
      stopped = true;
      await loop;
      await draining;
      streams.destroy();
    },
  };
}

/** Starts a poller that reads the stream every `idleMs` (default 100 ms) until stopped. */
export function startStreamPoller(options: StreamPollerOptions): StreamPoller {
  const poller = createStreamPoller(options);
  poller.start(options.idleMs ?? 100);
  return poller;
}

/** A record from the Streams API in the shape Lambda hands a function (epoch seconds, `aws:dynamodb`). */
export function toLambdaRecord(record: StreamRecord, streamArn: string): DynamoDBRecord {
  const data = record.dynamodb ?? {};
  const created = data.ApproximateCreationDateTime;
  return {
    eventID: record.eventID,
    eventName: record.eventName as DynamoDBRecord["eventName"],
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "local",
    eventSourceARN: streamArn,
    dynamodb: {
      ...(created ? { ApproximateCreationDateTime: Math.floor(new Date(created).getTime() / 1000) } : {}),
      ...(data.Keys ? { Keys: data.Keys as never } : {}),
      ...(data.NewImage ? { NewImage: data.NewImage as never } : {}),
      ...(data.OldImage ? { OldImage: data.OldImage as never } : {}),
      ...(data.SequenceNumber ? { SequenceNumber: data.SequenceNumber } : {}),
      ...(data.SizeBytes !== undefined ? { SizeBytes: data.SizeBytes } : {}),
      ...(data.StreamViewType ? { StreamViewType: data.StreamViewType } : {}),
    },
  };
}

/**
 * Lambda's event filtering for the patterns this service uses: an object matches key by key, and a
 * list at a leaf is the values allowed.
 */
export function passesFilter(value: unknown, pattern: unknown): boolean {
  if (Array.isArray(pattern)) return pattern.some((allowed) => allowed === value);
  if (pattern && typeof pattern === "object") {
    if (!value || typeof value !== "object") return false;
    return Object.entries(pattern).every(([key, inner]) => passesFilter((value as Record<string, unknown>)[key], inner));
  }
  return pattern === value;
}
