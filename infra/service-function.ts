import { existsSync } from "node:fs";
import { join } from "node:path";
import { ArnFormat, RemovalPolicy, Stack, Validations } from "aws-cdk-lib";
import type { CfnElement, Duration } from "aws-cdk-lib";
import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import { Policy, PolicyStatement, Role, ServicePrincipal } from "aws-cdk-lib/aws-iam";
import { Architecture, LoggingFormat, Runtime } from "aws-cdk-lib/aws-lambda";
import { LogLevel, NodejsFunction, OutputFormat } from "aws-cdk-lib/aws-lambda-nodejs";
import { LogGroup, RetentionDays } from "aws-cdk-lib/aws-logs";
import type { IQueue } from "aws-cdk-lib/aws-sqs";
import type { ISecret } from "aws-cdk-lib/aws-secretsmanager";
import { Construct } from "constructs";
import { phoneNumberProtection } from "./log-protection";

/**
 * The Lambda settings every function of the service shares (HTTP endpoints and the inbound SMS
 * handler alike), in one place. Memory and timeout are each function's own, in the functions table
 * (shared/platform/function-table.ts: `limits`).
 *
 * - logs: one log group per function, created by the stack (the `logGroup` prop, so no CDK
 *   log-retention helper function), kept 30 days: logs are masked, but they are still about
 *   customers, so keep them no longer than an operator needs for an incident.
 * - no X-Ray: the AwsSolutions checks do not ask for it, and its IAM actions only work with
 *   `Resource: "*"`. Turn it on per deployment if wanted.
 */
export const functionDefaults = {
  runtime: Runtime.NODEJS_22_X,
  architecture: Architecture.ARM_64,
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
export const esmRequireBanner =
  'import { createRequire as __esmCreateRequire } from "node:module"; const require = __esmCreateRequire(import.meta.url);';

/**
 * Modules bundled in place of others (esbuild `alias`), paths relative to the project root: the
 * SDK's credential chain becomes the environment's credentials only (infra/lambda-credentials.ts).
 */
export const bundleAliases: Readonly<Record<string, string>> = {
  "@aws-sdk/credential-provider-node": "infra/lambda-credentials.ts",
};

/** What a function may do to the table: the construct grants exactly this. */
export type TableAccess = "read" | "readWrite";

/**
 * How a function that sends SMS hands them to AWS: env SMS_TRANSPORT (see
 * shared/adapters/sms/create-transport.ts) and the permission of that transport, and only that one.
 * - `sns`: SNS Publish to the phone number (`sns:Publish` + `sns:CheckIfPhoneNumberIsOptedOut`).
 * - `end-user-messaging`: End User Messaging SMS SendTextMessage through the configuration set whose
 *   event destination returns delivery receipts (env SMS_CONFIGURATION_SET; `sms-voice:SendTextMessage`).
 */
export type SmsSending =
  | { readonly transport: "sns" }
  | {
      readonly transport: "end-user-messaging";
      /** Name (or ARN) the transport passes as ConfigurationSetName; a Ref also orders the deployment. */
      readonly configurationSetName: string;
    };

export interface ServiceFunctionProps {
  /** Folder under `functions/` whose `handler.ts` exports `handler`. */
  readonly functionDir: string;
  /** What the function is, for the function's and the role's descriptions (e.g. `POST /api/now/consumers`). */
  readonly purpose: string;
  /** The Lambda function's description. Default: `purpose`. */
  readonly description?: string;
  readonly tableAccess: TableAccess;
  /** The function hands SMS to this transport (env and grant). Unset: it sends nothing, and may not. */
  readonly sms?: SmsSending;
  /** The repository root (holds `functions/`, `shared/` and package-lock.json). */
  readonly projectRoot: string;
  readonly table: ITableV2;
  readonly defaultCountry: string;
  /** Deployer's compose defaults module, relative to `projectRoot`, bundled next to the handler. */
  readonly composeExtension?: string;
  /**
   * The privacy key's secret (the key of the numbers' keyed hash): PRIVACY_KEY_SECRET_ARN and read
   * access to that one secret. Unset: the function may not read it.
   */
  readonly privacyKey?: ISecret;
  /** More environment variables (the function's own settings, e.g. HELP_TEXT, IDLE_CLOSE_AFTER). */
  readonly environment?: Readonly<Record<string, string>>;
  /** From the functions table's `limits`. */
  readonly memorySize: number;
  /** From the functions table's `limits`: always shorter than whatever invokes the function again. */
  readonly timeout: Duration;
  /**
   * Asynchronous invocations only (event sources such as SNS): where an event that still fails
   * after Lambda's retries (or grows too old) is parked, with the retry policy made explicit.
   */
  readonly asyncFailures?: {
    readonly deadLetterQueue: IQueue;
    readonly retryAttempts: number;
    readonly maxEventAge: Duration;
  };
}

/**
 * One function of the service: `functions/<functionDir>/handler.ts`, bundled locally by esbuild
 * with the shared defaults, its own role and log group, and only the access it declares.
 */
export class ServiceFunction extends Construct {
  /** The handler module bundled into the function: `functions/<functionDir>/handler.ts`. */
  readonly entry: string;
  readonly function: NodejsFunction;
  readonly logGroup: LogGroup;
  readonly role: Role;
  /** The separate policy holding the SMS transport's permission; only on functions that send SMS. */
  readonly smsPolicy?: Policy;

  constructor(scope: Construct, id: string, props: ServiceFunctionProps) {
    super(scope, id);
    const { projectRoot, table, composeExtension: extension, tableAccess, asyncFailures, sms, privacyKey } = props;
    const entry = join(projectRoot, "functions", props.functionDir, "handler.ts");
    this.entry = entry;
    if (!existsSync(entry)) {
      throw new Error(`${props.functionDir} has no handler: expected ${entry} exporting "handler"`);
    }

    this.logGroup = new LogGroup(this, "Logs", {
      retention: functionDefaults.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
      dataProtectionPolicy: phoneNumberProtection(),
    });
    // Own role instead of the AWSLambdaBasicExecutionRole managed policy (create and write any
    // log group, Resource "*"): this function may write to its own log group and nothing else.
    const abilities = [
      "writes its own log group",
      tableAccess === "read" ? "reads the table" : "reads and writes the table",
      ...(sms?.transport === "sns" ? ["publishes SMS to phone numbers through SNS"] : []),
      ...(sms?.transport === "end-user-messaging" ? ["sends SMS through End User Messaging (SendTextMessage)"] : []),
      ...(asyncFailures ? ["parks failed events in its dead-letter queue"] : []),
      ...(privacyKey ? ["reads the privacy key (keyed hash of erased numbers)"] : []),
    ];
    this.role = new Role(this, "Role", {
      assumedBy: new ServicePrincipal("lambda.amazonaws.com"),
      description: `${props.purpose}: ${abilities.join("; ")}`.slice(0, 1000),
    });
    this.logGroup.grantWrite(this.role);

    this.function = new NodejsFunction(this, "Function", {
      entry,
      handler: "handler",
      projectRoot,
      depsLockFilePath: join(projectRoot, "package-lock.json"),
      description: (props.description ?? props.purpose).slice(0, 256),
      runtime: functionDefaults.runtime,
      architecture: functionDefaults.architecture,
      memorySize: props.memorySize,
      timeout: props.timeout,
      role: this.role,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: functionDefaults.serviceName,
        TABLE_NAME: table.tableName,
        DEFAULT_COUNTRY: props.defaultCountry,
        NODE_OPTIONS: "--enable-source-maps",
        ...(extension ? { COMPOSE_EXTENSION_MODULE: composeExtensionRuntimePath } : {}),
        // Only the functions that send get a transport; the local outbox is never set on AWS.
        ...(sms ? { SMS_TRANSPORT: sms.transport } : {}),
        ...(sms?.transport === "end-user-messaging" ? { SMS_CONFIGURATION_SET: sms.configurationSetName } : {}),
        ...(privacyKey ? { PRIVACY_KEY_SECRET_ARN: privacyKey.secretArn } : {}),
        ...props.environment,
      },
      ...(asyncFailures
        ? {
            deadLetterQueue: asyncFailures.deadLetterQueue,
            retryAttempts: asyncFailures.retryAttempts,
            maxEventAge: asyncFailures.maxEventAge,
          }
        : {}),
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
        esbuildArgs: {
          "--alias": Object.entries(bundleAliases).map(([module, path]) => `${module}=${join(projectRoot, path)}`),
        },
        // The source map keeps only our code's mappings (infra/trim-source-map.mjs): Node parses
        // the whole map at cold start, and four fifths of it is the AWS SDK's.
        commandHooks: bundlingHooks(extension),
        // Hooks are functions, invisible to CDK's in-process bundling cache key; naming the
        // module here keeps two different extensions from sharing one cached bundle.
        ...(extension ? { environment: { COMPOSE_EXTENSION_SOURCE: extension } } : {}),
      },
    });

    if (tableAccess === "readWrite") {
      table.grantReadWriteData(this.function);
    } else {
      table.grantReadData(this.function);
    }

    // GetSecretValue (and DescribeSecret) on this one secret; the function reads it once per container.
    privacyKey?.grantRead(this.function);

    if (sms?.transport === "sns") {
      this.smsPolicy = this.grantSmsPublish();
    } else if (sms?.transport === "end-user-messaging") {
      this.smsPolicy = this.grantSendTextMessage();
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
          "grantReadData/grantReadWriteData add <tableArn>/index/* so Query can use the table's own GSIs (gsi1-gsi4); the wildcard covers the indexes of this one table only, no other table and no other action.",
      },
    );
  }

  /**
   * `sms-voice:SendTextMessage` (End User Messaging SMS), in a policy of its own.
   *
   * The service authorization reference lists three resource types for SendTextMessage, none
   * required: phone-number, pool and sender-id (the origination identity). The configuration set
   * is not one (naming its ARN would authorise nothing), nor is the destination number. The
   * transport sends from the provider's number (OriginationIdentity = the E.164 number, which the
   * service resolves to its phone-number resource), so the grant is the account's phone numbers
   * in the stack's region, plus its pools (a number in a pool; a deployer who gives a provider a
   * pool's id). No sender IDs: providers are phone numbers, and a sender ID cannot receive replies.
   * Which numbers exist is runtime data (administrators add providers through the API), so the
   * ids cannot be listed at synth time: `phone-number/*` and `pool/*` of this account and region.
   */
  private grantSendTextMessage(): Policy {
    const stack = Stack.of(this);
    const identities = ["phone-number", "pool"].map((resource) =>
      stack.formatArn({ service: "sms-voice", resource, resourceName: "*", arnFormat: ArnFormat.SLASH_RESOURCE_NAME }),
    );
    const policy = new Policy(this, "SmsSendPolicy", {
      roles: [this.role],
      statements: [
        new PolicyStatement({
          sid: "SendTextMessageFromOwnNumbers",
          actions: ["sms-voice:SendTextMessage"],
          resources: identities,
        }),
      ],
    });
    this.function.node.addDependency(policy);
    Validations.of(policy).acknowledge(
      ...identities.map((arn) => ({
        id: `AwsSolutions-IAM5[Resource::${nagResource(this, arn)}]`,
        reason:
          "sms-voice:SendTextMessage is authorised on the origination identity (phone-number, pool or sender-id; the configuration set and the destination are not resource types of this action). The provider numbers this service sends from are runtime data that administrators add through the API, unknown at synth time, so the grant is every phone number (and pool) of this account in this region, for SendTextMessage only, and only on the functions that send SMS.",
      })),
    );
    return policy;
  }

  /**
   * `sns:Publish` to phone numbers, in a policy of its own so the one unavoidable `Resource: "*"`
   * is acknowledged on exactly this statement and nowhere else.
   *
   * A Publish with `PhoneNumber` targets no ARN, so IAM can only authorise it with `Resource: "*"`
   * (the SNS authorization reference lists no resource type for an SMS publish; AWS's own
   * generated policies for publishing to a PhoneNumber use "*"). SNS has no condition key for the
   * destination number or the origination number either (its only service keys, sns:Endpoint and
   * sns:Protocol, apply to Subscribe). What can be narrowed is the region: the function's SNS
   * client calls its own region's endpoint, so `aws:RequestedRegion` pins the grant to the stack's
   * region.
   */
  private grantSmsPublish(): Policy {
    const policy = new Policy(this, "SmsPublishPolicy", {
      roles: [this.role],
      statements: [
        new PolicyStatement({
          sid: "PublishSmsToPhoneNumbers",
          // The transport asks SNS whether the customer opted out before publishing.
          actions: ["sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"],
          resources: ["*"],
          conditions: { StringEquals: { "aws:RequestedRegion": Stack.of(this).region } },
        }),
      ],
    });
    // The policy is its own resource: without this the function could be created (and called)
    // before the role may send.
    this.function.node.addDependency(policy);
    Validations.of(policy).acknowledge({
      id: "AwsSolutions-IAM5[Resource::*]",
      reason:
        "sns:Publish with PhoneNumber (SMS) and sns:CheckIfPhoneNumberIsOptedOut have no resource ARN, so IAM only accepts Resource '*' for them, and SNS offers no condition key for the destination or origination number. The statement is narrowed to these two actions and to the stack's region (aws:RequestedRegion), and only the functions that send SMS (routes with sendsSms, and the inbound function's STOP/START/HELP answers) have it.",
    });
    return policy;
  }
}

/**
 * After esbuild: bundles the deployer's compose extension, if any, next to the handler as
 * compose-extension.mjs (the same esbuild, from the project, with the handler's output settings),
 * then trims the source maps to our own code.
 */
function bundlingHooks(extension: string | undefined) {
  return {
    beforeBundling: (): string[] => [],
    beforeInstall: (): string[] => [],
    afterBundling: (inputDir: string, outputDir: string): string[] => [
      ...(extension
        ? [
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
          ]
        : []),
      [
        "node",
        shellQuote(`${inputDir}/infra/trim-source-map.mjs`),
        shellQuote(`${outputDir}/index.mjs.map`),
        ...(extension ? [shellQuote(`${outputDir}/${composeExtensionFileName}.map`)] : []),
      ].join(" "),
    ],
  };
}

/** POSIX single-quoting: the hook runs through `bash -c` (local bundling and Docker alike). */
function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * An ARN as cdk-nag writes it in a finding id (`Resource::<id>`): the resolved value flattened,
 * references as `<AWS::Region>`. Only what formatArn produces (Fn::Join of strings and Refs).
 */
function nagResource(scope: Construct, arn: string): string {
  const flatten = (node: unknown): string => {
    if (typeof node === "string") return node;
    const object = node as { "Fn::Join"?: [string, unknown[]]; Ref?: unknown } | null;
    if (object?.["Fn::Join"]) return object["Fn::Join"][1].map(flatten).join(object["Fn::Join"][0]);
    if (typeof object?.Ref === "string") return `<${object.Ref}>`;
    throw new Error(`cannot name ${JSON.stringify(node)} in a cdk-nag finding id`);
  };
  return flatten(Stack.of(scope).resolve(arn));
}

function tableLogicalId(table: ITableV2): string {
  const element = table.node.defaultChild as CfnElement | undefined;
  if (!element) throw new Error("the table must be defined in this app (its logical id names the IAM5 acknowledgement)");
  return Stack.of(table).getLogicalId(element);
}
