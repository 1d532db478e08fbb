import type { ITableV2 } from "aws-cdk-lib/aws-dynamodb";
import type { Construct } from "constructs";
import type { RouteDefinition } from "../shared/adapters/http/routes";
import { ServiceFunction } from "./service-function";
import type { SmsSending } from "./service-function";

// The defaults and bundling constants live with the one construct that applies them.
export {
  composeExtensionFileName,
  composeExtensionRuntimePath,
  esmRequireBanner,
  functionDefaults as endpointFunctionDefaults,
} from "./service-function";

export interface EndpointFunctionProps {
  readonly route: RouteDefinition;
  /** The repository root (holds `functions/`, `shared/` and package-lock.json). */
  readonly projectRoot: string;
  readonly table: ITableV2;
  readonly defaultCountry: string;
  /** The deployment's SMS transport; given to the function only if its route `sendsSms`. */
  readonly sms: SmsSending;
  /** Deployer's compose defaults module, relative to `projectRoot`; only for routes with `usesComposeExtension`. */
  readonly composeExtension?: string;
}

/**
 * One route's function: `functions/<route.id>/handler.ts` with the service's function defaults,
 * the table access the route declares and, for a route that `sendsSms`, the SMS transport.
 * A `ServiceFunction` described by its route (same construct tree, so the same logical ids).
 */
export class EndpointFunction extends ServiceFunction {
  readonly route: RouteDefinition;

  constructor(scope: Construct, id: string, props: EndpointFunctionProps) {
    const { route } = props;
    super(scope, id, {
      functionDir: route.id,
      purpose: `${route.method} ${route.path}`,
      description: `${route.method} ${route.path}: ${route.summary}`,
      tableAccess: route.tableAccess,
      ...(route.sendsSms === true ? { sms: props.sms } : {}),
      projectRoot: props.projectRoot,
      table: props.table,
      defaultCountry: props.defaultCountry,
      ...(route.usesComposeExtension && props.composeExtension !== undefined ? { composeExtension: props.composeExtension } : {}),
    });
    this.route = route;
  }
}
