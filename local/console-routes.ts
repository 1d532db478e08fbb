import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { ServiceError } from "../shared/core/errors";
import { checkDevTokenSubject } from "./dev-token-args";
import type { LocalRoute } from "./local-route";

/**
 * The desk console's routes (local only, like everything `npm start` adds): the page at `/`, its
 * files under `/console/`, and the dev sign-in that mints a token with the server's own key pair
 * (the one `npm run dev-token` signs with).
 */

/**
 * The page talks to this server and nothing else: scripts, styles and requests from its own
 * origin only, no inline script, no frames, no forms posting elsewhere.
 */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  // Rebuilt at every start: a reload after a restart gets the new code.
  "cache-control": "no-store",
};

function fileAnswer(contentType: string, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 200, headers: { "content-type": contentType, ...CONSOLE_SECURITY_HEADERS }, body };
}

const page: LocalRoute = {
  id: "local-console",
  method: "GET",
  path: "/",
  auth: "none",
  async handle(_event, services) {
    const page = (await services.consoleAssets()).get("index.html");
    if (!page) throw new Error("the console has no index.html");
    return fileAnswer(page.contentType, page.body);
  },
};

const files: LocalRoute = {
  id: "local-console-files",
  method: "GET",
  path: "/console/{file}",
  auth: "none",
  async handle(event, services) {
    const name = event.pathParameters?.file ?? "";
    const asset = name === "index.html" ? undefined : (await services.consoleAssets()).get(name);
    if (!asset) throw new ServiceError("ROUTE_NOT_FOUND", `the console has no file ${name}`);
    return fileAnswer(asset.contentType, asset.body);
  },
};

/** 127.0.0.0/8, ::1 and their IPv4-mapped form. */
export function isLoopbackAddress(address: string): boolean {
  const plain = address.replace(/^::ffff:/i, "");
  return /^127(\.\d{1,3}){3}$/.test(plain) || plain === "::1";
}

/** `localhost`, `127.x.y.z` or `[::1]`, with any port. */
export function isLoopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith("[") ? host.slice(0, host.indexOf("]") + 1) : host.replace(/:\d*$/, "");
  return name.toLowerCase() === "localhost" || name === "[::1]" || isLoopbackAddress(name);
}

/** A subject the sign-in accepts (the agent id the API records): 1-64 visible ASCII characters. */
const SUBJECT = /^[\x21-\x7e]{1,64}$/;

/**
 * `POST /local/dev-token {sub, groups}` → `{ token, sub, groups, expiresAt }`: what `npm run
 * dev-token` prints, for the console's sign-in. Open like the carrier's routes, but only to this
 * machine: the caller must connect from a loopback address and name a loopback host (a web page
 * elsewhere that points its own name at 127.0.0.1 is refused), and a browser's Origin, when sent,
 * must be this server.
 */
const devToken: LocalRoute = {
  id: "local-dev-token",
  method: "POST",
  path: "/local/dev-token",
  auth: "none",
  async handle(event: APIGatewayProxyEventV2, services) {
    const host = event.headers.host;
    const origin = event.headers.origin;
    if (!isLoopbackAddress(event.requestContext.http.sourceIp) || !isLoopbackHost(host) || (origin && origin !== `http://${host}`)) {
      throw new ServiceError("FORBIDDEN", "the dev sign-in answers only to this machine, on a loopback address");
    }
    if (!/^application\/json\b/i.test(event.headers["content-type"] ?? "")) {
      throw new ServiceError("UNSUPPORTED_MEDIA_TYPE", "send Content-Type: application/json");
    }
    const text = event.isBase64Encoded ? Buffer.from(event.body ?? "", "base64").toString("utf8") : (event.body ?? "");
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new ServiceError("MALFORMED_JSON", "the body is not JSON");
    }
    const { sub, groups } = (body ?? {}) as { sub?: unknown; groups?: unknown };
    if (typeof sub !== "string" || !SUBJECT.test(sub.trim())) {
      throw new ServiceError("VALIDATION_FAILED", "sub must be 1-64 visible ASCII characters, such as ann");
    }
    if (!Array.isArray(groups) || !groups.every((group) => typeof group === "string")) {
      throw new ServiceError("VALIDATION_FAILED", 'groups must be a list such as ["agents"] or ["admins"]');
    }
    let subject: { sub: string; groups: string[] };
    try {
      subject = checkDevTokenSubject(sub, groups as string[], "sub");
    } catch (error) {
      throw new ServiceError("VALIDATION_FAILED", (error as Error).message);
    }
    const minted = await services.mintDevToken(subject);
    return {
      statusCode: 200,
      headers: { "content-type": "application/json", "cache-control": "no-store" },
      body: JSON.stringify({ ...subject, ...minted }),
    };
  },
};

export const consoleRoutes: readonly LocalRoute[] = [page, files, devToken];
