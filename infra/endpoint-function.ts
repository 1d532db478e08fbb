import { existsSync } from "node:fs";
import { join } from "node:path";
import { Duration, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { CfnElement } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, LoggingFormat, Runtime } from "aws-cdk-lib/aws-lambda";
import { LogLevel, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import { Construct } from "constructs";
import type { RouteDefinition } from "../shared/http/routes";

/**
 * The Lambda defaults every HTTP endpoint shares, in one place.
 *
 * - memory 512 MB: Lambda gives CPU in proportion to memory, and a cold start here is CPU-bound
 *   (parsing one minified bundle with the AWS SDK, zod and libphonenumber metadata). 512 MB roughly
 *   halves the init time of the 128 MB default for pennies at desk traffic; the handlers themselves
 *   need far less RAM.
 * - timeout 10 s: requests are a few DynamoDB calls (milliseconds, SDK retries included). 10 s
 *   covers a cold start plus retries and stays well under API Gateway's 30 s integration timeout,
 *   so a slow call ends as our own logged error, not as an anonymous 503 from the gateway.
 * - logs: one log group per function, created by the stack (the `logGroup` prop, so no CDK
 *   log-retention helper function), kept 30 days: logs are masked, but they are still about
 *   customers, so keep them no longer than an operator needs for an incident.
 * - no X-Ray: the AwsSolutions checks do not ask for it, and its IAM actions only work with
 *   `Resource: "*"`. Turn it on per deployment if wanted.
 */
export const endpointFunctionDefaults = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
  memorySize: 512,
  timeout: Duration.seconds(10),
  logRetention: RetentionDays.ONE_MONTH,
  serviceName: "agent-initiated-sms",
} as const;

/** Where a deployer's compose defaults module ends up inside the function's package. */
export const composeExtensionFileName = "compose-extension.mjs";
export const composeExtensionRuntimePath = `/var/task/${composeExtensionFileName}`;

/**
 * ESM bundles still meet the odd CommonJS `require` of a Node built-in inside dependencies; esbuild
 * leaves those calls as they are, and ESM has no `require`. The shim gives them one.
 */
export const esmRequireBanner = 'import { createRequire as __esmCreateRequire } from "node:module"; const require = __esmCreateRequire(import.meta.url);';

export interface EndpointFunctionProps {
  readonly route: RouteDefinition;
  /** The repository root (holds `functions/`, `shared/` and package-lock.json). */
  readonly projectRoot: string;
  readonly table: ITableV2;
  readonly defaultCountry: string;
  /** Deployer's compose defaults module, relative to `projectRoot`; only for routes with `usesComposeExtension`. */
  readonly composeExtension?: string;
}

/** One route's function: `functions/<route.id>/handler.ts`, bundled locally by esbuild, with only the table access the route declares. */
export class EndpointFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: EndpointFunctionProps) {
    super(scope, id);
    const { route, projectRoot, table } = props;
    const entry = join(projectRoot, "functions", route.id, "handler.ts");
    if (!existsSync(entry)) {
      throw new Error(`route ${route.id} has no handler: expected ${entry} exporting "handler"`);
    }
    const extension = route.usesComposeExtension ? props.composeExtension : undefined;

    this.logGroup = new LogGroup(this, "Logs", {
      retention: endpointFunctionDefaults.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Own role instead of the AWSLambdaBasicExecutionRole managed policy (create and write any
    // log group, Resource "*"): this function may write to its own log group and nothing else.
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `${route.method} ${route.path}: writes its own log group; ${route.tableAccess === "read" ? "reads" : "reads and writes"} the table`,
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, "Function", {
      entry,
      handler: "handler",
      projectRoot,
      depsLockFilePath: join(projectRoot, "package-lock.json"),
      description: `${route.method} ${route.path}: ${route.summary}`.slice(0, 256),
      runtime: endpointFunctionDefaults.runtime,
      architecture: endpointFunctionDefaults.architecture,
      memorySize: endpointFunctionDefaults.memorySize,
      timeout: endpointFunctionDefaults.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: endpointFunctionDefaults.serviceName,
        TABLE_NAME: table.tableName,
        DEFAULT_COUNTRY: props.defaultCountry,
        NODE_OPTIONS: "--enable-source-maps",
        ...(extension ? { COMPOSE_EXTENSION_MODULE: composeExtensionRuntimePath } : {}),
      },
      bundling: {
        format: OutputFormat.ESM,
        target: "node22",
        mainFields: ["module", "main"],
        banner: esmRequireBanner,
        minify: true,
        sourceMap: true,
        // Stack traces only need the mappings; the sources would double the package for nothing.
        sourcesContent: false,
        // Bundle the AWS SDK v3 too: the versions in package-lock.json are the ones the tests ran,
        // not whatever the runtime ships this month, and one minified ESM file loads faster than
        // the runtime's SDK spread over hundreds of CommonJS files.
        externalModules: [],
        bundleAwsSDK: true,
        logLevel: LogLevel.WARNING,
        forceDockerBundling: false,
        ...(extension
          ? {
              commandHooks: composeExtensionHooks(extension),
              // Hooks are functions, invisible to CDK's in-process bundling cache key; naming the
              // module here keeps two different extensions from sharing one cached bundle.
              environment: { COMPOSE_EXTENSION_SOURCE: extension },
            }
          : {}),
      },
    });

    if (route.tableAccess === "readWrite") {
      table.grantReadWriteData(this.function);
    } else {
      table.grantReadData(this.function);
    }

    // Findings these defaults knowingly keep (cdk-nag 3: acknowledgements, with the reason why).
    Validations.of(this).acknowledge(
      {
        id: "AwsSolutions-L1",
        reason:
          "nodejs22.x is chosen on purpose: the bundle targets node22 and the project is built and tested on Node 20-22; it is a supported Lambda LTS runtime. Move to the newest runtime together with the toolchain, not ahead of it.",
      },
      {
        id: `AwsSolutions-IAM5[Resource::<${tableLogicalId(table)}.Arn>/index/*]`,
        reason:
          "grantReadData/grantReadWriteData add <tableArn>/index/* so Query can use the table's own GSIs (gsi1-gsi3); the wildcard covers the indexes of this one table only, no other table and no other action.",
      },
    );
  }
}

/**
 * Bundles the deployer's module next to the handler as compose-extension.mjs, with the same esbuild
 * (from the project) and the same output settings as the handler.
 */
function composeExtensionHooks(extension: string) {
  return {
    beforeBundling: (): string[] => [],
    beforeInstall: (): string[] => [],
    afterBundling: (inputDir: string, outputDir: string): string[] => [
      [
        "npx",
        "--no-install",
        "esbuild",
        shellQuote(`${inputDir}/${extension}`),
        "--bundle",
        "--platform=node",
        "--format=esm",
        "--target=node22",
        "--main-fields=module,main",
        "--minify",
        "--sourcemap",
        "--sources-content=false",
        "--log-level=warning",
        shellQuote(`--banner:js=${esmRequireBanner}`),
        shellQuote(`--outfile=${outputDir}/${composeExtensionFileName}`),
      ].join(" "),
    ],
  };
}

/** POSIX single-quoting: the hook runs through `bash -c` (local bundling and Docker alike). */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

function tableLogicalId(table: ITableV2): string {
  const element = table.node.defaultChild as CfnElement | undefined;
  if (!element) throw new Error("the table must be defined in this app (its logical id names the IAM5 acknowledgement)");
  return Stack.of(table).getLogicalId(element);
}
