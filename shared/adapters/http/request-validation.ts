import type * as z from "zod/mini";
import { ServiceError } from "../../core/errors";

/** Validates one part of a request; a failure becomes a 400 that names each field and what to fix. */
export function validatePart<T extends z.ZodMiniType>(schema: T, value: unknown, part: "body" | "query" | "path"): z.infer<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data as z.infer<T>;
  const problems = result.error.issues.map((issue) => describeIssue(issue, part, valueAt(value, issue.path)));
  throw new ServiceError("VALIDATION_FAILED", `invalid ${part === "path" ? "path parameter" : part}: ${problems.join("; ")}`);
}

type Issue = z.core.$ZodIssue;

/** zod does not report the offending input by default; read it from the request at the issue's path. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

function describeIssue(issue: Issue, part: string, input: unknown): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join(".") : part;
  switch (issue.code) {
    case "invalid_type": {
      return input === undefined
        ? `${where} is required (${issue.expected})`
        : `${where} must be ${article(issue.expected)}, got ${kindOf(input)}`;
    }
    case "unrecognized_keys":
      return `unknown field${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}${issue.path.length ? ` in ${where}` : ""}`;
    case "invalid_value":
      return `${where} must be ${issue.values.map((v) => JSON.stringify(v)).join(" or ")}`;
    case "invalid_union":
      return `${where} does not match any accepted form`;
    default:
      // Range and format checks carry the messages written beside the schemas.
      return `${where} ${issue.message}`;
  }
}

function article(expected: string): string {
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

function kindOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}
