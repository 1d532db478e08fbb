import { Duration, RemovalPolicy, Validations } from "aws-cdk-lib";
import type { CfnResource } from "aws-cdk-lib";
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
import { Construct } from "constructs";
import type { Group } from "../shared/adapters/http/wire-schemas";

/** The groups the handlers check in `cognito:groups`. */
export const deskGroups: Readonly<Record<Group, string>> = {
  agents: "Customer-service agents: compose and send SMS, read consumers and providers",
  admins: "Administrators: manage messaging providers and consumers",
};

/**
 * The logical ids these resources had when the stack created them itself, before this construct.
 * A changed logical id makes CloudFormation replace the resource: a new, empty user pool (every
 * account and password gone; the old one only kept by its retain policy), a new client id the
 * desks do not know, new groups without their members. So they are pinned, whatever the
 * construct's id: do not change them.
 */
const stableLogicalIds = {
  userPool: "UserPool6BA7E5F2",
  client: "UserPoolDeskClient44DE2D78",
  riskConfiguration: "UserPoolRiskConfiguration",
  groups: { agents: "AgentsGroupD4DDD8D8", admins: "AdminsGroup06B46644" },
} as const;

/**
 * The Cognito user pool of the agents and admins whose tokens the API accepts (when the deployer
 * brings no OIDC issuer of their own): the pool, its threat protection settings, the app client
 * the desk signs in with, and the `agents` and `admins` groups.
 */
export class DeskUserPool extends Construct {
  readonly userPool: UserPool;
  readonly client: UserPoolClient;
  readonly groups: ReadonlyMap<Group, UserPoolGroup>;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.userPool = new UserPool(this, "UserPool", {
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
    pinLogicalId(this.userPool, stableLogicalIds.userPool);

    // What threat protection does, stated rather than left to the service's defaults: a leaked
    // password is refused; a risky sign-in asks for the second factor (high risk: no sign-in
    // without one). No notification e-mails (they would need an SES identity).
    const riskConfiguration = new CfnUserPoolRiskConfigurationAttachment(this, "UserPoolRiskConfiguration", {
      userPoolId: this.userPool.userPoolId,
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
    riskConfiguration.overrideLogicalId(stableLogicalIds.riskConfiguration);
    Validations.of(this.userPool).acknowledge({
      id: "AwsSolutions-COG2",
      reason:
        "MFA is OPTIONAL (TOTP offered, no SMS factor) because how agents sign in is the desk integration's decision: many desks sign in through their own SSO. A deployer who wants it enforced sets mfa: REQUIRED, or brings their own issuer with jwtIssuer.",
    });

    this.client = this.userPool.addClient("DeskClient", {
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
    pinLogicalId(this.client, stableLogicalIds.client);

    const groups = new Map<Group, UserPoolGroup>();
    for (const [groupName, description] of Object.entries(deskGroups) as Array<[Group, string]>) {
      const group = new UserPoolGroup(this, `${groupName[0]!.toUpperCase()}${groupName.slice(1)}Group`, {
        userPool: this.userPool,
        groupName,
        description,
      });
      pinLogicalId(group, stableLogicalIds.groups[groupName]);
      groups.set(groupName, group);
    }
    this.groups = groups;
  }
}

function pinLogicalId(construct: Construct, logicalId: string): void {
  (construct.node.defaultChild as CfnResource).overrideLogicalId(logicalId);
}
