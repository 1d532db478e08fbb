import { randomUUID } from "node:crypto";
import { chmodSync, linkSync, mkdirSync, readFileSync, renameSync, unlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  errors,
  exportJWK,
  generateKeyPair,
  importJWK,
  jwtVerify,
  SignJWT,
  type JWK,
  type JWTPayload,
} from "jose";

/**
 * The local stand-in for the identity provider behind API Gateway's JWT authorizer: one RSA key
 * pair kept under `<DATA_DIR>/jwt/`, shared by the local server (verifies) and `npm run dev-token`
 * (signs). Issuer and audience are fixed strings, declared here once.
 */
export const LOCAL_ISSUER = "http://localhost/agent-initiated-sms-local";
export const LOCAL_AUDIENCE = "agent-initiated-sms-local";
export const JWT_ALGORITHM = "RS256";
/** DATA_DIR when the environment does not set one (relative to the working directory). */
export const DEFAULT_DATA_DIR = ".data";
/** Seconds of clock skew accepted on exp / nbf / iat. */
export const CLOCK_TOLERANCE_SECONDS = 5;

export const PRIVATE_JWK_FILE = "private.jwk.json";
export const PUBLIC_JWK_FILE = "public.jwk.json";

type SigningKey = Awaited<ReturnType<typeof importJWK>>;

export interface LocalKeyPair {
  /** JWK thumbprint, sent as the token header's `kid`. */
  kid: string;
  privateKey: SigningKey;
  publicKey: SigningKey;
  publicJwk: JWK;
  directory: string;
}

/** `<dataDir>/jwt`, absolute. */
export function jwtDirectory(dataDir: string): string {
  return join(resolve(dataDir), "jwt");
}

/**
 * Reads the key pair from `<dataDir>/jwt/`, creating it on first use. Creation is race-free: the
 * private JWK is written to a temporary file and hard-linked into place, so when the server and
 * dev-token start together one of them wins and the other reads the winner's key.
 */
export async function loadOrCreateKeyPair(dataDir: string): Promise<LocalKeyPair> {
  const directory = jwtDirectory(dataDir);
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const privatePath = join(directory, PRIVATE_JWK_FILE);

  let privateJwk = readJwk(privatePath);
  if (!privateJwk) {
    const generated = await generateKeyPair(JWT_ALGORITHM, { modulusLength: 2048, extractable: true });
    const jwk = await exportJWK(generated.privateKey);
    const candidate: JWK = { ...jwk, alg: JWT_ALGORITHM, use: "sig", kid: await calculateJwkThumbprint(jwk) };
    const temporary = join(directory, `.${PRIVATE_JWK_FILE}.${process.pid}.${randomUUID()}`);
    writeFileSync(temporary, `${JSON.stringify(candidate, null, 2)}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    try {
      linkSync(temporary, privatePath);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    } finally {
      unlinkSync(temporary);
    }
    privateJwk = readJwk(privatePath);
    if (!privateJwk) throw new Error(`could not create ${privatePath}`);
  }

  const publicJwk = publicPart(privateJwk);
  const kid = privateJwk.kid ?? (await calculateJwkThumbprint(publicJwk));
  publicJwk.kid = kid;
  writePublicJwk(join(directory, PUBLIC_JWK_FILE), publicJwk);

  return {
    kid,
    privateKey: await importJWK(privateJwk, JWT_ALGORITHM),
    publicKey: await importJWK(publicJwk, JWT_ALGORITHM),
    publicJwk,
    directory,
  };
}

function readJwk(path: string): JWK | undefined {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
  const jwk = JSON.parse(text) as JWK;
  if (jwk.kty !== "RSA" || typeof jwk.d !== "string") throw new Error(`${path} is not an RSA private JWK`);
  return jwk;
}

function publicPart(privateJwk: JWK): JWK {
  return { kty: privateJwk.kty, n: privateJwk.n, e: privateJwk.e, alg: JWT_ALGORITHM, use: "sig", kid: privateJwk.kid };
}

function writePublicJwk(path: string, jwk: JWK): void {
  const text = `${JSON.stringify(jwk, null, 2)}\n`;
  try {
    if (readFileSync(path, "utf8") === text) return;
  } catch {
    // absent: write it
  }
  const temporary = `${path}.${process.pid}.${randomUUID()}`;
  writeFileSync(temporary, text, { mode: 0o644 });
  renameSync(temporary, path);
}

export interface DevTokenOptions {
  sub: string;
  groups: readonly string[];
  /** Lifetime in seconds (default 12 h). */
  ttlSeconds?: number;
  /** Override the issued-at instant (epoch seconds); tests use it for expired tokens. */
  now?: number;
}

export const DEFAULT_TTL_SECONDS = 12 * 60 * 60;

/** Signs a Cognito-like access token the local server accepts. */
export async function signDevToken(keys: LocalKeyPair, options: DevTokenOptions): Promise<string> {
  const now = options.now ?? Math.floor(Date.now() / 1000);
  const ttl = options.ttlSeconds ?? DEFAULT_TTL_SECONDS;
  const payload: JWTPayload = { token_use: "access", username: options.sub };
  if (options.groups.length > 0) payload["cognito:groups"] = [...options.groups];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: JWT_ALGORITHM, typ: "JWT", kid: keys.kid })
    .setSubject(options.sub)
    .setIssuer(LOCAL_ISSUER)
    .setAudience(LOCAL_AUDIENCE)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomUUID())
    .sign(keys.privateKey);
}

/**
 * The checks API Gateway's JWT authorizer makes, against the local key: a bearer token in the
 * Authorization header, header `kid` naming our key, RS256 only, a valid signature, `exp` present
 * and not passed, `nbf` and `iat` not in the future, `iss` equal to ours, and `aud` (or, when the
 * token has no `aud`, `client_id`) equal to ours. Returns the claims, or undefined for any failure.
 */
export async function verifyBearerToken(
  authorization: string | undefined,
  keys: Pick<LocalKeyPair, "kid" | "publicKey">,
): Promise<JWTPayload | undefined> {
  const checked = await checkBearerToken(authorization, keys);
  return "claims" in checked ? checked.claims : undefined;
}

/**
 * The same checks, saying why a token is refused: API Gateway answers every refusal with a bare
 * `{"message":"Unauthorized"}`, so locally the reason goes to the server's log. It names claims
 * and times, never the token.
 */
export async function checkBearerToken(
  authorization: string | undefined,
  keys: Pick<LocalKeyPair, "kid" | "publicKey">,
): Promise<{ claims: JWTPayload } | { refused: string }> {
  if (authorization === undefined || authorization.trim() === "") {
    return { refused: "no Authorization header (send Authorization: Bearer <a token from npm run dev-token>)" };
  }
  const token = bearerToken(authorization);
  if (!token) {
    return /^Bearer\s*$/i.test(authorization.trim())
      ? { refused: "no token after Bearer (an empty token: did npm run dev-token fail?)" }
      : { refused: "the Authorization header is not Bearer <JWT>" };
  }
  try {
    const header = decodeProtectedHeader(token);
    if (header.alg !== JWT_ALGORITHM)
      return { refused: `the token is signed with ${String(header.alg)}; only ${JWT_ALGORITHM} is accepted` };
    if (header.kid !== keys.kid) {
      return { refused: `the token is signed with another key (kid ${String(header.kid)}, not ${keys.kid}): made with another DATA_DIR?` };
    }
    const { payload } = await jwtVerify(token, keys.publicKey, {
      algorithms: [JWT_ALGORITHM],
      issuer: LOCAL_ISSUER,
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["exp"],
    });
    const now = Math.floor(Date.now() / 1000);
    if (typeof payload.iat === "number" && payload.iat > now + CLOCK_TOLERANCE_SECONDS) {
      return { refused: `the token is issued in the future (iat ${instant(payload.iat)})` };
    }
    if (!audienceMatches(payload)) {
      return { refused: `the token's audience is ${JSON.stringify(payload.aud ?? payload.client_id ?? null)}, not "${LOCAL_AUDIENCE}"` };
    }
    return { claims: payload };
  } catch (error) {
    return { refused: whyRefused(error) };
  }
}

/** jose's failure, as a reason: which check, with the claim's value where it says more. */
function whyRefused(error: unknown): string {
  if (error instanceof errors.JWTExpired) return `the token expired at ${instant(error.payload.exp)} (npm run dev-token makes a new one)`;
  if (error instanceof errors.JWSSignatureVerificationFailed) return "the token's signature does not verify with this server's key";
  if (error instanceof errors.JWTClaimValidationFailed) {
    const { claim, reason, payload } = error;
    if (reason === "missing") return `the token has no ${claim} claim`;
    if (claim === "iss") return `the token's issuer is ${JSON.stringify(payload.iss)}, not "${LOCAL_ISSUER}"`;
    if (claim === "nbf") return `the token is not valid before ${instant(payload.nbf)}`;
    return `the token's ${claim} claim fails its check`;
  }
  // Only the code: a parser's message may quote the token's text.
  return `the token cannot be read (${error instanceof errors.JOSEError ? error.code : "not a JWT"})`;
}

function instant(epochSeconds: unknown): string {
  return typeof epochSeconds === "number" ? new Date(epochSeconds * 1000).toISOString() : String(epochSeconds);
}

/** `Bearer <jwt>`; like API Gateway, a bare `<jwt>` is accepted too. */
function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^(?:Bearer\s+)?([A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/i.exec(authorization.trim());
  return match?.[1];
}

function audienceMatches(payload: JWTPayload): boolean {
  if (payload.aud !== undefined) {
    const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    return audiences.includes(LOCAL_AUDIENCE);
  }
  return payload.client_id === LOCAL_AUDIENCE;
}
