import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { App, Validations } from "aws-cdk-lib";
import type { CfnElement } from "aws-cdk-lib";
import { Template } from "aws-cdk-lib/assertions";
import { AwsSolutionsChecks } from "cdk-nag";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { composeExtensionFileName, composeExtensionRuntimePath, endpointFunctionDefaults } from "../../infra/endpoint-function";
import { inboundRetryPolicy, twoWaySmsPrincipal } from "../../infra/inbound-sms";
import { stackFromContext } from "../../infra/stack";
import type { AgentInitiatedSmsStack } from "../../infra/stack";
import { readStackConfig } from "../../infra/stack-config";
import { routeList } from "../../shared/http/routes";
import { createTableInput } from "../../shared/storage/table-definition";
import { tableDesign } from "../../shared/storage/table-design";

/* eslint-disable @typescript-eslint/no-explicit-any -- CloudFormation templates are untyped JSON. */
type Resource = { Type: string; Properties: any; DeletionPolicy?: string; UpdateReplacePolicy?: string };

interface Synth {
  app: App;
  stack: AgentInitiatedSmsStack;
  template: Template;
  resources: Record<string, Resource>;
}

/**
 * One cloud assembly directory for every app in this file: CDK caches bundles per output directory,
 * so the variants below reuse the handlers already bundled instead of running esbuild again.
 */
const outdir = mkdtempSync(join(tmpdir(), "agent-initiated-sms-stack-test-"));
afterAll(() => rmSync(outdir, { recursive: true, force: true }));

/** Builds the stack exactly as `infra/app.ts` does (name and props from context) and synthesises it. */
function synth(context: Record<string, string> = {}): Synth {
  const app = new App({ context, outdir });
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
    add((policy.Properties.Roles ?? []).map((role: any) => role.Ref), policy.Properties.PolicyDocument);
  }
  for (const [id, role] of ofType(resources, "AWS::IAM::Role")) {
    for (const inline of role.Properties.Policies ?? []) add([id], inline.PolicyDocument);
  }
  return found;
}

const writeActions = ["dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:TransactWriteItems", "dynamodb:BatchWriteItem"];

/** Unacknowledged AwsSolutions findings (cdk-nag 3 reports through the CDK validation framework, not annotations). */
function nagFindings(app: App): string[] {
  const report = new AwsSolutionsChecks().validateScope(app);
  return report.violations.flatMap((violation) =>
    violation.violatingResources.map((resource) => `${violation.severity} ${violation.ruleName} at ${resource.constructPath}: ${violation.description}`),
  );
}

/** Every acknowledgement (cdk-nag 3's suppressions) recorded anywhere in the app. */
function acknowledgements(app: App): Array<{ path: string; id: string; reason: string }> {
  return app.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) => Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({ path: construct.node.path, id, reason }))),
  );
}

describe("the stack with its defaults (Cognito user pool)", () => {
  let s: Synth;
  beforeAll(() => {
    s = synth();
  });

  it("is named AgentInitiatedSms", () => {
    expect(s.stack.stackName).toBe("AgentInitiatedSms");
  });

  it("has one Node 22 arm64 ESM function per route plus the inbound SMS function, and no other function (no CDK helper functions)", () => {
    const functions = ofType(s.resources, "AWS::Lambda::Function");
    expect(functions).toHaveLength(routeList.length + 1);
    expect(s.stack.functions.size).toBe(routeList.length);
    expect(ofType(s.resources, "Custom::LogRetention")).toHaveLength(0);
    for (const route of routeList) {
      const fn = functionOf(s, route.id);
      expect(fn.Properties).toMatchObject({
        Runtime: "nodejs22.x",
        Architectures: ["arm64"],
        Handler: "index.handler",
        MemorySize: endpointFunctionDefaults.memorySize,
        Timeout: endpointFunctionDefaults.timeout.toSeconds(),
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

    // The inbound SMS function: same defaults, no HTTP route, no compose extension, no transport.
    const inbound = inboundFunction(s);
    expect(inbound.Properties).toMatchObject({
      Runtime: "nodejs22.x",
      Architectures: ["arm64"],
      Handler: "index.handler",
      MemorySize: endpointFunctionDefaults.memorySize,
      Timeout: endpointFunctionDefaults.timeout.toSeconds(),
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

  it("bundles each handler as one ESM file with a source map and the require shim", () => {
    const fn = functionOf(s, "get-consumer");
    const assetDir = join(s.app.outdir, `asset.${String(fn.Properties.Code.S3Key).replace(/\.zip$/, "")}`);
    expect(existsSync(join(assetDir, "index.mjs"))).toBe(true);
    expect(existsSync(join(assetDir, "index.mjs.map"))).toBe(true);
    expect(existsSync(join(assetDir, "node_modules"))).toBe(false);
    expect(existsSync(join(assetDir, composeExtensionFileName))).toBe(false);
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
    const byName = <T extends { AttributeName?: string }>(list: T[]) => [...list].sort((a, b) => String(a.AttributeName).localeCompare(String(b.AttributeName)));
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
        action.startsWith("dynamodb:") || action === "logs:CreateLogStream" || action === "logs:PutLogEvents" || (route.sendsSms === true && (action === "sns:Publish" || action === "sns:CheckIfPhoneNumberIsOptedOut"));
      expect(actions.filter((action) => !allowed(action)), route.id).toEqual([]);
    }

    // The inbound function: reads and writes the table, writes its logs, parks failures in its DLQ. Nothing else.
    const inboundRoleId = logicalId(s.stack, s.stack.inboundSms.handler.role);
    expect(s.resources[inboundRoleId]!.Properties.ManagedPolicyArns).toBeUndefined();
    const inboundActions = actionsOf(all, inboundRoleId);
    expect(inboundActions).toEqual(expect.arrayContaining(["dynamodb:Query", "dynamodb:PutItem", "dynamodb:UpdateItem", "sqs:SendMessage"]));
    expect(
      inboundActions.filter((action) => !(action.startsWith("dynamodb:") || ["logs:CreateLogStream", "logs:PutLogEvents", "sqs:SendMessage"].includes(action))),
    ).toEqual([]);
  });

  it("gives sns:Publish and SMS_TRANSPORT=sns to the functions whose route sends SMS, and to no other", () => {
    expect(routeList.some((route) => route.sendsSms)).toBe(true);
    const all = statements(s.resources);
    const senderRoleIds = new Set<string>();
    for (const route of routeList) {
      const roleId = logicalId(s.stack, s.stack.functions.get(route.id)!.role);
      const variables = functionOf(s, route.id).Properties.Environment.Variables;
      const sns = all.filter((statement) => statement.roles.includes(roleId) && statement.Action.some((action) => action.startsWith("sns:")));
      if (route.sendsSms) {
        senderRoleIds.add(roleId);
        expect(variables.SMS_TRANSPORT, route.id).toBe("sns");
        // SMS to a phone number has no ARN: Resource "*", for sns:Publish alone, pinned to the stack's region.
        expect(sns, route.id).toEqual([
          { roles: [roleId], Effect: "Allow", Action: ["sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"], Resource: ["*"], Condition: { StringEquals: { "aws:RequestedRegion": { Ref: "AWS::Region" } } } },
        ]);
      } else {
        expect(variables.SMS_TRANSPORT, route.id).toBeUndefined();
        expect(sns, route.id).toEqual([]);
      }
    }
    // No other role in the stack (the inbound function's included) has any sns: action.
    const inboundRoleId = logicalId(s.stack, s.stack.inboundSms.handler.role);
    expect(actionsOf(all, inboundRoleId).filter((action) => action.startsWith("sns:"))).toEqual([]);
    expect(inboundFunction(s).Properties.Environment.Variables.SMS_TRANSPORT).toBeUndefined();
    for (const statement of all.filter((candidate) => candidate.Action.some((action) => action.startsWith("sns:")))) {
      expect(statement.roles.every((role) => senderRoleIds.has(role)), JSON.stringify(statement)).toBe(true);
    }
    // "*" appears only with the two SMS actions: never with any other action.
    for (const statement of all.filter((candidate) => candidate.Resource.includes("*"))) {
      expect(statement.Action).toEqual(["sns:Publish", "sns:CheckIfPhoneNumberIsOptedOut"]);
    }
  });

  it("receives customers' replies: an encrypted, TLS-only topic that two-way SMS of this account may publish to", () => {
    const [topicId, topic] = single(s.resources, "AWS::SNS::Topic");
    expect(topicId).toBe(logicalId(s.stack, s.stack.inboundSms.topic));
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
      expect.objectContaining({ Effect: "Allow", Principal: { Service: twoWaySmsPrincipal }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Condition: sourceConditions }),
    );

    const [, topicPolicy] = single(s.resources, "AWS::SNS::TopicPolicy");
    expect(topicPolicy.Properties.Topics).toEqual([{ Ref: topicId }]);
    expect(denyInsecureTransport(topicPolicy.Properties.PolicyDocument, "sns:Publish")).toBeDefined();
    expect(topicPolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: "Allow", Principal: { Service: twoWaySmsPrincipal }, Action: "sns:Publish", Resource: { Ref: topicId }, Condition: sourceConditions }),
    );

    const outputs = s.template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.InboundSmsTopicArn?.Value).toEqual({ Ref: topicId });
  });

  it("subscribes the inbound function to the topic, and parks what fails after retries in one TLS-only dead-letter queue", () => {
    const [topicId] = single(s.resources, "AWS::SNS::Topic");
    const [queueId, queue] = single(s.resources, "AWS::SQS::Queue");
    const inboundId = logicalId(s.stack, s.stack.inboundSms.handler.function);
    const queueArn = { "Fn::GetAtt": [queueId, "Arn"] };

    // Hop 1, SNS -> Lambda: the subscription's redrive policy.
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
    const [, queuePolicy] = single(s.resources, "AWS::SQS::QueuePolicy");
    expect(queuePolicy.Properties.Queues).toEqual([{ Ref: queueId }]);
    expect(denyInsecureTransport(queuePolicy.Properties.PolicyDocument, "sqs:*")).toBeDefined();
    expect(queuePolicy.Properties.PolicyDocument.Statement).toContainEqual(
      expect.objectContaining({ Effect: "Allow", Principal: { Service: "sns.amazonaws.com" }, Action: "sqs:SendMessage", Condition: { ArnEquals: { "aws:SourceArn": { Ref: topicId } } } }),
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

  it("outputs the API URL, the table name, the user pool and client ids and the inbound SMS topic and dead-letter queue", () => {
    const outputs = Object.keys(s.template.toJSON().Outputs as object);
    expect(outputs).toEqual(expect.arrayContaining(["ApiUrl", "TableName", "UserPoolId", "UserPoolClientId", "InboundSmsTopicArn", "InboundSmsDeadLetterQueueUrl"]));
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
    const senders = routeList.filter((route) => route.sendsSms).map((route) => s.stack.functions.get(route.id)!.smsPolicy!.node.path);
    expect(wildcard.map((ack) => ack.path).sort()).toEqual(senders.sort());
    for (const ack of wildcard) expect(ack.reason).toMatch(/PhoneNumber/);
  });

  it("also synthesises with the checks registered the way infra/app.ts does (an error would throw)", () => {
    const app = new App({ outdir });
    stackFromContext(app);
    const checks = new AwsSolutionsChecks(app);
    const validate = vi.spyOn(checks, "validate");
    Validations.of(app).addPlugins(checks);
    expect(() => app.synth()).not.toThrow();
    expect(validate).toHaveBeenCalledTimes(1);
    expect(validate.mock.results[0]?.value).toMatchObject({ success: true, violations: [] });
  });
});

describe("the stack with an existing OIDC issuer (contexts jwtIssuer, jwtAudience)", () => {
  const issuer = "https://login.example.com/tenant-1/v2.0";
  let s: Synth;
  beforeAll(() => {
    s = synth({ jwtIssuer: issuer, jwtAudience: "desk-app, api://agent-initiated-sms", stage: "test" });
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
    s = synth({ composeExtension: extension, defaultCountry: "gb" });
  });

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

describe("stack context", () => {
  const config = (context: Record<string, string>) => readStackConfig(new App({ context }).node);

  it("defaults to the AgentInitiatedSms stack, US, Cognito and the shipped extension", () => {
    expect(config({})).toEqual({ stackName: "AgentInitiatedSms", defaultCountry: "US" });
  });

  it("reads every key", () => {
    expect(
      config({ stackName: "Sms-Prod", defaultCountry: "mx", jwtIssuer: "https://issuer.example.com", jwtAudience: "a,b", composeExtension: "./extensions/prefer-local-sender.ts" }),
    ).toEqual({
      stackName: "Sms-Prod",
      defaultCountry: "MX",
      jwt: { issuer: "https://issuer.example.com", audience: ["a", "b"] },
      composeExtension: "extensions/prefer-local-sender.ts",
    });
  });

  it("refuses mistakes with a message naming the key", () => {
    expect(() => config({ jwtIssuer: "https://issuer.example.com" })).toThrow(/jwtAudience/);
    expect(() => config({ jwtAudience: "a" })).toThrow(/jwtIssuer/);
    expect(() => config({ jwtIssuer: "http://issuer.example.com", jwtAudience: "a" })).toThrow(/https/);
    expect(() => config({ defaultCountry: "USA" })).toThrow(/defaultCountry/);
    expect(() => config({ composeExtension: "extensions/does-not-exist.ts" })).toThrow(/composeExtension/);
    expect(() => config({ composeExtension: "../outside.ts" })).toThrow(/inside the project root/);
    expect(() => config({ stage: "a b" })).toThrow(/stage/);
  });
});
