import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { ESLint } from "eslint";
import { describe, expect, it } from "vitest";
import { importCycles, sourceRoots } from "../../scripts/check-import-cycles";

/**
 * The rings are the linter's to keep (eslint.config.js): these cases lint virtual files placed in
 * each ring and prove that a wrong-way import fails `npm run lint`, and a right-way one passes.
 */
const eslint = new ESLint({ cwd: process.cwd() });

async function ruleHits(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === "no-restricted-imports").map((m) => m.message);
}

const cases: [where: string, file: string, code: string][] = [
  [
    "core → adapter",
    "shared/core/rules/example.ts",
    'import { keys } from "../../adapters/dynamo/table-design";\nexport const x = keys;\n',
  ],
  [
    "core → use case",
    "shared/core/model/example.ts",
    'import { initiateMessage } from "../../use-cases/initiate-message";\nexport const x = initiateMessage;\n',
  ],
  ["core → platform", "shared/core/ports/example.ts", 'import { logger } from "../../platform/logger";\nexport const x = logger;\n'],
  [
    "core → AWS SDK",
    "shared/core/rules/example.ts",
    'import { DynamoDBClient } from "@aws-sdk/client-dynamodb";\nexport const x = DynamoDBClient;\n',
  ],
  ["core → zod", "shared/core/model/example.ts", 'import * as z from "zod/mini";\nexport const x = z;\n'],
  ["use case → adapter", "shared/use-cases/example.ts", 'import { routes } from "../adapters/http/routes";\nexport const x = routes;\n'],
  [
    "use case → composition root",
    "shared/use-cases/example.ts",
    'import { createAdapters } from "../platform/composition-root";\nexport const x = createAdapters;\n',
  ],
  ["use case → middy", "shared/use-cases/example.ts", 'import middy from "@middy/core";\nexport const x = middy;\n'],
  [
    "adapter → other adapter",
    "shared/adapters/dynamo/example.ts",
    'import { errorStatus } from "../http/error-status";\nexport const x = errorStatus;\n',
  ],
  [
    "adapter → use case",
    "shared/adapters/sms/example.ts",
    'import { handOverSms } from "../../use-cases/hand-over-sms";\nexport const x = handOverSms;\n',
  ],
  [
    "adapter → composition root",
    "shared/adapters/http/example.ts",
    'import { createAdapters } from "../../platform/composition-root";\nexport const x = createAdapters;\n',
  ],
  ["console → adapter", "console/example.ts", 'import { routes } from "../shared/adapters/http/routes";\nexport const x = routes;\n'],
  [
    "console → use case",
    "console/example.ts",
    'import { composeOptions } from "../shared/use-cases/compose-options";\nexport const x = composeOptions;\n',
  ],
  ["console → local server", "console/example.ts", 'import { signDevToken } from "../local/local-jwt";\nexport const x = signDevToken;\n'],
  ["console → Node built-in", "console/example.ts", 'import { readFile } from "node:fs/promises";\nexport const x = readFile;\n'],
];

const allowed: [where: string, file: string, code: string][] = [
  [
    "core → core",
    "shared/core/rules/example.ts",
    'import type { Interaction } from "../model/interaction";\nexport type X = Interaction;\n',
  ],
  ["use case → core", "shared/use-cases/example.ts", 'import { ServiceError } from "../core/errors";\nexport const x = ServiceError;\n'],
  [
    "adapter → core",
    "shared/adapters/dynamo/example.ts",
    'import type { Consumer } from "../../core/model/consumer";\nexport type X = Consumer;\n',
  ],
  [
    "adapter → the logger",
    "shared/adapters/http/example.ts",
    'import { logger } from "../../platform/logger";\nexport const x = logger;\n',
  ],
  [
    "console → a pure rule of the core",
    "console/example.ts",
    'import { smsEncoding } from "../shared/core/rules/sms-segments";\nexport const x = smsEncoding;\n',
  ],
  [
    "handler → anything",
    "functions/example/handler.ts",
    'import { routes } from "../../shared/adapters/http/routes";\nexport const x = routes;\n',
  ],
];

describe("the rings, as the linter enforces them", () => {
  it.each(cases)("refuses %s", async (_where, file, code) => {
    const hits = await ruleHits(file, code);
    expect(hits).toHaveLength(1);
    expect(hits[0]).toMatch(/wrong-way import|infrastructure in an inner ring/);
  });

  it.each(allowed)("allows %s", async (_where, file, code) => {
    expect(await ruleHits(file, code)).toEqual([]);
  });
});

describe("import cycles, as npm run lint checks them (scripts/check-import-cycles.ts)", () => {
  it("finds none in the repository's sources", async () => {
    expect(await importCycles(sourceRoots)).toEqual([]);
  });

  it("fails the lint step on a cycle, type-only imports included, naming its modules", async () => {
    // A folder of its own under the repository, so the check resolves it with the repository's tsconfig.
    const dir = mkdtempSync(join(process.cwd(), "test", "architecture", "cycle-"));
    try {
      writeFileSync(join(dir, "route.ts"), 'import type { Services } from "./services";\nexport type Route = (s: Services) => void;\n');
      writeFileSync(join(dir, "services.ts"), 'import type { Route } from "./route";\nexport interface Services { routes: Route[] }\n');
      writeFileSync(join(dir, "leaf.ts"), 'import type { Route } from "./route";\nexport const none: Route[] = [];\n');
      const folder = dir.slice(process.cwd().length + 1);
      expect(await importCycles([folder])).toEqual([[`${folder}/route.ts`, `${folder}/services.ts`]]);
      const lint = await promisify(execFile)("npm", ["run", "--silent", "lint:cycles", "--", folder]).then(
        () => ({ code: 0, stderr: "" }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(lint.code).toBe(1);
      expect(lint.stderr).toContain(`${folder}/route.ts -> ${folder}/services.ts -> ${folder}/route.ts`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
