import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { App, Duration, Validations } from "aws-cdk-lib";
import type { CfnElement } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { deliveryEventsPrincipal } from "../../infra/delivery-receipts";
import { composeExtensionFileName, composeExtensionRuntimePath } from "../../infra/service-function";
import { scheduledDelivery } from "../../infra/scheduled-function";
import { inboundRetryPolicy, twoWaySmsPrincipal } from "../../infra/inbound-sms";
import type { ServiceFunction } from "../../infra/service-function";
import { snsSubscriptionRetryPolicy } from "../../infra/sns-subscribed-function";
import { stackFromContext } from "../../infra/stack";
import type { AgentInitiatedSmsStack } from "../../infra/stack";
import { projectRoot, readStackConfig } from "../../infra/stack-config";
import { routeList } from "../../shared/adapters/http/routes";
import { constructIdOf } from "../../infra/table-functions";
import { LOCAL_TABLE_NAME } from "../../local/local-server";
import { functionTable } from "../../shared/platform/function-table";
import { insertedEventFilter, queuedOutboundFilter } from "../../shared/adapters/dynamo/stream-records";
import { createTableInput } from "../../shared/adapters/dynamo/table-definition";
import { tableDesign } from "../../shared/adapters/dynamo/table-design";

/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation templates are untyped JSON. */
type Resource = { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string };

interface Synth {
  app: App;
  stack: AgentInitiatedSmsStack;
  template: Template;
  resources: Record<string, Resource>;
}

/** What `cdk synth` adds from cdk.json: the feature flags, so the tests synthesise what a deploy does. */
const cdkJsonContext = (JSON.parse(readFileSync(join(projectRoot, "cdk.json"), "utf8")) as { context: Record<string, unknown> }).context;

/**
 * One cloud assembly directory for every app in this file: CDK caches bundles per output directory,
 * so the variants below reuse the handlers already bundled instead of running esbuild again.
 */
const outdir = mkdtempSync(join(tmpdir(), "agent-initiated-sms-stack-test-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/**
 * Builds the stack exactly as `infra/app.ts` does (name and props from context) and synthesises it.
 * Only the synths whose tests look at the functions' packages bundle them (esbuild is most of a
 * synth's time): the default stack's, which proves every handler bundles, and the compose extension's.
 */
function synth(context: Record<string, string> = {}, { bundle = false }: { bundle?: boolean } = {}): Synth {
  const app = new App({ context: { ...cdkJsonContext, ...context, ...(bundle ? {} : { "aws:cdk:bundling-stacks": [] }) }, outdir });
  const stack = stackFromContext(app);
  const template = Template.fromStack(stack);
  return { app, stack, template, resources: template.toJSON().Resources as Record<string, Resource> };
}

function ofType(resources: Record<string, Resource>, type: string): Array<[string, Resource]> {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

function logicalId(stack: AgentInitiatedSmsStack, construct: { node: { defaultChild?: unknown } }): string {
  return stack.getLogicalId(construct.node.defaultChild as CfnElement);
}

function functionOf(s: Synth, routeId: string): Resource {
  const endpoint = s.stack.functions.get(routeId);
  if (!endpoint) throw new Error(`no function for route ${routeId}`);
  return s.resources[logicalId(s.stack, endpoint.function)]!;
}

function inboundFunction(s: Synth): Resource {
  return s.resources[logicalId(s.stack, s.stack.inboundSms.handler.function)]!;
}

function idleCloseFunction(s: Synth): ServiceFunction {
  return s.stack.functions.get("idle-close")!;
}

function functionResource(s: Synth, fn: ServiceFunction): Resource {
  return s.resources[logicalId(s.stack, fn.function)]!;
}

/** The functions that send SMS: the entries of the functions table with `sendsSms` (the stream-fed sender alone). */
function senders(s: Synth): ServiceFunction[] {
  return functionTable.filter((definition) => definition.sendsSms).map((definition) => s.stack.functions.get(definition.id)!);
}

/** Actions that hand SMS to AWS, whatever the transport. */
const isSmsAction = (action: string) => action.startsWith("sns:") || action.startsWith("sms-voice:");

/**
 * Every role of the stack: the senders' have exactly `expected` as their SMS statements (and that
 * statement applies to no one else); every other role has no sns: or sms-voice: action at all.
 */
function expectSmsGrantsOnlyOnSenders(s: Synth, expected: (roleId: string) => Statement[]): void {
  const all = statements(s.resources);
  const senderRoleIds = new Set(senders(s).map((sender) => logicalId(s.stack, sender.role)));
  for (const [roleId] of ofType(s.resources, "AWS::IAM::Role")) {
    const sms = all.filter((statement) => statement.roles.includes(roleId) && statement.Action.some(isSmsAction));
    expect(sms, roleId).toEqual(senderRoleIds.has(roleId) ? expected(roleId) : []);
  }
  expect([...senderRoleIds]).toEqual([logicalId(s.stack, s.stack.functions.get("sms-sender")!.role)]);
}

/** The actions of every statement that applies to a role (by the role's logical id). */
function actionsOf(all: Statement[], roleId: string): string[] {
  return all.filter((statement) => statement.roles.includes(roleId)).flatMap((statement) => statement.Action);
}

/** The one resource of a type, with its logical id. */
function single(resources: Record<string, Resource>, type: string): [string, Resource] {
  const found = ofType(resources, type);
  expect(found, type).toHaveLength(1);
  return found[0]!;
}

/** The resource policy statement that makes a topic or queue TLS-only (what enforceSSL adds). */
function denyInsecureTransport(policyDocument: any, action: string): unknown {
  return (policyDocument.Statement as any[]).find(
    (statement) =>
      statement.Effect === "Deny" &&
      asArray(statement.Action).includes(action) &&
      (statement.Principal === "*" || statement.Principal?.AWS === "*") &&
      String(statement.Condition?.Bool?.["aws:SecureTransport"]) === "false",
  );
}

function asArray<T>(value: T | T[]): T[] {
  return Array.isArray(value) ? value : [value];
}

type Statement = { roles: string[]; Action: string[]; Resource: unknown[]; Effect: string; Condition?: any };

/** Every policy statement in the template: standalone policies and roles' inline policies, with the roles they apply to. */
function statements(resources: Record<string, Resource>): Statement[] {
  const found: Statement[] = [];
  const add = (roles: string[], document: any) => {
    for (const statement of document.Statement ?? []) {
      found.push({
        roles,
        Effect: statement.Effect,
        Action: asArray(statement.Action ?? []),
        Resource: asArray(statement.Resource ?? []),
        ...(statement.Condition ? { Condition: statement.Condition } : {}),
      });
    }
  };
  for (const [, policy] of ofType(resources, "AWS::IAM::Policy")) {
    add(
      (policy.Properties.Roles ?? []).map((role: any) => role.Ref),
      policy.Properties.PolicyDocument,
    );
  }
  for (const [id, role] of ofType(resources, "AWS::IAM::Role")) {
    for (const inline of role.Properties.Policies ?? []) add([id], inline.PolicyDocument);
  }
  return found;
}

const writeActions = [
  "dynamodb:PutItem",
  "dynamodb:UpdateItem",
  "dynamodb:DeleteItem",
  "dynamodb:TransactWriteItems",
  "dynamodb:BatchWriteItem",
];

/** Unacknowledged AwsSolutions findings (cdk-nag 3 reports through the CDK validation framework, not annotations). */
function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map(
      (resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}: ${violation.description}`,
    ),
  );
}

/** Every acknowledgement (cdk-nag 3's suppressions) recorded anywhere in the app. */
function acknowledgements(app: App): Array<{ path: string; id: string; reason: string }> {
  return app.node
    .findAll()
    .flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
        .flatMap((entry) =>
          Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason })),
        ),
    );
}

describe("the stack with its defaults (Cognito user pool)", () => {
  let s: Synth;
  // Bundles every function (30) with esbuild, one after the other: minutes on a busy 2-core machine.
  beforeAll(() => {
    s = synth({}, { bundle: true });
  }, 300_000);

  it("is named AgentInitiatedSms", () => {
    expect(s.stack.stackName).toBe("AgentInitiatedSms");
  });

  it("has one Node 22 arm64 ESM function per route plus the inbound SMS, idle-close, SMS sender, SMS sweep, event publisher and privacy erasure functions, and no other function (no CDK helper functions)", () => {
    const functions = ofType(s.resources, "AWS::Lambda::Function");
    expect(functions).toHaveLength(routeList.length + 6);
    expect(s.stack.functions.size).toBe(routeList.length + 6);
    // Every entry of the functions table but the End User Messaging receipts' one, by its id.
    expect([...s.stack.functions.keys()].sort()).toEqual(
      functionTable
        .filter((definition) => definition.id !== "delivery-receipts")
        .map((definition) => definition.id)
        .sort(),
    );
    expect(ofType(s.resources, "Custom::LogRetention")).toHaveLength(0);
    for (const route of routeList) {
      const fn = functionOf(s, route.id);
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        MemorySize: 512,
        // The long-poll holds up to 20 s, below API Gateway's 29 s.
        Timeout: route.id === "follow-events" ? 25 : 10,
      });
      expect(fn.Properties.Environment.Variables).toMatchObject({
        POWERTOOLS_SERVICE_NAME: "agent-initiated-sms",
        TABLE_NAME: { Ref: logicalId(s.stack, s.stack.table) },
        DEFAULT_COUNTRY: "US",
        NODE_OPTIONS: "--enable-source-maps",
      });
      // Without the composeExtension context the shipped default extension is used.
      expect(fn.Properties.Environment.Variables.COMPOSE_EXTENSION_MODULE).toBeUndefined();
      const logGroupId: string = fn.Properties.LoggingConfig.LogGroup.Ref;
      expect(s.resources[logGroupId]?.Properties.RetentionInDays).toBe(30);
    }

    // The inbound SMS function: same defaults, no HTTP route, no compose extension; it sends
    // (STOP/START confirmations, HELP answers) through the deployment's transport.
    const inbound = inboundFunction(s);
    expect(inbound.Properties).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      MemorySize: 512,
      Timeout: 10,
    });
    expect(inbound.Properties.Environment.Variables).toEqual({
      POWERTOOLS_SERVICE_NAME: "agent-initiated-sms",
      TABLE_NAME: { Ref: logicalId(s.stack, s.stack.table) },
      DEFAULT_COUNTRY: "US",
      NODE_OPTIONS: "--enable-source-maps",
    });
    expect(s.resources[inbound.Properties.LoggingConfig.LogGroup.Ref]?.Properties.RetentionInDays).toBe(30);
    const inboundAsset = join(s.app.outdir, `asset.${String(inbound.Properties.Code.S3Key).replace(/\.zip$/, "")}`);
    expect(existsSync(join(inboundAsset, "index.mjs"))).toBe(true);
  });

  it("gives every function the memory and timeout of its functions-table entry (the local server and the tests read the same)", () => {
    const deployed = functionTable.filter((definition) => s.stack.functions.has(definition.id));
    expect(deployed.length).toBe(routeList.length + 6);
    for (const definition of deployed) {
      expect(functionOf(s, definition.id).Properties, definition.id).toMatchObject({
        MemorySize: definition.limits.memoryMb,
        Timeout: definition.limits.timeoutSeconds,
      });
    }
    // The longer budgets, as the functions' own work needs them.
    expect(Object.fromEntries(deployed.filter((d) => d.limits.timeoutSeconds !== 10).map((d) => [d.id, d.limits.timeoutSeconds]))).toEqual({
      "follow-events": 25,
      "sms-sender": 60,
      "privacy-erasure": 50,
      "idle-close": 60,
    });
  });

  it("bundles each handler as one ESM file with a source map and the require shim", () => {
    const fn = functionOf(s, "get-consumer");
    const assetDir = join(s.app.outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, "")}`);
    expect(existsSync(join(assetDir, "index.mjs"))).toBe(true);
    expect(existsSync(join(assetDir, "index.mjs.map"))).toBe(true);
    expect(existsSync(join(assetDir, "node_modules"))).toBe(false);
    expect(existsSync(join(assetDir, composeExtensionFileName))).toBe(false);
    // The SDK's credential chain is the environment's credentials only (infra/lambda-credentials.ts).
    const code = readFileSync(join(assetDir, "index.mjs"), "utf8");
    expect(code).toContain("Unable to find environment variable credentials");
    expect(code).not.toContain("Skipping SSO provider in default chain");
  });

  it("ships a source map of our code only (Node parses the whole map at cold start)", () => {
    const fn = functionOf(s, "initiate-message");
    const assetDir = join(s.app.outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, "")}`);
    const map = JSON.parse(readFileSync(join(assetDir, "index.mjs.map"), "utf8")) as { sources: string[]; mappings: string };
    expect(map.sources.some((source) => source.includes("functions/initiate-message/handler.ts"))).toBe(true);
    expect(map.sources.some((source) => source.includes("shared/use-cases/initiate-message.ts"))).toBe(true);
    expect(map.sources.filter((source) => source.includes("node_modules/"))).toEqual([]);
    expect(map.mappings.length).toBeGreaterThan(1000);
  });

  it("routes every entry of the route table, each behind the JWT authorizer, to its own function", () => {
    const routes = ofType(s.resources, "AWS::ApiGatewayV2::Route");
    expect(routes).toHaveLength(routeList.length);
    const [authorizerId] = ofType(s.resources, "AWS::ApiGatewayV2::Authorizer").map(([id]) => id);
    for (const route of routeList) {
      const matches = routes.filter(([, resource]) => resource.Properties.RouteKey === `${route.method} ${route.path}`);
      expect(matches, `${route.method} ${route.path}`).toHaveLength(1);
      const properties = matches[0]![1].Properties;
      expect(properties.AuthorizationType).toBe("JWT");
      expect(properties.AuthorizerId).toEqual({ Ref: authorizerId });
      const integrationId: string = properties.Target["Fn::Join"][1][1].Ref;
      const integration = s.resources[integrationId]!;
      expect(integration.Properties.IntegrationUri).toEqual({
        "Fn::GetAtt": [logicalId(s.stack, s.stack.functions.get(route.id)!.function), "Arn"],
      });
      expect(integration.Properties.PayloadFormatVersion).toBe("2.0");
    }
  });

  it("verifies Cognito tokens of the stack's own pool, with the agents and admins groups", () => {
    s.template.resourceCountIs("AWS::Cognito::UserPool", 1);
    s.template.resourceCountIs("AWS::Cognito::UserPoolClient", 1);
    s.template.resourceCountIs("AWS::Cognito::UserPoolRiskConfigurationAttachment", 1);
    const [[poolId, pool]] = ofType(s.resources, "AWS::Cognito::UserPool") as [[string, Resource]];
    const [[clientId]] = ofType(s.resources, "AWS::Cognito::UserPoolClient") as [[string, Resource]];
    expect(pool.Properties.AdminCreateUserConfig.AllowAdminCreateUserOnly).toBe(true);
    expect(pool.Properties.Policies.PasswordPolicy).toMatchObject({ RequireUppercase: true, RequireNumbers: true, RequireSymbols: true });
    expect(pool.Properties.Policies.PasswordPolicy.MinimumLength).toBeGreaterThanOrEqual(12);
    const groups = ofType(s.resources, "AWS::Cognito::UserPoolGroup").map(([, group]) => group.Properties.GroupName);
    expect(groups.sort()).toEqual(["admins", "agents"]);
    s.template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      IdentitySource: ["$request.header.Authorization"],
      JwtConfiguration: { Issuer: { "Fn::GetAtt": [poolId, "ProviderURL"] }, Audience: [{ Ref: clientId }] },
    });
  });

  it("has the one table of the key design: same keys and indexes as the local table, on demand, PITR, TTL, retained", () => {
    const tables = [...ofType(s.resources, "AWS::DynamoDB::Table"), ...ofType(s.resources, "AWS::DynamoDB::GlobalTable")];
    expect(tables).toHaveLength(1);
    const [, table] = tables[0]!;
    const local = createTableInput("x");
    const byName = <T extends { AttributeName?: string }>(list: T[]) =>
      [...list].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)));
    expect(table.Properties.KeySchema).toEqual(local.KeySchema);
    expect(byName(table.Properties.AttributeDefinitions)).toEqual(byName(local.AttributeDefinitions!));
    const indexes = (list: any[]) =>
      list
        .map((index) => ({ IndexName: index.IndexName, KeySchema: index.KeySchema, Projection: index.Projection }))
        .sort((a, b) => a.IndexName.localeCompare(b.IndexName));
    expect(indexes(table.Properties.GlobalSecondaryIndexes)).toEqual(indexes(local.GlobalSecondaryIndexes!));
    expect(table.Properties.BillingMode).toBe("PAY_PER_REQUEST");
    const pitr = table.Properties.PointInTimeRecoverySpecification ?? table.Properties.Replicas?.[0]?.PointInTimeRecoverySpecification;
    expect(pitr).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(table.Properties.TimeToLiveSpecification).toEqual({ AttributeName: tableDesign.timeToLiveAttribute, Enabled: true });
    expect(table.DeletionPolicy).toBe("Retain");
    expect(table.UpdateReplacePolicy).toBe("Retain");
  });

  it("grants each function only the table access its route declares, never dynamodb:* nor Resource *", () => {
    const all = statements(s.resources);
    for (const statement of all) {
      expect(statement.Action).not.toContain("*");
      expect(statement.Action).not.toContain("dynamodb:*");
      if (statement.Action.some((action) => action.startsWith("dynamodb:"))) {
        expect(statement.Resource).not.toContain("*");
      }
    }
    for (const route of routeList) {
      const role = s.stack.functions.get(route.id)!.role;
      const roleId = logicalId(s.stack, role);
      expect(s.resources[roleId]!.Properties.ManagedPolicyArns).toBeUndefined();
      const actions = actionsOf(all, roleId);
      expect(actions).toContain("dynamodb:Query");
      const writes = actions.filter((action) => writeActions.includes(action));
      if (route.tableAccess === "read") {
        expect(writes, route.id).toEqual([]);
      } else {
        expect(writes, route.id).toEqual(expect.arrayContaining(["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"]));
      }
      const allowed = (action: string) =>
        action.startsWith("dynamodb:") ||
        action === "logs:CreateLogStream" ||
        action === "logs:PutLogEvents" ||
        // The privacy key, for the routes that hash numbers (see the privacy key's own test).
        (route.usesPrivacyKey === true && ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"].includes(action));
      expect(
        actions.filter((action) => !allowed(action)),
        route.id,
      ).toEqual([]);
    }

    // The inbound function: reads and writes the table, writes its logs, parks failures in its DLQ, sends SMS. Nothing else.
    const inboundRoleId = logicalId(s.stack, s.stack.inboundSms.handler.role);
    expect(s.resources[inboundRoleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    const inboundActions = actionsOf(all, inboundRoleId);
    expect(inboundActions).toEqual(
      expect.arrayContaining(["dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "sqs:SendMessage"]),
    );
    // It sends nothing itself: the STOP/START/HELP answers are written queued for the pipeline.
    const inboundOthers = ["logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage"];
    expect(inboundActions.filter((action) => !(action.startsWith("dynamodb:") || inboundOthers.includes(action)))).toEqual([]);

    // The idle-close function: reads and writes the table, writes its logs. Nothing else (it sends nothing).
    const idleRoleId = logicalId(s.stack, idleCloseFunction(s).role);
    expect(s.resources[idleRoleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    const idleActions = actionsOf(all, idleRoleId);
    expect(idleActions).toEqual(expect.arrayContaining(["dynamodb:Query", "dynamodb:UpdateItem"]));
    expect(
      idleActions.filter((action) => !(action.startsWith("dynamodb:") || ["logs:CreateLogStream", "logs:PutLogEvents"].includes(action))),
    ).toEqual([]);
  });

  it("feeds the SMS sender from the table's stream: filtered, batch item failures, bisect, a TLS-only failure queue with an alarm; the sweep every minute", () => {
    const [, table] = single(s.resources, "AWS::DynamoDB::GlobalTable");
    expect(table.Properties.StreamSpecification).toEqual({ StreamViewType: "NEW_AND_OLD_IMAGES" });
    const sender = s.stack.functions.get("sms-sender")!;
    const [, mapping] = ofType(s.resources, "AWS::Lambda::EventSourceMapping").find(
      ([, candidate]) => candidate.Properties.FunctionName.Ref === logicalId(s.stack, sender.function),
    )!;
    const queueId: string = mapping.Properties.DestinationConfig.OnFailure.Destination["Fn::GetAtt"][0];
    expect(s.resources[queueId]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 1_209_600 });
    const queuePolicy = Object.values(s.resources).find(
      (resource) => resource.Type === "AWS::SQS::QueuePolicy" && resource.Properties.Queues[0].Ref === queueId,
    );
    expect(denyInsecureTransport(queuePolicy!.Properties.PolicyDocument, "sqs:*")).toBeDefined();
    expect(mapping.Properties).toMatchObject({
      FunctionName: { Ref: logicalId(s.stack, sender.function) },
      EventSourceArn: { "Fn::GetAtt": [logicalId(s.stack, s.stack.table), "StreamArn"] },
      StartingPosition: "TRIM_HORIZON",
      BatchSize: 10,
      ParallelizationFactor: 1,
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      MaximumRetryAttempts: 10,
      MaximumRecordAgeInSeconds: 86_400,
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": [queueId, "Arn"] } } },
    });
    const pattern = JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern);
    expect(pattern).toEqual(queuedOutboundFilter);
    const [, alarm] = ofType(s.resources, "AWS::CloudWatch::Alarm").find(
      ([, candidate]) => candidate.Properties.Dimensions?.[0]?.Value?.["Fn::GetAtt"]?.[0] === queueId,
    )!;
    expect(alarm.Properties).toMatchObject({
      MetricName: "ApproximateNumberOfMessagesVisible",
      Namespace: "AWS/SQS",
      Threshold: 1,
      Dimensions: [{ Name: "QueueName", Value: { "Fn::GetAtt": [queueId, "QueueName"] } }],
    });
    expect(functionResource(s, sender).Properties.Timeout).toBe(60);
    const sweepRule = Object.values(s.resources).find(
      (resource) =>
        resource.Type === "AWS::Events::Rule" &&
        resource.Properties.Targets?.[0]?.Arn?.["Fn::GetAtt"]?.[0] === logicalId(s.stack, s.stack.functions.get("sms-sweep")!.function),
    );
    expect(sweepRule?.Properties.ScheduleExpression).toBe("rate(1 minute)");
  });

  it("puts events on its own EventBridge bus: an archive of the service's source, the publisher fed by the stream, the only one allowed to put", () => {
    const [busId] = single(s.resources, "AWS::Events::EventBus");
    const [, archive] = single(s.resources, "AWS::Events::Archive");
    expect(archive.Properties).toMatchObject({
      SourceArn: { "Fn::GetAtt": [busId, "Arn"] },
      EventPattern: { source: ["agent-initiated-sms"] },
      RetentionDays: 90,
    });
    const publisher = s.stack.functions.get("event-publisher")!;
    const [, mapping] = ofType(s.resources, "AWS::Lambda::EventSourceMapping").find(
      ([, candidate]) => candidate.Properties.FunctionName.Ref === logicalId(s.stack, publisher.function),
    )!;
    expect(JSON.parse(mapping.Properties.FilterCriteria.Filters[0].Pattern)).toEqual(insertedEventFilter);
    expect(mapping.Properties).toMatchObject({ FunctionResponseTypes: ["ReportBatchItemFailures"], BisectBatchOnFunctionError: true });
    expect(functionResource(s, publisher).Properties.Environment.Variables.EVENT_BUS_NAME).toEqual({ Ref: busId });
    const puts = statements(s.resources).filter((statement) => statement.Action.includes("events:PutEvents"));
    expect(puts).toEqual([
      expect.objectContaining({ roles: [logicalId(s.stack, publisher.role)], Resource: [{ "Fn::GetAtt": [busId, "Arn"] }] }),
    ]);
  });

  it("generates the privacy key in Secrets Manager (kept with the table) and lets only the functions that hash numbers read it", () => {
    const [[secretId, secret]] = ofType(s.resources, "AWS::SecretsManager::Secret") as [[string, Resource]];
    expect(secret.DeletionPolicy).toBe("Retain");
    expect(secret.Properties.GenerateSecretString).toMatchObject({ PasswordLength: 64, ExcludePunctuation: true });
    const readers = statements(s.resources).filter((statement) => statement.Action.some((action) => action.startsWith("secretsmanager:")));
    const hashing = functionTable.filter((definition) => definition.usesPrivacyKey).map((definition) => definition.id);
    expect(hashing.sort()).toEqual(["initiate-message", "privacy-erasure", "record-consent"]);
    expect(readers.flatMap((statement) => statement.roles).sort()).toEqual(
      hashing.map((id) => logicalId(s.stack, s.stack.functions.get(id)!.role)).sort(),
    );
    for (const statement of readers) {
      expect(statement.Action.sort()).toEqual(["secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue"]);
      expect(statement.Resource).toEqual([{ Ref: secretId }]);
    }
    for (const [id, fn] of s.stack.functions) {
      const variables = functionResource(s, fn).Properties.Environment.Variables;
      expect(variables.PRIVACY_KEY_SECRET_ARN, id).toEqual(hashing.includes(id) ? { Ref: secretId } : undefined);
    }
    // Every minute, stepping until 10 s before its 50 s end.
    expect(functionResource(s, s.stack.functions.get("privacy-erasure")!).Properties.Timeout).toBe(50);
  });

  it("gives sns:Publish and SMS_TRANSPORT=sns to the stream-fed sender only: no API function and not the inbound one", () => {
    // SMS to a phone number has no ARN: Resource "*", for the two SMS actions alone, pinned to the stack's region.
    expectSmsGrantsOnlyOnSenders(s, (roleId) => [
      {
        roles: [roleId],
        Effect: "Allow",
        Action: ["sns:CheckIfPhoneNumberIsOptedOut", "sns:Publish"],
        Resource: ["*"],
        Condition: { StringEquals: { "aws:RequestedRegion": { Ref: "AWS::Region" } } },
      },
    ]);
    const senderFunctions = new Set(senders(s));
    for (const fn of s.stack.functions.values()) {
      const variables = functionResource(s, fn).Properties.Environment.Variables;
      expect(variables.SMS_TRANSPORT, fn.node.path).toBe(senderFunctions.has(fn) ? "sns" : undefined);
      expect(variables.SMS_CONFIGURATION_SET, fn.node.path).toBeUndefined();
    }
    // "*" appears only with the two SMS actions: never with any other action.
    for (const statement of statements(s.resources).filter((candidate) => candidate.Resource.includes("*"))) {
      expect(statement.Action).toEqual(["sns:CheckIfPhoneNumberIsOptedOut", "sns:Publish"]);
    }
  });

  it("creates no End User Messaging configuration set nor delivery receipts path (SNS SMS returns no per-message receipts to us)", () => {
    s.template.resourceCountIs("AWS::SMSVOICE::ConfigurationSet", 0);
    expect(s.stack.deliveryReceipts).toBeUndefined();
    expect(ofType(s.resources, "AWS::Lambda::Function").some(([id]) => id.startsWith("DeliveryReceipts"))).toBe(false);
    const outputs = Object.keys(s.template.toJSON().Outputs as object);
    expect(outputs).not.toContain("SmsConfigurationSetName");
    expect(outputs).not.toContain("DeliveryReceiptsTopicArn");
  });

  it("runs the idle-close function every 15 minutes (EventBridge rule), with IDLE_CLOSE_AFTER=24h by default", () => {
    const idleId = logicalId(s.stack, idleCloseFunction(s).function);
    const [ruleId, rule] = ofType(s.resources, "AWS::Events::Rule").find(
      ([, candidate]) => candidate.Properties.Targets[0].Arn["Fn::GetAtt"][0] === idleId,
    )!;
    expect(rule.Properties.ScheduleExpression).toBe("rate(15 minutes)");
    expect(rule.Properties.State).toBe("ENABLED");
    expect(rule.Properties.Targets).toEqual([
      {
        Id: expect.any(String),
        Arn: { "Fn::GetAtt": [idleId, "Arn"] },
        RetryPolicy: { MaximumRetryAttempts: scheduledDelivery(Duration.minutes(15)).retryAttempts, MaximumEventAgeInSeconds: 15 * 60 },
      },
    ]);
    s.template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": [idleId, "Arn"] },
      Principal: "events.amazonaws.com",
      SourceArn: { "Fn::GetAtt": [ruleId, "Arn"] },
    });
    const fn = functionResource(s, idleCloseFunction(s));
    expect(fn.Properties.Environment.Variables).toMatchObject({
      IDLE_CLOSE_AFTER: "24h",
      TABLE_NAME: { Ref: logicalId(s.stack, s.stack.table) },
    });
    // A run's budget: longer than an API request's, far shorter than the interval (runs never overlap).
    expect(fn.Properties.Timeout).toBe(60);
    expect(fn.Properties.Timeout).toBeLessThan(15 * 60);
    expect(s.resources[fn.Properties.LoggingConfig.LogGroup.Ref]?.Properties.RetentionInDays).toBe(30);
  });

  it("receives customers' replies: an encrypted, TLS-only topic that two-way SMS of this account may publish to", () => {
    // Two topics: customers' replies and the alarms.
    expect(
      ofType(s.resources, "AWS::SNS::Topic")
        .map(([id]) => id)
        .sort(),
    ).toEqual([logicalId(s.stack, s.stack.inboundSms.topic), logicalId(s.stack, s.stack.operations.alarmTopic)].sort());
    const topicId = logicalId(s.stack, s.stack.inboundSms.topic);
    const topic = s.resources[topicId]!;
    // Encrypted with a customer managed key (End User Messaging must be allowed to use it; the AWS managed key cannot allow that).
    const keyId: string = topic.Properties.KmsMasterKeyId["Fn::GetAtt"][0];
    const key = s.resources[keyId]!;
    expect(key.Type).toBe("AWS::KMS::Key");
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const sourceConditions = {
      StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
      ArnLike: { "aws:SourceArn": expect.anything() },
    };
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: twoWaySmsPrincipal },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Condition: sourceConditions,
      }),
    );

    const [, topicPolicy] = ofType(s.resources, "AWS::SNS::TopicPolicy").find(([, policy]) => policy.Properties.Topics[0].Ref === topicId)!;
    expect(topicPolicy.Properties.Topics).toEqual([{ Ref: topicId }]);
    expect(denyInsecureTransport(topicPolicy.Properties.PolicyDocument, "sns:Publish")).toBeDefined();
    expect(topicPolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: twoWaySmsPrincipal },
        Action: "sns:Publish",
        Resource: { Ref: topicId },
        Condition: sourceConditions,
      }),
    );

    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.InboundSmsTopicArn?.Value).toEqual({ Ref: topicId });
  });

  it("subscribes the inbound function to the topic, and parks what fails after retries in one TLS-only dead-letter queue", () => {
    const topicId = logicalId(s.stack, s.stack.inboundSms.topic);
    const queueId = logicalId(s.stack, s.stack.inboundSms.deadLetterQueue);
    const queue = s.resources[queueId]!;
    const inboundId = logicalId(s.stack, s.stack.inboundSms.handler.function);
    const queueArn = { "Fn::GetAtt": [queueId, "Arn"] };

    // Hop 1, SNS -> Lambda: the subscription's redrive policy (the topic's only subscription; the alarm topic has none by default).
    const [, subscription] = single(s.resources, "AWS::SNS::Subscription");
    expect(subscription.Properties).toEqual({
      Protocol: "lambda",
      TopicArn: { Ref: topicId },
      Endpoint: { "Fn::GetAtt": [inboundId, "Arn"] },
      RedrivePolicy: { deadLetterTargetArn: queueArn },
    });
    s.template.hasResourceProperties("AWS::Lambda::Permission", {
      Action: "lambda:InvokeFunction",
      FunctionName: { "Fn::GetAtt": [inboundId, "Arn"] },
      Principal: "sns.amazonaws.com",
      SourceArn: { Ref: topicId },
    });

    // Hop 2, Lambda's asynchronous invocation: explicit retries, then the function's dead-letter queue.
    expect(inboundFunction(s).Properties.DeadLetterConfig).toEqual({ TargetArn: queueArn });
    const [, invokeConfig] = single(s.resources, "AWS::Lambda::EventInvokeConfig");
    expect(invokeConfig.Properties).toMatchObject({
      FunctionName: { Ref: inboundId },
      MaximumRetryAttempts: inboundRetryPolicy.retryAttempts,
      MaximumEventAgeInSeconds: inboundRetryPolicy.maxEventAge.toSeconds(),
    });

    // The queue: 14 days, encrypted, TLS only; SNS may write to it only for this topic.
    expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    expect(queue.Properties.SqsManagedSseEnabled ?? queue.Properties.KmsMasterKeyId).toBeTruthy();
    const queuePolicy = Object.values(s.resources).find(
      (resource) => resource.Type === "AWS::SQS::QueuePolicy" && resource.Properties.Queues[0].Ref === queueId,
    )!;
    expect(queuePolicy.Properties.Queues).toEqual([{ Ref: queueId }]);
    expect(denyInsecureTransport(queuePolicy.Properties.PolicyDocument, "sqs:*")).toBeDefined();
    expect(queuePolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: "sns.amazonaws.com" },
        Action: "sqs:SendMessage",
        Condition: { ArnEquals: { "aws:SourceArn": { Ref: topicId } } },
      }),
    );
  });

  it("logs API access as JSON (request id, status, route key; no bodies, no query strings) with a retention", () => {
    const [[, stage]] = ofType(s.resources, "AWS::ApiGatewayV2::Stage") as [[string, Resource]];
    expect(stage.Properties.StageName).toBe("$default");
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({ requestId: "$context.requestId", status: "$context.status", routeKey: "$context.routeKey" });
    const variables = Object.values(format).join(" ");
    expect(variables).not.toMatch(/body|querystring|\$context\.path|header/i);
    const logGroupId: string = stage.Properties.AccessLogSettings.DestinationArn["Fn::GetAtt"][0];
    expect(s.resources[logGroupId]?.Type).toBe("AWS::Logs::LogGroup");
    for (const [id, logGroup] of ofType(s.resources, "AWS::Logs::LogGroup")) {
      expect(logGroup.Properties.RetentionInDays, id).toBeGreaterThan(0);
    }
  });

  it("alarms on every function's errors and throttles, every parked-message queue, API 5xx and the SMS failure rate, all to one topic", () => {
    const alarms = ofType(s.resources, "AWS::CloudWatch::Alarm");
    const topicRef = { Ref: logicalId(s.stack, s.stack.operations.alarmTopic) };
    for (const [id, alarm] of alarms) expect(alarm.Properties.AlarmActions, id).toEqual([topicRef]);

    const byFunction = (metricName: string) =>
      alarms
        .filter(([, alarm]) => alarm.Properties.Namespace === "AWS/Lambda" && alarm.Properties.MetricName === metricName)
        .map(([, alarm]) => alarm.Properties.Dimensions[0].Value.Ref as string)
        .sort();
    const functionIds = [...s.stack.functions.values()].map((fn) => logicalId(s.stack, fn.function)).sort();
    expect(functionIds).toHaveLength(functionTable.filter((definition) => definition.id !== "delivery-receipts").length);
    expect(byFunction("Errors")).toEqual(functionIds);
    expect(byFunction("Throttles")).toEqual(functionIds);

    // Queues: the inbound dead-letter queue, and each stream function's failure destination (its own alarm).
    const queueDepth = alarms
      .filter(([, alarm]) => alarm.Properties.MetricName === "ApproximateNumberOfMessagesVisible")
      .map(([, alarm]) => alarm.Properties.Dimensions[0].Value["Fn::GetAtt"][0] as string)
      .sort();
    const streamFunctions = functionTable.filter((definition) => definition.trigger.kind === "stream");
    const queues = [
      logicalId(s.stack, s.stack.inboundSms.deadLetterQueue),
      ...streamFunctions.map((definition) => logicalId(s.stack, (s.stack.functions.get(definition.id)!.node.scope as any).failureQueue)),
    ].sort();
    expect(queueDepth).toEqual(queues);

    const [, api5xx] = alarms.find(([, alarm]) => alarm.Properties.MetricName === "5xx")!;
    expect(api5xx.Properties).toMatchObject({ Namespace: "AWS/ApiGateway", Statistic: "Sum", Threshold: 5, Period: 300 });

    const rate = alarms.find(([, alarm]) => alarm.Properties.Metrics !== undefined)![1].Properties;
    expect(rate.Threshold).toBe(10);
    const expression = rate.Metrics.find((m: any) => m.Expression).Expression as string;
    expect(expression).toBe("IF(sent + failed >= 10, 100 * failed / (sent + failed))");
    const read = rate.Metrics.filter((m: any) => m.MetricStat).map((m: any) => m.MetricStat.Metric);
    expect(read).toEqual([
      { Namespace: "AgentInitiatedSms", MetricName: "SmsSent", Dimensions: [{ Name: "service", Value: "agent-initiated-sms" }] },
      { Namespace: "AgentInitiatedSms", MetricName: "SmsFailed", Dimensions: [{ Name: "service", Value: "agent-initiated-sms" }] },
    ]);
    // Two per function, one per queue, API 5xx, SMS failure rate.
    expect(alarms).toHaveLength(2 * functionIds.length + queues.length + 2);
  });

  it("notifies alarms on an encrypted, TLS-only topic CloudWatch may use, with no subscriber unless alarmEmail is given", () => {
    const topicId = logicalId(s.stack, s.stack.operations.alarmTopic);
    const topic = s.resources[topicId]!;
    const keyId: string = topic.Properties.KmsMasterKeyId["Fn::GetAtt"][0];
    const keyStatements = s.resources[keyId]!.Properties.KeyPolicy.Statement as any[];
    expect(keyStatements).toContainEqual(
      expect.objectContaining({ Principal: { Service: "cloudwatch.amazonaws.com" }, Action: ["kms:Decrypt", "kms:GenerateDataKey*"] }),
    );
    const [, topicPolicy] = ofType(s.resources, "AWS::SNS::TopicPolicy").find(([, policy]) =>
      policy.Properties.Topics.some((t: any) => t.Ref === topicId),
    )!;
    expect(denyInsecureTransport(topicPolicy.Properties.PolicyDocument, "sns:Publish")).toBeDefined();
    expect(ofType(s.resources, "AWS::SNS::Subscription").filter(([, sub]) => sub.Properties.Protocol === "email")).toEqual([]);
    expect(Object.keys(s.template.toJSON().Outputs as object)).toEqual(expect.arrayContaining(["AlarmTopicArn", "DashboardName"]));
  });

  it("has one dashboard with the outcome metrics, the API and the queues", () => {
    const [, dashboard] = single(s.resources, "AWS::CloudWatch::Dashboard");
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const name of ["InitiationCreated", "InitiationReplacedVirtualAgent", "SmsSent", "SmsFailed", "OptOuts", "InboundSms", "5xx"])
      expect(body, name).toContain(name);
  });

  it("masks phone numbers in every log group with a data-protection policy (E.164 and national formats)", () => {
    const logGroups = ofType(s.resources, "AWS::Logs::LogGroup");
    expect(logGroups.length).toBe(s.stack.functions.size + 1);
    for (const [id, logGroup] of logGroups) {
      const policy = logGroup.Properties.DataProtectionPolicy;
      expect(policy?.Configuration?.CustomDataIdentifier, id).toEqual([{ Name: "E164PhoneNumber", Regex: "\\+[1-9][0-9]{7,14}" }]);
      const masked = policy.Statement.find((statement: any) => statement.Operation.Deidentify);
      expect(JSON.stringify(masked.DataIdentifier)).toContain("PhoneNumber-US");
      expect(masked.DataIdentifier).toContain("E164PhoneNumber");
    }
    // The pattern matches what the service writes, and not a masked number.
    const pattern = new RegExp(s.resources[logGroups[0]![0]]!.Properties.DataProtectionPolicy.Configuration.CustomDataIdentifier[0].Regex);
    expect(pattern.test('{"to":"+447700900123"}')).toBe(true);
    expect(pattern.test('{"to":"+4477•••••23"}')).toBe(false);
  });

  it("answers no CORS preflight unless origins are given", () => {
    const [, api] = single(s.resources, "AWS::ApiGatewayV2::Api");
    expect(api.Properties.CorsConfiguration).toBeUndefined();
  });

  it("outputs the API URL, the table name, the user pool and client ids and the inbound SMS topic and dead-letter queue", () => {
    const outputs = Object.keys(s.template.toJSON().Outputs as object);
    expect(outputs).toEqual(
      expect.arrayContaining([
        "ApiUrl",
        "TableName",
        "UserPoolId",
        "UserPoolClientId",
        "InboundSmsTopicArn",
        "InboundSmsDeadLetterQueueUrl",
      ]),
    );
  });

  it("passes the AWS Solutions checks with no unacknowledged error or warning", () => {
    expect(nagFindings(s.app)).toEqual([]);
  });

  it("gives every acknowledged finding a reason that explains it", () => {
    const acks = acknowledgements(s.app);
    expect(acks.length).toBeGreaterThan(0);
    for (const ack of acks) {
      expect(ack.reason.trim().length, `${ack.id} at ${ack.path}`).toBeGreaterThanOrEqual(20);
    }
    // The SMS wildcard is acknowledged on the SMS policy of the functions that send, and nowhere else.
    // (The ids are recorded with the validation framework's namespace prefix.)
    const wildcard = acks.filter((ack) => ack.id.endsWith("AwsSolutions-IAM5[Resource::*]"));
    const policies = senders(s).map((sender) => sender.smsPolicy!.node.path);
    expect(wildcard.map((ack) => ack.path).sort()).toEqual(policies.sort());
    for (const ack of wildcard) expect(ack.reason).toMatch(/PhoneNumber/);
  });

  it("also synthesises with the checks registered the way infra/app.ts does (an error would throw)", () => {
    const app = new App({ outdir, context: { ...cdkJsonContext, "aws:cdk:bundling-stacks": [] } });
    stackFromContext(app);
    const checks = new AwsSolutionsChecks(app);
    const validate = vi.spyOn(checks, "validate");
    Validations.of(app).addPlugins(checks);
    expect(() => app.synth()).not.toThrow();
    expect(validate).toHaveBeenCalledTimes(1);
    expect(validate.mock.results[0]?.value).toMatchObject({ success: true, violations: [] });
  });
});

describe("the stack sending through End User Messaging (contexts smsTransport=end-user-messaging, helpText, idleCloseAfter)", () => {
  const helpText = "Acme support: reply STOP to opt out. Call 0800 123 456 for help.";
  let s: Synth;
  let configurationSetId: string;
  let receiptsTopicId: string;
  beforeAll(() => {
    s = synth({ smsTransport: "end-user-messaging", helpText, idleCloseAfter: "90m" });
    configurationSetId = single(s.resources, "AWS::SMSVOICE::ConfigurationSet")[0];
    receiptsTopicId = logicalId(s.stack, s.stack.deliveryReceipts!.topic);
  });

  /** What the publisher conditions of the receipts topic and key must name: this configuration set only. */
  const configurationSetArn = {
    "Fn::Join": [
      "",
      [
        "arn:",
        { Ref: "AWS::Partition" },
        ":sms-voice:",
        { Ref: "AWS::Region" },
        ":",
        { Ref: "AWS::AccountId" },
        ":configuration-set/AgentInitiatedSms-sms",
      ],
    ],
  };

  it("creates the configuration set, whose event destination sends every text event to the receipts topic", () => {
    const configurationSet = s.resources[configurationSetId]!;
    expect(configurationSet.Properties).toEqual({
      ConfigurationSetName: "AgentInitiatedSms-sms",
      EventDestinations: [
        {
          EventDestinationName: "delivery-receipts",
          Enabled: true,
          MatchingEventTypes: ["TEXT_ALL"],
          SnsDestination: { TopicArn: { Ref: receiptsTopicId } },
        },
      ],
    });
    // Created once the topic policy lets it publish.
    const [topicPolicyId] = ofType(s.resources, "AWS::SNS::TopicPolicy").find(
      ([, policy]) => policy.Properties.Topics[0].Ref === receiptsTopicId,
    )!;
    expect((configurationSet as { DependsOn?: string[] }).DependsOn).toEqual(expect.arrayContaining([topicPolicyId, receiptsTopicId]));

    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.SmsConfigurationSetName?.Value).toEqual({ Ref: configurationSetId });
    expect(outputs.DeliveryReceiptsTopicArn?.Value).toEqual({ Ref: receiptsTopicId });
  });

  it("encrypts the receipts topic, TLS only, and lets only this configuration set of this account publish to it", () => {
    const topic = s.resources[receiptsTopicId]!;
    const keyId: string = topic.Properties.KmsMasterKeyId["Fn::GetAtt"][0];
    expect(keyId).toBe(logicalId(s.stack, s.stack.deliveryReceipts!.key));
    const key = s.resources[keyId]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    const sourceConditions = {
      StringEquals: { "aws:SourceAccount": { Ref: "AWS::AccountId" } },
      ArnLike: { "aws:SourceArn": configurationSetArn },
    };
    expect(key.Properties.KeyPolicy.Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Allow",
        Principal: { Service: deliveryEventsPrincipal },
        Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
        Condition: sourceConditions,
      }),
    );
    const [, topicPolicy] = ofType(s.resources, "AWS::SNS::TopicPolicy").find(
      ([, policy]) => policy.Properties.Topics[0].Ref === receiptsTopicId,
    )!;
    expect(denyInsecureTransport(topicPolicy.Properties.PolicyDocument, "sns:Publish")).toBeDefined();
    const allows = (topicPolicy.Properties.PolicyDocument.Statement as any[]).filter((statement) => statement.Effect === "Allow");
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: deliveryEventsPrincipal },
        Action: "sns:Publish",
        Resource: { Ref: receiptsTopicId },
        Condition: sourceConditions,
      }),
    ]);
  });

  it("subscribes the delivery-receipts function to the topic, with the dead-letter queue on both hops", () => {
    const receipts = s.stack.deliveryReceipts!;
    const receiptsFnId = logicalId(s.stack, receipts.handler.function);
    const queueArn = { "Fn::GetAtt": [logicalId(s.stack, receipts.deadLetterQueue), "Arn"] };
    const subscription = ofType(s.resources, "AWS::SNS::Subscription").find(
      ([, candidate]) => candidate.Properties.TopicArn.Ref === receiptsTopicId,
    )![1];
    expect(subscription.Properties).toEqual({
      Protocol: "lambda",
      TopicArn: { Ref: receiptsTopicId },
      Endpoint: { "Fn::GetAtt": [receiptsFnId, "Arn"] },
      RedrivePolicy: { deadLetterTargetArn: queueArn },
    });
    const fn = functionResource(s, receipts.handler);
    expect(fn.Properties.DeadLetterConfig).toEqual({ TargetArn: queueArn });
    expect(String(fn.Properties.Description)).toMatch(/^Delivery receipts/);
    s.template.hasResourceProperties("AWS::Lambda::EventInvokeConfig", {
      FunctionName: { Ref: receiptsFnId },
      MaximumRetryAttempts: snsSubscriptionRetryPolicy.retryAttempts,
      MaximumEventAgeInSeconds: snsSubscriptionRetryPolicy.maxEventAge.toSeconds(),
    });
    const queue = s.resources[logicalId(s.stack, receipts.deadLetterQueue)]!;
    expect(queue.Properties.MessageRetentionPeriod).toBe(14 * 24 * 3600);
    // It moves messages forward: reads and writes the table; it sends nothing.
    const actions = actionsOf(statements(s.resources), logicalId(s.stack, receipts.handler.role));
    expect(actions).toEqual(expect.arrayContaining(["dynamodb:Query", "dynamodb:UpdateItem", "sqs:SendMessage"]));
    expect(
      actions.filter(
        (action) => !(action.startsWith("dynamodb:") || ["logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage"].includes(action)),
      ),
    ).toEqual([]);
    expect(fn.Properties.Environment.Variables.SMS_TRANSPORT).toBeUndefined();
    expect(Object.keys(s.template.toJSON().Outputs as object)).toContain("DeliveryReceiptsDeadLetterQueueUrl");
  });

  it("gives the sender (sms-sender, fed by the stream) sms-voice:SendTextMessage on this account's numbers and pools only, and no one any sns: action", () => {
    const identity = (resource: string) => ({
      "Fn::Join": [
        "",
        ["arn:", { Ref: "AWS::Partition" }, ":sms-voice:", { Ref: "AWS::Region" }, ":", { Ref: "AWS::AccountId" }, `:${resource}/*`],
      ],
    });
    expectSmsGrantsOnlyOnSenders(s, (roleId) => [
      { roles: [roleId], Effect: "Allow", Action: ["sms-voice:SendTextMessage"], Resource: [identity("phone-number"), identity("pool")] },
    ]);
    expect(
      statements(s.resources)
        .flatMap((statement) => statement.Action)
        .filter((action) => action.startsWith("sns:")),
    ).toEqual([]);
    // No Resource "*" at all once SNS SMS is not the transport.
    expect(statements(s.resources).filter((statement) => statement.Resource.includes("*"))).toEqual([]);
  });

  it("sets SMS_TRANSPORT=end-user-messaging and SMS_CONFIGURATION_SET (the configuration set's name) on the senders only", () => {
    const senderFunctions = new Set(senders(s));
    // The loop covers every function, the receipts' one included.
    expect(s.stack.functions.get("delivery-receipts")).toBe(s.stack.deliveryReceipts!.handler);
    expect([...s.stack.functions.keys()].sort()).toEqual(functionTable.map((definition) => definition.id).sort());
    for (const fn of s.stack.functions.values()) {
      const variables = functionResource(s, fn).Properties.Environment.Variables;
      if (senderFunctions.has(fn)) {
        expect(variables, fn.node.path).toMatchObject({
          SMS_TRANSPORT: "end-user-messaging",
          SMS_CONFIGURATION_SET: { Ref: configurationSetId },
        });
      } else {
        expect(variables.SMS_TRANSPORT, fn.node.path).toBeUndefined();
        expect(variables.SMS_CONFIGURATION_SET, fn.node.path).toBeUndefined();
      }
    }
  });

  it("answers HELP with the helpText context and closes interactions after the idleCloseAfter context", () => {
    expect(inboundFunction(s).Properties.Environment.Variables.HELP_TEXT).toBe(helpText);
    expect(functionResource(s, idleCloseFunction(s)).Properties.Environment.Variables.IDLE_CLOSE_AFTER).toBe("90m");
    // HELP_TEXT only where HELP is answered.
    for (const fn of s.stack.functions.values()) {
      if (fn !== s.stack.inboundSms.handler) expect(functionResource(s, fn).Properties.Environment.Variables.HELP_TEXT).toBeUndefined();
    }
  });

  it("passes the AWS Solutions checks, the identity wildcards acknowledged on the senders' SMS policies only", () => {
    expect(nagFindings(s.app)).toEqual([]);
    const identityAcks = acknowledgements(s.app).filter((ack) => /AwsSolutions-IAM5\[Resource::.*:(phone-number|pool)\/\*\]$/.test(ack.id));
    const policies = senders(s).map((sender) => sender.smsPolicy!.node.path);
    expect(identityAcks.map((ack) => ack.path).sort()).toEqual([...policies, ...policies].sort());
    for (const ack of identityAcks) expect(ack.reason).toMatch(/SendTextMessage/);
    expect(acknowledgements(s.app).filter((ack) => ack.id.endsWith("AwsSolutions-IAM5[Resource::*]"))).toEqual([]);
  });
});

describe("the stack with an existing OIDC issuer (contexts jwtIssuer, jwtAudience)", () => {
  const issuer = "https://login.example.com/tenant-1/v2.0";
  let s: Synth;
  beforeAll(() => {
    s = synth({
      jwtIssuer: issuer,
      jwtAudience: "desk-app, api://agent-initiated-sms",
      stage: "test",
      corsOrigins: "https://desk.example.com, http://localhost:5173",
      alarmEmail: "ops@example.com",
      sendWindow: "09:00-20:00",
      replyGrace: "30m",
    });
  });

  it("sets the sendWindow and replyGrace contexts on the functions that decide sends (initiate, compose options) only", () => {
    for (const [functionId, fn] of s.stack.functions) {
      const variables = functionResource(s, fn).Properties.Environment.Variables;
      const decides = functionId === "initiate-message" || functionId === "compose-options";
      expect([variables.SEND_WINDOW, variables.REPLY_GRACE], functionId).toEqual(decides ? ["09:00-20:00", "30m"] : [undefined, undefined]);
    }
  });

  it("lets the corsOrigins context's browser desks call the API: those origins, the token and idempotency headers", () => {
    const [, api] = single(s.resources, "AWS::ApiGatewayV2::Api");
    expect(api.Properties.CorsConfiguration).toEqual({
      AllowOrigins: ["https://desk.example.com", "http://localhost:5173"],
      AllowMethods: ["GET", "POST", "PATCH"],
      AllowHeaders: ["authorization", "content-type", "idempotency-key"],
      ExposeHeaders: ["x-request-id"],
      MaxAge: 3600,
    });
  });

  it("subscribes the alarmEmail context's mailbox to the alarm topic", () => {
    const [, subscription] = single(
      Object.fromEntries(ofType(s.resources, "AWS::SNS::Subscription").filter(([, sub]) => sub.Properties.Protocol === "email")),
      "AWS::SNS::Subscription",
    );
    expect(subscription.Properties).toMatchObject({
      Protocol: "email",
      Endpoint: "ops@example.com",
      TopicArn: { Ref: logicalId(s.stack, s.stack.operations.alarmTopic) },
    });
  });

  it("creates no Cognito user pool and the authorizer trusts that issuer and audience", () => {
    s.template.resourceCountIs("AWS::Cognito::UserPool", 0);
    s.template.resourceCountIs("AWS::Cognito::UserPoolClient", 0);
    s.template.resourceCountIs("AWS::Cognito::UserPoolGroup", 0);
    s.template.resourceCountIs("AWS::Cognito::UserPoolRiskConfigurationAttachment", 0);
    s.template.resourceCountIs("AWS::ApiGatewayV2::Authorizer", 1);
    s.template.hasResourceProperties("AWS::ApiGatewayV2::Authorizer", {
      AuthorizerType: "JWT",
      JwtConfiguration: { Issuer: issuer, Audience: ["desk-app", "api://agent-initiated-sms"] },
    });
    for (const [, route] of ofType(s.resources, "AWS::ApiGatewayV2::Route")) {
      expect(route.Properties.AuthorizationType).toBe("JWT");
    }
    const outputs = Object.keys(s.template.toJSON().Outputs as object);
    expect(outputs).not.toContain("UserPoolId");
    expect(outputs).toEqual(expect.arrayContaining(["ApiUrl", "TableName", "JwtIssuer"]));
  });

  it("takes its name from the stage context", () => {
    expect(s.stack.stackName).toBe("AgentInitiatedSms-test");
  });

  it("passes the AWS Solutions checks too", () => {
    expect(nagFindings(s.app)).toEqual([]);
  });
});

describe("the stack with a deployer's compose extension (context composeExtension)", () => {
  const extension = "extensions/prefer-local-sender.ts";
  let s: Synth;
  beforeAll(() => {
    s = synth({ composeExtension: extension, defaultCountry: "gb" }, { bundle: true });
  }, 300_000);

  it("points the functions that use the extension point at the bundled module, and only those", () => {
    for (const route of routeList) {
      const variables = functionOf(s, route.id).Properties.Environment.Variables;
      expect(variables.DEFAULT_COUNTRY).toBe("GB");
      expect(variables.COMPOSE_EXTENSION_MODULE, route.id).toBe(route.usesComposeExtension ? composeExtensionRuntimePath : undefined);
    }
    expect(routeList.some((route) => route.usesComposeExtension)).toBe(true);
  });

  it("ships the module, bundled as ESM, inside the function's package", async () => {
    const route = routeList.find((candidate) => candidate.usesComposeExtension)!;
    const fn = functionOf(s, route.id);
    const assetDir = join(s.app.outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, "")}`);
    const bundled = join(assetDir, composeExtensionFileName);
    expect(existsSync(bundled)).toBe(true);
    const loaded = (await import(pathToFileURL(bundled).href)) as { default?: { name?: unknown; composeDefaults?: unknown } };
    expect(loaded.default?.name).toBe("prefer-local-sender");
    expect(typeof loaded.default?.composeDefaults).toBe("function");
  });
});

describe("sam local invoke, as docs/deploying.md runs it (context samLocal=true, events/sam-env.json)", () => {
  let s: Synth;
  beforeAll(() => {
    s = synth({ samLocal: "true" });
  });
  const deployingPage = readFileSync(join(projectRoot, "docs", "deploying.md"), "utf8");
  const envFile = JSON.parse(readFileSync(join(projectRoot, "events", "sam-env.json"), "utf8")) as { Parameters: Record<string, string> };

  it("the page's grep yields exactly one logical id for every function: its own", () => {
    const line = deployingPage.split("\n").find((text) => text.startsWith("id=$(grep -oE "))!;
    // The pattern between the grep's double quotes, with the shell's \" and ${fn} as the shell would expand them.
    const pattern = /grep -oE "(.*)" cdk\.out/.exec(line)![1]!.replace(/\\"/g, '"');
    const text = JSON.stringify(s.template.toJSON(), null, 1);
    for (const [functionId, fn] of s.stack.functions) {
      const expanded = new RegExp(pattern.replace("${fn}", constructIdOf(functionId)), "g");
      const found = new Set(text.match(expanded) ?? []);
      expect([...found], functionId).toEqual([`"${logicalId(s.stack, fn.function)}"`]);
    }
  });

  it("declares every variable sam-env.json sets on the functions that read it, empty, and the file names the local server's table", () => {
    expect(envFile.Parameters.TABLE_NAME).toBe(LOCAL_TABLE_NAME);
    expect(envFile.Parameters.SMS_TRANSPORT).toBe("outbox");
    const declared = new Set<string>();
    for (const [functionId, fn] of s.stack.functions) {
      const variables = functionResource(s, fn).Properties.Environment.Variables as Record<string, unknown>;
      expect(variables.DYNAMODB_ENDPOINT, functionId).toBe("");
      for (const name of Object.keys(variables)) declared.add(name);
    }
    for (const name of Object.keys(envFile.Parameters)) expect(declared.has(name), name).toBe(true);
    const sender = functionResource(s, s.stack.functions.get("sms-sender")!).Properties.Environment.Variables;
    expect(sender).toMatchObject({ SMS_TRANSPORT: "sns", OUTBOX_FILE: "" });
  });

  it("declares none of them in a synth for deploying", () => {
    const deployed = synth({});
    for (const fn of deployed.stack.functions.values()) {
      const variables = functionResource(deployed, fn).Properties.Environment.Variables as Record<string, unknown>;
      expect(Object.keys(variables)).not.toEqual(expect.arrayContaining(["DYNAMODB_ENDPOINT"]));
      expect(variables.OUTBOX_FILE).toBeUndefined();
      expect(variables.EVENTBUS_FILE).toBeUndefined();
    }
  });
});

describe("stack context", () => {
  const config = (context: Record<string, string>) => readStackConfig(new App({ context }).node);

  it("defaults to the AgentInitiatedSms stack, US, Cognito, the shipped extension, SNS, 24h idle close, the shipped help text, a 90-day archive", () => {
    expect(config({})).toEqual({
      stackName: "AgentInitiatedSms",
      defaultCountry: "US",
      smsTransport: "sns",
      idleCloseAfter: "24h",
      eventArchiveDays: 90,
      corsOrigins: [],
      samLocal: false,
    });
  });

  it("reads every key", () => {
    expect(
      config({
        stackName: "Sms-Prod",
        defaultCountry: "mx",
        jwtIssuer: "https://issuer.example.com",
        jwtAudience: "a,b",
        composeExtension: "./extensions/prefer-local-sender.ts",
        smsTransport: "end-user-messaging",
        idleCloseAfter: " 2d ",
        helpText: "Reply STOP to stop.",
        eventArchiveDays: "30",
        corsOrigins: "https://desk.example.com,http://localhost:3000",
        alarmEmail: "ops@example.com",
        samLocal: "true",
        sendWindow: "09:00-20:00",
        replyGrace: "2h",
        messageRetention: "400d",
        pointInTimeRecoveryDays: "7",
      }),
    ).toEqual({
      stackName: "Sms-Prod",
      defaultCountry: "MX",
      jwt: { issuer: "https://issuer.example.com", audience: ["a", "b"] },
      composeExtension: "extensions/prefer-local-sender.ts",
      smsTransport: "end-user-messaging",
      idleCloseAfter: "2d",
      helpText: "Reply STOP to stop.",
      eventArchiveDays: 30,
      corsOrigins: ["https://desk.example.com", "http://localhost:3000"],
      alarmEmail: "ops@example.com",
      samLocal: true,
      sendWindow: "09:00-20:00",
      replyGrace: "2h",
      messageRetention: "400d",
      pointInTimeRecoveryDays: 7,
    });
    for (const duration of ["24h", "90m", "30s", "1.5h", "3600", "2 d"])
      expect(config({ idleCloseAfter: duration }).idleCloseAfter).toBe(duration);
  });

  it("refuses mistakes with a message naming the key", () => {
    expect(() => config({ jwtIssuer: "https://issuer.example.com" })).toThrow(/jwtAudience/);
    expect(() => config({ jwtAudience: "a" })).toThrow(/jwtIssuer/);
    expect(() => config({ jwtIssuer: "http://issuer.example.com", jwtAudience: "a" })).toThrow(/https/);
    expect(() => config({ defaultCountry: "USA" })).toThrow(/defaultCountry/);
    expect(() => config({ composeExtension: "extensions/does-not-exist.ts" })).toThrow(/composeExtension/);
    expect(() => config({ composeExtension: "../outside.ts" })).toThrow(/inside the project root/);
    expect(() => config({ stage: "a b" })).toThrow(/stage/);
    expect(() => config({ smsTransport: "outbox" })).toThrow(/context smsTransport must be sns or end-user-messaging \(got "outbox"\)/);
    expect(() => config({ smsTransport: "SNS" })).toThrow(/smsTransport/);
    expect(() => config({ idleCloseAfter: "1 week" })).toThrow(/context idleCloseAfter must be a duration/);
    expect(() => config({ idleCloseAfter: "24hours" })).toThrow(/idleCloseAfter/);
    expect(() => config({ idleCloseAfter: "0m" })).toThrow(/idleCloseAfter must be longer than zero/);
    expect(() => config({ helpText: "x".repeat(1601) })).toThrow(/helpText/);
    expect(() => config({ corsOrigins: "*" })).toThrow(/context corsOrigins/);
    expect(() => config({ corsOrigins: "https://desk.example.com/app" })).toThrow(/without a path/);
    expect(() => config({ alarmEmail: "ops" })).toThrow(/context alarmEmail/);
    expect(() => config({ samLocal: "yes" })).toThrow(/context samLocal/);
    expect(() => config({ sendWindow: "21:00-08:00" })).toThrow(/context sendWindow/);
    expect(() => config({ replyGrace: "an hour" })).toThrow(/context replyGrace/);
    expect(() => config({ messageRetention: "1d" })).toThrow(/context messageRetention: MESSAGE_RETENTION must be at least 3d/);
    expect(() => config({ pointInTimeRecoveryDays: "36" })).toThrow(/context pointInTimeRecoveryDays/);
  });
});

describe("privacy contexts (messageRetention, pointInTimeRecoveryDays)", () => {
  it("sets MESSAGE_RETENTION on every function, and the table's point-in-time recovery period", () => {
    const s = synth({ messageRetention: "400d", pointInTimeRecoveryDays: "7" });
    for (const [id, fn] of s.stack.functions) {
      expect(functionResource(s, fn).Properties.Environment.Variables.MESSAGE_RETENTION, id).toBe("400d");
    }
    const [[, table]] = ofType(s.resources, "AWS::DynamoDB::GlobalTable") as [[string, Resource]];
    const pitr = table.Properties.PointInTimeRecoverySpecification ?? table.Properties.Replicas?.[0]?.PointInTimeRecoverySpecification;
    expect(pitr).toEqual({ PointInTimeRecoveryEnabled: true, RecoveryPeriodInDays: 7 });
    // Off by default: no function is given a retention.
    const plain = synth({});
    for (const fn of plain.stack.functions.values()) {
      expect(functionResource(plain, fn).Properties.Environment.Variables.MESSAGE_RETENTION).toBeUndefined();
    }
  });
});
