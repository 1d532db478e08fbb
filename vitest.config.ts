import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One DynamoDB Local for the whole run; each test file creates its own table in it.
    globalSetup: ["test/support/dynamodb-global-setup.ts"],
    // 2 cores: two test files at a time keeps DynamoDB Local and esbuild (stack tests) responsive.
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    env: {
      POWERTOOLS_LOG_LEVEL: "SILENT",
      // The handlers' outcome metrics (EMF lines on stdout); the metrics tests turn them on for themselves.
      POWERTOOLS_METRICS_DISABLED: "true",
      // Sends at any hour the tests run; the send window's own tests set a window.
      SEND_WINDOW: "00:00-24:00",
      // Every provider list read from the table, so call counts and injected faults do not depend on
      // what an earlier call of the same file cached; the cache's own test sets a TTL.
      PROVIDER_CACHE: "0",
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
      // The privacy key of the numbers' keyed hash: a local file, made by the first test that hashes.
      PRIVACY_KEY_FILE: join(tmpdir(), "agent-initiated-sms-tests", "privacy.key"),
    },
  },
});
