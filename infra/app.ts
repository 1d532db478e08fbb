import { App, Validations } from "aws-cdk-lib";
import { AwsSolutionsChecks } from "cdk-nag";
import { stackFromContext } from "./stack";

/**
 * `npx cdk synth|deploy [-c defaultCountry=GB] [-c jwtIssuer=https://... -c jwtAudience=a,b]
 * [-c composeExtension=extensions/prefer-local-sender.ts] [-c stage=prod | -c stackName=...]
 * [-c smsTransport=sns|end-user-messaging] [-c idleCloseAfter=24h] [-c helpText="..."]`.
 * The AWS Solutions checks run on every synth (context `nag=false` skips them): an unacknowledged
 * error stops the synth, warnings are printed.
 */
const app = new App();
stackFromContext(app);

const nag: unknown = app.node.tryGetContext("nag");
if (nag !== false && nag !== "false") {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
}
