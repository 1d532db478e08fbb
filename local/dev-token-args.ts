import { parseArgs } from "node:util";
import { Group } from "../shared/adapters/http/wire-schemas";
import { DEFAULT_TTL_SECONDS } from "./local-jwt";

/** Command line of `npm run dev-token` (kept apart from the script so tests can import it). */
export const KNOWN_GROUPS: readonly string[] = Group.options;

export interface DevTokenArgs {
  sub: string;
  groups: string[];
  ttlSeconds: number;
}

/** Parses and validates the command line; throws an Error whose message says what to fix. */
export function parseDevTokenArgs(argv: string[]): DevTokenArgs | "help" {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      sub: { type: "string" },
      groups: { type: "string" },
      ttl: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
    allowPositionals: true,
    strict: true,
  });
  if (values.help) return "help";
  if (positionals.length > 0) throw new Error(`unexpected argument "${positionals[0]}"`);
  const { sub, groups } = checkDevTokenSubject(values.sub, (values.groups ?? "").split(","), "--sub <id>");
  let ttlSeconds = DEFAULT_TTL_SECONDS;
  if (values.ttl !== undefined) {
    ttlSeconds = Number(values.ttl);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0)
      throw new Error(`--ttl must be a positive whole number of seconds, got "${values.ttl}"`);
  }
  return { sub, groups, ttlSeconds };
}

/**
 * Who a dev token is for, checked the same way for the command line and the desk console's sign-in
 * (`POST /local/dev-token`): a subject that is not blank, and only groups the API knows (blank
 * entries dropped, repeats once). Throws an Error whose message says what to fix.
 */
export function checkDevTokenSubject(
  sub: string | undefined,
  groups: readonly string[],
  subjectName: string,
): { sub: string; groups: string[] } {
  const trimmed = sub?.trim();
  if (!trimmed) throw new Error(`${subjectName} is required`);
  const named = groups.map((group) => group.trim()).filter((group) => group !== "");
  const unknown = named.filter((group) => !KNOWN_GROUPS.includes(group));
  if (unknown.length > 0) throw new Error(`unknown group "${unknown[0]}": use ${KNOWN_GROUPS.join(", ")}`);
  return { sub: trimmed, groups: [...new Set(named)] };
}
