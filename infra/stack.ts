import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import type { StackProps } from "aws-cdk-lib";
import { AccessLogField, AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { CorsHttpMethod, HttpApi, HttpMethod, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import type { CorsPreflightOptions, HttpStage } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import type { UserPool, UserPoolClient } from "aws-cdk-lib/aws-cognito";
import { AttributeType, Billing, StreamViewType, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import { Operations } from "./operations";
import { phoneNumberProtection } from "./log-protection";
import type { Construct } from "constructs";
import type { RouteDefinition } from "../shared/adapters/http/routes";
import { tableDesign } from "../shared/adapters/dynamo/table-design";
import { eventSource } from "../shared/adapters/events/eventbridge-bus";
import { functionTable as defaultFunctionTable } from "../shared/platform/function-table";
import type { FunctionDefinition } from "../shared/platform/function-table";
import { configurationSetNameFor, DeliveryReceipts } from "./delivery-receipts";
import { idleCloseSettings } from "./idle-close";
import { InboundSms } from "./inbound-sms";
import { ScheduledFunction } from "./scheduled-function";
import { StreamFunction } from "./stream-function";
import { functionDefaults, ServiceFunction } from "./service-function";
import type { SmsSending } from "./service-function";
import type { SnsSubscribedFunction } from "./sns-subscribed-function";
import {
  checkComposeExtension,
  defaultEventArchiveDays,
  defaultIdleCloseAfter,
  projectRoot as defaultProjectRoot,
  readStackConfig,
} from "./stack-config";
import { EventBus, Archive } from "aws-cdk-lib/aws-events";
import { Secret } from "aws-cdk-lib/aws-secretsmanager";
import type { DeployedSmsTransportKind, ExternalJwtIssuer } from "./stack-config";
import { constructIdOf, deployedWith, functionPropsFor } from "./table-functions";
import type { FunctionDeployment, FunctionSettings } from "./table-functions";
import { DeskUserPool } from "./user-pool";
import { fallbackDefaultCountry } from "../shared/core/model/phone-number";

export interface AgentInitiatedSmsStackProps extends StackProps {
  /** ISO 3166-1 alpha-2, set as DEFAULT_COUNTRY on every function. Default US. */
  readonly defaultCountry?: string;
  /** Verify tokens of an existing OIDC issuer instead of creating a Cognito user pool. */
  readonly jwt?: ExternalJwtIssuer;
  /** Deployer's compose defaults module, relative to the project root (bundled into the functions that use it). */
  readonly composeExtension?: string;
  /** Routes to deploy, entries of the route table. Default: all of them. The other functions are always deployed. */
  readonly routes?: readonly RouteDefinition[];
  /** The functions to deploy, one per entry (applicable to the transport). Default: the functions table. */
  readonly functionTable?: readonly FunctionDefinition[];
  /** Repository root. Default: the directory above `infra/`. */
  readonly projectRoot?: string;
  /**
   * How the functions that send SMS hand them to AWS. Default `sns`. `end-user-messaging` adds the
   * configuration set and the delivery receipts path (topic, function, dead-letter queue).
   */
  readonly smsTransport?: DeployedSmsTransportKind;
  /** IDLE_CLOSE_AFTER of the idle-close function. Default 24h. */
  readonly idleCloseAfter?: string;
  /** How long the event bus's archive keeps events, in days (0: for ever). Default 90. */
  readonly eventArchiveDays?: number;
  /** HELP_TEXT of the inbound function. Default: the shipped text. */
  readonly helpText?: string;
  /** Browser origins allowed to call the API (CORS), e.g. a desk at https://desk.example.com. Default: none. */
  readonly corsOrigins?: readonly string[];
  /** A mailbox subscribed to the alarm topic. Default: none (subscribe what you use to the AlarmTopicArn output). */
  readonly alarmEmail?: string;
  /** Declare the variables `sam local invoke --env-vars events/sam-env.json` sets. Default false; never for a deploy. */
  readonly samLocal?: boolean;
  /** SEND_WINDOW of the functions that decide sends (the recipient's local hours). Default: the code's, 08:00-21:00. */
  readonly sendWindow?: string;
  /** REPLY_GRACE of those functions. Default: the code's, 60m. */
  readonly replyGrace?: string;
  /** MESSAGE_RETENTION of every function (e.g. `400d`). Default: off (messages are kept until erased). */
  readonly messageRetention?: string;
  /** How far back point-in-time recovery reaches, 1-35 days. Default: DynamoDB's 35. */
  readonly pointInTimeRecoveryDays?: number;
}

/**
 * The deployed service: an HTTP API with a JWT authorizer on every route, the single DynamoDB
 * table, and one function per entry of the functions table, deployed the way its trigger says:
 * an API route, a subscription to one of the stack's topics (customers' replies from two-way SMS;
 * with `smsTransport=end-user-messaging`, also the configuration set the functions send through
 * and its delivery receipts), or an EventBridge schedule. Without an external issuer it also
 * creates the Cognito user pool (groups `agents` and `admins`) whose tokens the API accepts.
 */
export class AgentInitiatedSmsStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly table: TableV2;
  /** Where the events go for integrations (EventBridge), and its archive. */
  readonly eventBus: EventBus;
  readonly eventArchive: Archive;
  /** Every function, by its functions-table id (routes, topic subscribers, schedules). */
  readonly functions: ReadonlyMap<string, ServiceFunction>;
  /** The topic of customers' replies (its function: the entry triggered by `inbound-sms`). */
  readonly inboundSms: InboundSms;
  /** How the sending functions (entries with `sendsSms`) send. */
  readonly sms: SmsSending;
  /** Only with `smsTransport=end-user-messaging`: the configuration set and its receipts topic. */
  readonly deliveryReceipts?: DeliveryReceipts;
  readonly userPool?: UserPool;
  readonly userPoolClient?: UserPoolClient;
  /** Alarms, their topic and the dashboard. */
  readonly operations: Operations;
  /** The privacy key (HMAC key of erased numbers' keyed hash), readable by the functions that hash numbers only. */
  readonly privacyKey: Secret;

  constructor(scope: Construct, id: string, props: AgentInitiatedSmsStackProps = {}) {
    const {
      defaultCountry = fallbackDefaultCountry,
      jwt,
      composeExtension,
      routes,
      functionTable = defaultFunctionTable,
      projectRoot = defaultProjectRoot,
      smsTransport = "sns",
      idleCloseAfter = defaultIdleCloseAfter,
      eventArchiveDays = defaultEventArchiveDays,
      helpText,
      corsOrigins = [],
      alarmEmail,
      samLocal = false,
      sendWindow,
      replyGrace,
      messageRetention,
      pointInTimeRecoveryDays,
      ...stackProps
    } = props;
    super(scope, id, { description: "Agent-initiated SMS conversations: HTTP API, functions and table", ...stackProps });
    const extension = composeExtension !== undefined ? checkComposeExtension(composeExtension, projectRoot) : undefined;

    this.table = new TableV2(this, "Table", {
      partitionKey: { name: tableDesign.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableDesign.sortKey, type: AttributeType.STRING },
      globalSecondaryIndexes: Object.values(tableDesign.indexes).map((index) => ({
        indexName: index.indexName,
        partitionKey: { name: index.partitionKey, type: AttributeType.STRING },
        sortKey: { name: index.sortKey, type: AttributeType.STRING },
      })),
      billing: Billing.onDemand(),
      // A restore reaches this far back, erased data included (README, "Privacy").
      pointInTimeRecoverySpecification: {
        pointInTimeRecoveryEnabled: true,
        ...(pointInTimeRecoveryDays !== undefined ? { recoveryPeriodInDays: pointInTimeRecoveryDays } : {}),
      },
      timeToLiveAttribute: tableDesign.timeToLiveAttribute,
      dynamoStream: StreamViewType[tableDesign.streamViewType],
      deletionProtection: true,
      // Conversations, profiles and opt-outs are the service's memory: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    // Integrations subscribe here (source agent-initiated-sms); the archive keeps what was put, to replay.
    this.eventBus = new EventBus(this, "EventBus", { description: "What happened in SMS conversations (source agent-initiated-sms)" });
    this.eventArchive = new Archive(this, "EventArchive", {
      sourceEventBus: this.eventBus,
      eventPattern: { source: [eventSource] },
      description: "Every event the service put, for replay",
      retention: Duration.days(eventArchiveDays),
    });

    let authorizer: HttpJwtAuthorizer;
    if (jwt) {
      authorizer = this.externalAuthorizer(jwt);
    } else {
      const cognito = new DeskUserPool(this, "Cognito");
      this.userPool = cognito.userPool;
      this.userPoolClient = cognito.client;
      // Cognito ID tokens carry aud = client id, access tokens client_id = client id: both pass.
      authorizer = new HttpJwtAuthorizer("JwtAuthorizer", cognito.userPool.userPoolProviderUrl, {
        jwtAudience: [cognito.client.userPoolClientId],
        identitySource: ["$request.header.Authorization"],
      });
      new CfnOutput(this, "UserPoolId", { value: cognito.userPool.userPoolId, description: "Cognito user pool of agents and admins" });
      new CfnOutput(this, "UserPoolClientId", { value: cognito.client.userPoolClientId, description: "App client the desk signs in with" });
    }

    this.api = new HttpApi(this, "HttpApi", {
      apiName: id,
      description: "Agent-initiated SMS conversations",
      defaultAuthorizer: authorizer,
      createDefaultStage: false,
      // A browser desk on another origin: its preflight (OPTIONS) is answered by API Gateway, unauthenticated.
      ...(corsOrigins.length > 0 ? { corsPreflight: corsPreflightFor(corsOrigins) } : {}),
    });

    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: functionDefaults.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
      dataProtectionPolicy: phoneNumberProtection(),
    });
    this.stage = this.api.addStage("DefaultStage", {
      stageName: "$default",
      autoDeploy: true,
      // A ceiling against runaway clients, far above what a desk of agents sends.
      throttle: { rateLimit: 100, burstLimit: 200 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: accessLogFormat(),
      },
    });

    // End User Messaging: the configuration set every send names, whose event destination returns
    // delivery receipts. SNS: nothing to create, SNS SMS sends no per-message receipts to us.
    // Before the functions: the senders are given the configuration set's name.
    if (smsTransport === "end-user-messaging") {
      if (Token.isUnresolved(this.stackName))
        throw new Error("smsTransport=end-user-messaging needs a literal stack name (it names the configuration set)");
      this.deliveryReceipts = new DeliveryReceipts(this, "DeliveryReceipts", {
        configurationSetName: configurationSetNameFor(this.stackName),
      });
      this.sms = this.deliveryReceipts.sms;
    } else {
      this.sms = { transport: "sns" };
    }
    this.inboundSms = new InboundSms(this, "InboundSms");
    const topics: Readonly<Partial<Record<"inbound-sms" | "delivery-receipts", SnsSubscribedFunction>>> = {
      "inbound-sms": this.inboundSms,
      ...(this.deliveryReceipts ? { "delivery-receipts": this.deliveryReceipts } : {}),
    };

    // The key of the numbers' keyed hash (what an erasure keeps of an opt-out): generated once, never
    // shown, kept with the table (the suppressions in a retained table are useless without it).
    this.privacyKey = new Secret(this, "PrivacyKey", {
      description: "HMAC key of the keyed hash of erased phone numbers (their opt-outs survive the erasure under it)",
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    Validations.of(this.privacyKey).acknowledge({
      id: "AwsSolutions-SMG4",
      reason:
        "The secret is the HMAC key under which erased numbers' opt-outs are kept: rotating it would orphan every kept opt-out (a send to an erased, opted-out number would no longer be refused). It is never shown to anyone, and only the functions that hash numbers may read it.",
    });

    const deployment: FunctionDeployment = {
      projectRoot,
      table: this.table,
      defaultCountry,
      sms: this.sms,
      ...(extension !== undefined ? { composeExtension: extension } : {}),
      samLocal,
      privacyKey: this.privacyKey,
      ...(messageRetention !== undefined ? { messageRetention } : {}),
    };
    // What some functions take from the stack's props, beyond their table entry.
    const windowSettings: FunctionSettings = {
      environment: {
        ...(sendWindow !== undefined ? { SEND_WINDOW: sendWindow } : {}),
        ...(replyGrace !== undefined ? { REPLY_GRACE: replyGrace } : {}),
      },
    };
    const settings: Readonly<Record<string, FunctionSettings>> = {
      // The functions that read the send window: a send's decision and what Compose SMS shows.
      "initiate-message": windowSettings,
      "compose-options": windowSettings,
      "inbound-sms": helpText !== undefined ? { environment: { HELP_TEXT: helpText } } : {},
      "idle-close": idleCloseSettings(idleCloseAfter),
    };
    const routeIds = routes ? this.routeIds(routes, functionTable) : undefined;

    const functions = new Map<string, ServiceFunction>();
    for (const definition of functionTable) {
      if (!deployedWith(definition, smsTransport)) continue;
      const { trigger } = definition;
      if (trigger.kind === "http" && routeIds && !routeIds.has(definition.id)) continue;
      if (functions.has(definition.id)) throw new Error(`the functions table lists '${definition.id}' twice`);
      // The construct id is part of every logical id of the function's resources: keep it.
      const constructId = constructIdOf(definition.id);
      const functionProps = functionPropsFor(definition, deployment, settings[definition.id]);
      let fn: ServiceFunction;
      switch (trigger.kind) {
        case "http": {
          fn = new ServiceFunction(this, constructId, functionProps);
          this.api.addRoutes({
            path: trigger.route.path,
            methods: [HttpMethod[trigger.route.method]],
            integration: new HttpLambdaIntegration(`${constructId}Integration`, fn.function),
          });
          break;
        }
        case "sns": {
          const topic = topics[trigger.topic];
          if (!topic) throw new Error(`${definition.id}: the stack has no '${trigger.topic}' topic with smsTransport=${smsTransport}`);
          fn = topic.subscribe(functionProps);
          break;
        }
        case "schedule": {
          fn = new ScheduledFunction(this, constructId, {
            everyMinutes: trigger.everyMinutes,
            ruleDescription: `Runs the ${definition.id} function every ${trigger.everyMinutes} minutes: ${definition.summary}`,
            handler: functionProps,
          }).handler;
          break;
        }
        case "stream": {
          fn = new StreamFunction(this, constructId, { table: this.table, filter: trigger.filter, handler: functionProps }).handler;
          break;
        }
        default:
          throw new Error(`${definition.id}: unknown trigger ${JSON.stringify(trigger satisfies never)}`);
      }
      if (definition.publishesEvents) {
        fn.function.addEnvironment("EVENT_BUS_NAME", this.eventBus.eventBusName);
        this.eventBus.grantPutEventsTo(fn.function);
      }
      functions.set(definition.id, fn);
    }
    this.functions = functions;

    this.operations = new Operations(this, "Operations", {
      functions,
      queues: [
        { holds: "customers' replies that failed after retries", queue: this.inboundSms.deadLetterQueue },
        ...(this.deliveryReceipts
          ? [{ holds: "delivery receipts that failed after retries", queue: this.deliveryReceipts.deadLetterQueue }]
          : []),
        ...[...functions].flatMap(([functionId, fn]) => {
          const stream = fn.node.scope;
          return stream instanceof StreamFunction
            ? [{ holds: `stream records ${functionId} gave up on`, queue: stream.failureQueue, alarm: stream.failureAlarm }]
            : [];
        }),
      ],
      api: this.api,
      ...(alarmEmail !== undefined ? { alarmEmail } : {}),
    });
    // A topic nobody consumes would swallow what AWS publishes to it.
    for (const [name, topic] of Object.entries(topics)) {
      if (!topic.hasSubscriber) throw new Error(`no entry of the functions table is triggered by the '${name}' topic`);
    }

    new CfnOutput(this, "ApiUrl", { value: this.stage.url, description: "Base URL of the HTTP API" });
    new CfnOutput(this, "TableName", { value: this.table.tableName, description: "The DynamoDB table" });
    new CfnOutput(this, "EventBusName", {
      value: this.eventBus.eventBusName,
      description: "The EventBridge bus integrations subscribe to (source agent-initiated-sms)",
    });
    new CfnOutput(this, "InboundSmsTopicArn", {
      value: this.inboundSms.topic.topicArn,
      description: "Point your number's two-way SMS (AWS End User Messaging SMS) at this SNS topic",
    });
    new CfnOutput(this, "InboundSmsDeadLetterQueueUrl", {
      value: this.inboundSms.deadLetterQueue.queueUrl,
      description: "Customers' replies that could not be processed after retries, kept 14 days",
    });
    if (this.deliveryReceipts) {
      new CfnOutput(this, "SmsConfigurationSetName", {
        value: this.deliveryReceipts.configurationSet.ref,
        description: "End User Messaging configuration set the service sends through (its events are the delivery receipts)",
      });
      new CfnOutput(this, "DeliveryReceiptsTopicArn", {
        value: this.deliveryReceipts.topic.topicArn,
        description: "SNS topic the configuration set publishes delivery events to",
      });
      new CfnOutput(this, "DeliveryReceiptsDeadLetterQueueUrl", {
        value: this.deliveryReceipts.deadLetterQueue.queueUrl,
        description: "Delivery events that could not be processed after retries, kept 14 days",
      });
    }
  }

  private externalAuthorizer(jwt: ExternalJwtIssuer): HttpJwtAuthorizer {
    new CfnOutput(this, "JwtIssuer", { value: jwt.issuer, description: "Issuer whose tokens the API accepts" });
    return new HttpJwtAuthorizer("JwtAuthorizer", jwt.issuer, {
      jwtAudience: [...jwt.audience],
      identitySource: ["$request.header.Authorization"],
    });
  }

  /** The `routes` prop as ids; each must be an http entry of the functions table (the table is what gets deployed). */
  private routeIds(routes: readonly RouteDefinition[], table: readonly FunctionDefinition[]): ReadonlySet<string> {
    const httpIds = new Set(table.filter((definition) => definition.trigger.kind === "http").map((definition) => definition.id));
    for (const route of routes) {
      if (!httpIds.has(route.id)) throw new Error(`route '${route.id}' is not an http entry of the functions table`);
    }
    return new Set(routes.map((route) => route.id));
  }
}

/** The stack as the CDK app builds it: name and props from context (see `readStackConfig`). */
export function stackFromContext(scope: Construct): AgentInitiatedSmsStack {
  const config = readStackConfig(scope.node);
  return new AgentInitiatedSmsStack(scope, config.stackName, {
    stackName: config.stackName,
    defaultCountry: config.defaultCountry,
    ...(config.jwt ? { jwt: config.jwt } : {}),
    ...(config.composeExtension !== undefined ? { composeExtension: config.composeExtension } : {}),
    smsTransport: config.smsTransport,
    idleCloseAfter: config.idleCloseAfter,
    ...(config.helpText !== undefined ? { helpText: config.helpText } : {}),
    eventArchiveDays: config.eventArchiveDays,
    corsOrigins: config.corsOrigins,
    samLocal: config.samLocal,
    ...(config.sendWindow !== undefined ? { sendWindow: config.sendWindow } : {}),
    ...(config.replyGrace !== undefined ? { replyGrace: config.replyGrace } : {}),
    ...(config.alarmEmail !== undefined ? { alarmEmail: config.alarmEmail } : {}),
    ...(config.messageRetention !== undefined ? { messageRetention: config.messageRetention } : {}),
    ...(config.pointInTimeRecoveryDays !== undefined ? { pointInTimeRecoveryDays: config.pointInTimeRecoveryDays } : {}),
  });
}

/**
 * CORS for a browser desk: only the named origins, the methods the routes use, the headers a
 * request carries (the token, JSON, an idempotency key); no cookies (the token is a header).
 */
function corsPreflightFor(origins: readonly string[]): CorsPreflightOptions {
  return {
    allowOrigins: [...origins],
    allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PATCH],
    allowHeaders: ["authorization", "content-type", "idempotency-key"],
    // The id a support request quotes (error bodies name it too).
    exposeHeaders: ["x-request-id"],
    maxAge: Duration.hours(1),
  };
}

/**
 * One JSON line per request: who, which route, how it ended, how long it took. No bodies, no query
 * strings (phone numbers travel in some), no headers.
 */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: AccessLogField.contextRequestId(),
      requestTime: AccessLogField.contextRequestTime(),
      routeKey: "$context.routeKey",
      status: AccessLogField.contextStatus(),
      protocol: AccessLogField.contextProtocol(),
      responseLength: AccessLogField.contextResponseLength(),
      responseLatency: AccessLogField.contextResponseLatency(),
      integrationStatus: "$context.integrationStatus",
      integrationLatency: "$context.integrationLatency",
      integrationError: "$context.integrationErrorMessage",
      authorizerError: "$context.authorizer.error",
      sub: "$context.authorizer.claims.sub",
      sourceIp: AccessLogField.contextIdentitySourceIp(),
    }),
  );
}
