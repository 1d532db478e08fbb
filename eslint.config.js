import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** Packages that tie code to a runtime (AWS, Lambda, HTTP validation): the inner rings use none. */
const infrastructurePackages = [
  "@aws-sdk/*",
  "@middy/*",
  "@aws-lambda-powertools/*",
  "aws-lambda",
  "aws-cdk-lib",
  "aws-cdk-lib/*",
  "constructs",
  "zod",
  "zod/*",
  "jose",
];

/** The folders of shared/adapters: each implements ports and imports no other. */
const adapterFolders = ["dynamo", "sms", "http", "compose", "events", "metrics", "secrets", "container"];

/**
 * The rings (docs/architecture.md): core imports nothing of ours; use cases import the core;
 * each adapter imports the core (and the one logger, and the SDK client settings), never another adapter; only
 * functions/, local/, infra/ and the composition root put rings together.
 */
const rings = [
  {
    files: ["shared/core/**/*.ts"],
    forbid: ["**/use-cases/**", "**/adapters/**", "**/platform/**", "**/functions/**", "**/local/**", "**/infra/**"],
    packages: infrastructurePackages,
    why: "shared/core imports nothing of ours outside the core, and no infrastructure package",
  },
  {
    files: ["shared/use-cases/**/*.ts"],
    forbid: ["**/adapters/**", "**/platform/**", "**/functions/**", "**/local/**", "**/infra/**"],
    packages: infrastructurePackages,
    why: "a use case imports the core (and other use cases) only; adapters reach it through ports",
  },
  ...adapterFolders.map((adapter) => ({
    files: [`shared/adapters/${adapter}/**/*.ts`],
    forbid: [
      ...adapterFolders
        .filter((other) => other !== adapter)
        .flatMap((other) => [`**/adapters/${other}/**`, `../${other}/*`, `../${other}/**`]),
      "**/use-cases/**",
      "**/platform/**",
      "!**/platform/logger",
      "!**/platform/aws-sdk-client",
      "**/functions/**",
      "**/local/**",
      "**/infra/**",
    ],
    packages: [],
    why: `an adapter implements core ports: shared/adapters/${adapter} imports the core, never another adapter or a use case`,
  })),
  {
    files: ["console/**/*.ts"],
    forbid: [
      "**/use-cases/**",
      "**/adapters/**",
      "**/platform/**",
      "**/functions/**",
      "**/local/**",
      "**/infra/**",
      "**/scripts/**",
      "**/extensions/**",
    ],
    packages: [...infrastructurePackages, "node:*"],
    why: "the desk console runs in the browser as a client of the HTTP contract: it imports the core's model and pure rules, nothing that runs the service",
  },
];

export default tseslint.config(
  { ignores: ["node_modules", "cdk.out", ".data", "dist", "coverage"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": "error",
    },
  },
  ...rings.map(({ files, forbid, packages, why }) => ({
    files,
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: forbid, message: `wrong-way import: ${why}.` },
            ...(packages.length ? [{ group: packages, message: `infrastructure in an inner ring: ${why}.` }] : []),
          ],
        },
      ],
    },
  })),
);
