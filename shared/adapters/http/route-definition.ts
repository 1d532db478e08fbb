import type * as z from "zod/mini";
import type { ErrorCode } from "../../core/errors";
import type { Group } from "./schemas/common";

/** One route of the route table (routes.ts): what the stack, the local server, validation and the OpenAPI document read. */
export interface RouteDefinition {
  /** Function folder under `functions/`, construct id and OpenAPI operationId. */
  readonly id: string;
  readonly method: "GET" | "POST" | "PATCH";
  /** API Gateway path, parameters in braces. */
  readonly path: string;
  readonly summary: string;
  /** The caller needs at least one of these groups (claim `cognito:groups`). */
  readonly groups: readonly Group[];
  readonly body?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  readonly params?: z.ZodMiniType;
  /** Optional request headers the route reads (beside Authorization and Content-Type): documented as header parameters. */
  readonly headers?: readonly { readonly name: string; readonly description: string; readonly schema: z.ZodMiniType }[];
  /** Success responses by status. Error responses are common to all routes. */
  readonly responses: Readonly<Record<number, { description: string; schema: z.ZodMiniType }>>;
  /** The success status: one of `responses`, or chosen from the use case's answer. */
  readonly status: number | ((answer: never) => number);
  /** Error codes this route can answer besides the common ones (the OpenAPI document lists them). */
  readonly errors: readonly ErrorCode[];
  /** What the function may do to the table: the stack grants exactly this. */
  readonly tableAccess: "read" | "readWrite";
  /** The function loads the compose defaults extension (the stack bundles a deployer's module into it). */
  readonly usesComposeExtension?: boolean;
  /** The function hashes numbers with the privacy key (the stack lets it read the key's secret, and only it). */
  readonly usesPrivacyKey?: boolean;
  /** Longer than the functions table's default (10 s) when the route holds a request open (a long-poll). Under API Gateway's 29 s. */
  readonly timeoutSeconds?: number;
}

export const anyone: readonly Group[] = ["agents", "admins"];
export const admins: readonly Group[] = ["admins"];
export const agents: readonly Group[] = ["agents"];
