import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bundleAliases } from "../../infra/service-function";

const projectRoot = resolve(import.meta.dirname, "../..");

describe("the SDK's credentials in a bundled function: the environment's only (infra/lambda-credentials.ts)", () => {
  let dir: string;
  let bundle: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "lambda-credentials-"));
    const entry = join(dir, "entry.ts");
    writeFileSync(
      entry,
      [
        'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";',
        'const client = new DynamoDBClient({ region: "us-east-1" });',
        "try {",
        "  const credentials = await client.config.credentials();",
        "  console.log(JSON.stringify({ accessKeyId: credentials.accessKeyId, sessionToken: credentials.sessionToken }));",
        "} catch (error) {",
        "  console.log(JSON.stringify({ error: error.message }));",
        "}",
      ].join("\n"),
    );
    bundle = join(dir, "index.mjs");
    await build({
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node22",
      mainFields: ["module", "main"],
      nodePaths: [join(projectRoot, "node_modules")],
      alias: Object.fromEntries(Object.entries(bundleAliases).map(([module, path]) => [module, join(projectRoot, path)])),
      logLevel: "silent",
    });
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const run = (env: Record<string, string>) => {
    const child = spawnSync(process.execPath, [bundle], {
      encoding: "utf8",
      env: { PATH: process.env.PATH ?? "", HOME: dir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true", ...env },
    });
    return JSON.parse(child.stdout.trim()) as Record<string, string>;
  };

  it("are the role's, as Lambda puts them in the environment", () => {
    expect(run({ AWS_ACCESS_KEY_ID: "ASIAEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_SESSION_TOKEN: "token" })).toEqual({
      accessKeyId: "ASIAEXAMPLE",
      sessionToken: "token",
    });
  });

  it("without them, fail with the SDK's own message, and never look for a profile (its code is not in the bundle)", () => {
    writeFileSync(join(dir, "credentials"), "[default]\naws_access_key_id = FROMPROFILE\naws_secret_access_key = secret\n");
    expect(run({ AWS_SHARED_CREDENTIALS_FILE: join(dir, "credentials") })).toEqual({
      error: "Unable to find environment variable credentials.",
    });
    const code = readFileSync(bundle, "utf8");
    expect(code).not.toContain("Skipping SSO provider in default chain");
    expect(code).not.toContain("credential-provider-ini");
  });
});
