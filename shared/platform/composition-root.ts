import type { RuntimeConfig } from "./config";
import { DynamoConsumerStore } from "../adapters/dynamo/consumer-store";
import { DynamoInteractionStore } from "../adapters/dynamo/interaction-store";
import { DynamoConversationStore } from "../adapters/dynamo/conversation-store";
import { backoff } from "./backoff";
import { DynamoMessageStore } from "../adapters/dynamo/message-store";
import { randomIds, systemClock } from "./clock-and-ids";
import { readConfig } from "./config";
import { DynamoProviderStore } from "../adapters/dynamo/provider-store";
import { DynamoProfileStore } from "../adapters/dynamo/profile-store";
import { ContainerRecentLocks } from "../adapters/container/recent-locks";
import { createDocumentClient } from "../adapters/dynamo/document-client";
import { DynamoOutboundQueue } from "../adapters/dynamo/outbound-queue";
import { DynamoPacer } from "../adapters/dynamo/pacer";
import { DynamoConsentLedger } from "../adapters/dynamo/consent-ledger";
import { DynamoEventStore } from "../adapters/dynamo/event-store";
import { DynamoPrivacyStore } from "../adapters/dynamo/privacy-store";
import type { NumberHasher } from "../core/ports/number-hasher";
import { HmacNumberHasher } from "../adapters/secrets/hmac-number-hasher";
import { loadOrCreateKeyFile } from "../adapters/secrets/key-file";

/** The keyed hash with the local key file (made on first use). */
export function localNumberHasher(path: string): NumberHasher {
  return new HmacNumberHasher(async () => loadOrCreateKeyFile(path));
}

/**
 * The AWS side of every port, built once per Lambda container (module scope of each handler) or
 * per test table. Use cases receive the parts they need; nothing else constructs an adapter.
 */
export function createAdapters(
  config: Pick<RuntimeConfig, "tableName" | "dynamoDbEndpoint" | "defaultCountry"> &
    Partial<
      Pick<
        RuntimeConfig,
        "eventRetentionMs" | "sendWindow" | "replyGraceMs" | "providerCacheMs" | "messageRetentionMs" | "privacyKeyFile" | "localServer"
      >
    >,
  options: {
    /** The keyed hash of numbers (see platform/number-hasher.ts); default: the local key file, when PRIVACY_KEY_FILE is set. */
    numberHasher?: NumberHasher;
  } = {},
) {
  // What the caller left unset is as the environment says, like a handler's readConfig(); read once, only if needed.
  let environment: RuntimeConfig | undefined;
  const fromEnvironment = () => (environment ??= readConfig());
  const messageRetentionMs = "messageRetentionMs" in config ? config.messageRetentionMs : fromEnvironment().messageRetentionMs;
  const messageRetentionSeconds = messageRetentionMs === undefined ? undefined : Math.round(messageRetentionMs / 1000);
  // Events carry message bodies: they never outlive the messages.
  const eventRetentionSeconds = Math.min(
    Math.round((config.eventRetentionMs ?? 7 * 24 * 3600 * 1000) / 1000),
    messageRetentionSeconds ?? Number.POSITIVE_INFINITY,
  );
  const keyFile = "privacyKeyFile" in config ? config.privacyKeyFile : fromEnvironment().privacyKeyFile;
  const numberHasher = options.numberHasher ?? (keyFile ? localNumberHasher(keyFile) : undefined);
  const client = createDocumentClient({ endpoint: config.dynamoDbEndpoint });
  return {
    /** The one document client; exposed so tests can add SDK middleware (call counts, injected faults). */
    documentClient: client,
    consumers: new DynamoConsumerStore(client, config.tableName),
    providers: new DynamoProviderStore(client, config.tableName, config.providerCacheMs ?? fromEnvironment().providerCacheMs),
    interactions: new DynamoInteractionStore(client, config.tableName),
    conversations: new DynamoConversationStore(client, config.tableName, backoff, eventRetentionSeconds, {
      ...(numberHasher ? { numberHasher } : {}),
      ...(messageRetentionSeconds !== undefined ? { messageRetentionSeconds } : {}),
    }),
    /** What this container's sends last left on each conversation key: the next send's first guess. */
    recentLocks: new ContainerRecentLocks(),
    profiles: new DynamoProfileStore(client, config.tableName),
    messages: new DynamoMessageStore(client, config.tableName, eventRetentionSeconds),
    queue: new DynamoOutboundQueue(client, config.tableName, eventRetentionSeconds),
    pacer: new DynamoPacer(client, config.tableName),
    events: new DynamoEventStore(client, config.tableName),
    consents: new DynamoConsentLedger(client, config.tableName, eventRetentionSeconds, numberHasher),
    privacy: new DynamoPrivacyStore(client, config.tableName, eventRetentionSeconds),
    numberHasher,
    backoff,
    clock: systemClock,
    ids: randomIds,
    defaultCountry: config.defaultCountry,
    sendWindow: config.sendWindow ?? fromEnvironment().sendWindow,
    replyGraceMs: config.replyGraceMs ?? fromEnvironment().replyGraceMs,
    localServer: config.localServer ?? fromEnvironment().localServer,
  };
}

export type Adapters = ReturnType<typeof createAdapters>;
