import type { APIGatewayProxyEventV2WithJWTAuthorizer } from "aws-lambda";
import type { Group } from "./wire-schemas";
import { ServiceError } from "../../core/errors";

/** The authenticated caller: `sub` is the agent id; the body never names the agent. */
export interface Caller {
  sub: string;
  /** Every group the token names, known to this service or not. */
  groups: string[];
}

/**
 * Reads the claims the JWT authorizer passed on. API Gateway hands every claim over as a string,
 * a list claim as "[agents admins]"; an already-parsed array (direct invokes) is accepted too.
 */
export function readCaller(event: APIGatewayProxyEventV2WithJWTAuthorizer): Caller {
  const claims = (event.requestContext?.authorizer?.jwt?.claims ?? {}) as Record<string, unknown>;
  const sub = claims.sub;
  if (typeof sub !== "string" || sub === "") {
    throw new ServiceError("UNAUTHORIZED", "the request carries no authenticated subject; send a bearer token");
  }
  return { sub, groups: parseGroupsClaim(claims["cognito:groups"]) };
}

export function parseGroupsClaim(value: unknown): string[] {
  const names = Array.isArray(value) ? value.map(String) : typeof value === "string" ? value.replace(/^\[|\]$/g, "").split(/[\s,]+/) : [];
  return names.filter((name) => name !== "");
}

export function isInGroup(caller: Caller, groups: readonly Group[]): boolean {
  return groups.some((group) => caller.groups.includes(group));
}
