import { CfnOutput, Duration, RemovalPolicy, Stack, Token, Validations } from "aws-cdk-lib";
import type { StackProps } from "aws-cdk-lib";
import { AccessLogField, AccessLogFormat } from "aws-cdk-lib/aws-apigateway";
import { HttpApi, HttpMethod, LogGroupLogDestination } from "aws-cdk-lib/aws-apigatewayv2";
import type { HttpStage } from "aws-cdk-lib/aws-apigatewayv2";
import { HttpJwtAuthorizer } from "aws-cdk-lib/aws-apigatewayv2-authorizers";
import { HttpLambdaIntegration } from "aws-cdk-lib/aws-apigatewayv2-integrations";
import {
  AccountRecovery,
  CfnUserPoolRiskConfigurationAttachment,
  FeaturePlan,
  Mfa,
  StandardThreatProtectionMode,
  UserPool,
  UserPoolGroup,
} from "aws-cdk-lib/aws-cognito";
import type { UserPoolClient } from "aws-cdk-lib/aws-cognito";
import { AttributeType, Billing, TableV2 } from "aws-cdk-lib/aws-dynamodb";
import { LogGroup } from "aws-cdk-lib/aws-logs";
import type { Construct } from "constructs";
import type { Group } from "../shared/adapters/http/wire-schemas";
import { routeList } from "../shared/adapters/http/routes";
import type { RouteDefinition } from "../shared/adapters/http/routes";
import { tableDesign } from "../shared/adapters/dynamo/table-design";
import { configurationSetNameFor, DeliveryReceipts } from "./delivery-receipts";
import { EndpointFunction } from "./endpoint-function";
import { IdleClose } from "./idle-close";
import { InboundSms } from "./inbound-sms";
import { functionDefaults } from "./service-function";
import type { SmsSending } from "./service-function";
import { checkComposeExtension, defaultIdleCloseAfter, projectRoot as defaultProjectRoot, readStackConfig } from "./stack-config";
import type { DeployedSmsTransportKind, ExternalJwtIssuer } from "./stack-config";

export interface AgentInitiatedSmsStackProps extends StackProps {
  /** ISO 3166-1 alpha-2, set as DEFAULT_COUNTRY on every function. Default US. */
  readonly defaultCountry?: string;
  /** Verify tokens of an existing OIDC issuer instead of creating a Cognito user pool. */
  readonly jwt?: ExternalJwtIssuer;
  /** Deployer's compose defaults module, relative to the project root (bundled into the functions that use it). */
  readonly composeExtension?: string;
  /** Routes to deploy. Default: the whole route table. */
  readonly routes?: readonly RouteDefinition[];
  /** Repository root. Default: the directory above `infra/`. */
  readonly projectRoot?: string;
  /**
   * How the functions that send SMS hand them to AWS. Default `sns`. `end-user-messaging` adds the
   * configuration set and the delivery receipts path (topic, function, dead-letter queue).
   */
  readonly smsTransport?: DeployedSmsTransportKind;
  /** IDLE_CLOSE_AFTER of the idle-close function. Default 24h. */
  readonly idleCloseAfter?: string;
  /** HELP_TEXT of the inbound function. Default: the shipped text. */
  readonly helpText?: string;
}

/** The groups the handlers check in `cognito:groups`. */
const groups: Readonly<Record<Group, string>> = {
  agents: "Customer-service agents: compose and send SMS, read consumers and providers",
  admins: "Administrators: manage messaging providers and consumers",
};

/**
 * The deployed service: an HTTP API with a JWT authorizer on every route, one function per route of
 * the route table, the single DynamoDB table, the inbound SMS path (the topic two-way SMS
 * publishes customers' replies to, its function and dead-letter queue) and the idle-close schedule.
 * With `smsTransport=end-user-messaging`, also the configuration set the functions send through and
 * its delivery receipts path. Without an external issuer it also creates the Cognito user pool
 * (groups `agents` and `admins`) whose tokens the API accepts.
 */
export class AgentInitiatedSmsStack extends Stack {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly table: TableV2;
  /** One function per route, by route id. */
  readonly functions: ReadonlyMap<string, EndpointFunction>;
  readonly inboundSms: InboundSms;
  readonly idleClose: IdleClose;
  /** How the sending functions (routes with `sendsSms`, and the inbound function) send. */
  readonly sms: SmsSending;
  /** Only with `smsTransport=end-user-messaging`: the configuration set and its receipts. */
  readonly deliveryReceipts?: DeliveryReceipts;
  readonly userPool?: UserPool;
  readonly userPoolClient?: UserPoolClient;

  constructor(scope: Construct, id: string, props: AgentInitiatedSmsStackProps = {}) {
    const {
      defaultCountry = "US",
      jwt,
      composeExtension,
      routes = routeList,
      projectRoot = defaultProjectRoot,
      smsTransport = "sns",
      idleCloseAfter = defaultIdleCloseAfter,
      helpText,
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
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: tableDesign.timeToLiveAttribute,
      deletionProtection: true,
      // Conversations, profiles and opt-outs are the service's memory: never deleted with the stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    let authorizer: HttpJwtAuthorizer;
    if (jwt) {
      authorizer = this.externalAuthorizer(jwt);
    } else {
      const cognito = this.createUserPool();
      this.userPool = cognito.userPool;
      this.userPoolClient = cognito.client;
      // Cognito ID tokens carry aud = client id, access tokens client_id = client id: both pass.
      authorizer = new HttpJwtAuthorizer("JwtAuthorizer", cognito.userPool.userPoolProviderUrl, {
        jwtAudience: [cognito.client.userPoolClientId],
        identitySource: ["$request.header.Authorization"],
      });
    }

    this.api = new HttpApi(this, "HttpApi", {
      apiName: id,
      description: "Agent-initiated SMS conversations",
      defaultAuthorizer: authorizer,
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, "ApiAccessLogs", {
      retention: functionDefaults.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
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

    const common = { projectRoot, table: this.table, defaultCountry };

    // End User Messaging: the configuration set every send names, whose event destination returns
    // delivery receipts. SNS: nothing to create, SNS SMS sends no per-message receipts to us.
    if (smsTransport === "end-user-messaging") {
      if (Token.isUnresolved(this.stackName)) throw new Error("smsTransport=end-user-messaging needs a literal stack name (it names the configuration set)");
      this.deliveryReceipts = new DeliveryReceipts(this, "DeliveryReceipts", { ...common, configurationSetName: configurationSetNameFor(this.stackName) });
      this.sms = this.deliveryReceipts.sms;
    } else {
      this.sms = { transport: "sns" };
    }

    const functions = new Map<string, EndpointFunction>();
    for (const route of routes) {
      const endpoint = new EndpointFunction(this, constructId(route.id), {
        route,
        ...common,
        sms: this.sms,
        ...(extension !== undefined ? { composeExtension: extension } : {}),
      });
      this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration: new HttpLambdaIntegration(`${constructId(route.id)}Integration`, endpoint.function),
      });
      functions.set(route.id, endpoint);
    }
    this.functions = functions;

    this.inboundSms = new InboundSms(this, "InboundSms", {
      ...common,
      sms: this.sms,
      ...(helpText !== undefined ? { helpText } : {}),
    });

    this.idleClose = new IdleClose(this, "IdleClose", { ...common, idleCloseAfter });

    new CfnOutput(this, "ApiUrl", { value: this.stage.url, description: "Base URL of the HTTP API" });
    new CfnOutput(this, "TableName", { value: this.table.tableName, description: "The DynamoDB table" });
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

  private createUserPool(): { userPool: UserPool; client: UserPoolClient } {
    const userPool = new UserPool(this, "UserPool", {
      // Administrators create the agents' accounts; nobody signs themselves up.
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      mfa: Mfa.OPTIONAL,
      mfaSecondFactor: { otp: true, sms: false },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Plus tier: threat protection (compromised credentials, risky sign-ins) for the accounts
      // that can text customers. Priced per monthly active user: a few cents per agent.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // What threat protection does, stated rather than left to the service's defaults: a leaked
    // password is refused; a risky sign-in asks for the second factor (high risk: no sign-in
    // without one). No notification e-mails (they would need an SES identity).
    new CfnUserPoolRiskConfigurationAttachment(this, "UserPoolRiskConfiguration", {
      userPoolId: userPool.userPoolId,
      clientId: "ALL",
      compromisedCredentialsRiskConfiguration: {
        eventFilter: ["SIGN_IN", "PASSWORD_CHANGE", "SIGN_UP"],
        actions: { eventAction: "BLOCK" },
      },
      accountTakeoverRiskConfiguration: {
        actions: {
          lowAction: { eventAction: "NO_ACTION", notify: false },
          mediumAction: { eventAction: "MFA_IF_CONFIGURED", notify: false },
          highAction: { eventAction: "MFA_REQUIRED", notify: false },
        },
      },
    });
    Validations.of(userPool).acknowledge({
      id: "AwsSolutions-COG2",
      reason:
        "MFA is OPTIONAL (TOTP offered, no SMS factor) because how agents sign in is the desk integration's decision: many desks sign in through their own SSO. A deployer who wants it enforced sets mfa: REQUIRED, or brings their own issuer with jwtIssuer.",
    });

    const client = userPool.addClient("DeskClient", {
      // A public client (browser or desk plug-in): no secret, SRP sign-in, no hosted-UI OAuth flows.
      generateSecret: false,
      authFlows: { userSrp: true },
      disableOAuth: true,
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(1),
    });

    for (const [groupName, description] of Object.entries(groups)) {
      new UserPoolGroup(this, `${constructId(groupName)}Group`, { userPool, groupName, description });
    }

    new CfnOutput(this, "UserPoolId", { value: userPool.userPoolId, description: "Cognito user pool of agents and admins" });
    new CfnOutput(this, "UserPoolClientId", { value: client.userPoolClientId, description: "App client the desk signs in with" });
    return { userPool, client };
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
  });
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

/** `compose-options` -> `ComposeOptions`. */
function constructId(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part !== "")
    .map((part) => part[0]!.toUpperCase() + part.slice(1))
    .join("");
}
