import { request as httpRequest, type Agent } from "node:http";
import fc from "fast-check";
import * as z from "zod/mini";
import { findRoute } from "../../local/api-gateway-emulator";
import { errorStatus } from "../../shared/adapters/http/error-status";
import type { RouteDefinition } from "../../shared/adapters/http/routes";
import { errorCodes } from "../../shared/core/errors";

/**
 * Hostile HTTP requests for any route of the route table, generated with fast-check from the
 * route's request schemas (read as JSON Schema), and the check every answer must pass: a 4xx with
 * the service's error body, or a 2xx its route declares. Requests go over node:http rather than
 * fetch, so paths such as `..` and repeated headers reach the server exactly as written.
 */

// ---------------------------------------------------------------- JSON as written on the wire

/** An object as a list of entries: keeps duplicate keys and `__proto__` as a plain key. */
export class Obj {
  constructor(readonly entries: readonly (readonly [string, Json])[]) {}
  with(key: string, value: Json): Obj {
    return this.entries.some(([k]) => k === key)
      ? new Obj(this.entries.map(([k, v]) => (k === key ? [k, value] : [k, v])))
      : new Obj([...this.entries, [key, value]]);
  }
  without(key: string): Obj {
    return new Obj(this.entries.filter(([k]) => k !== key));
  }
  plus(extra: readonly (readonly [string, Json])[]): Obj {
    return new Obj([...this.entries, ...extra]);
  }
}

/** Text written as is: numbers JSON.stringify cannot write (`1e400`, `-0`), or deliberately broken JSON. */
export class Raw {
  constructor(readonly text: string) {}
}

export type Json = null | boolean | number | string | Obj | Raw | readonly Json[];

export function toJsonText(value: Json): string {
  if (value instanceof Raw) return value.text;
  if (value instanceof Obj) return `{${value.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(",")}}`;
  if (Array.isArray(value)) return `[${value.map(toJsonText).join(",")}]`;
  return JSON.stringify(value);
}

/** A plain value (what fc.jsonValue gives) as Json. */
function fromPlain(value: unknown): Json {
  if (Array.isArray(value)) return value.map(fromPlain);
  if (value !== null && typeof value === "object") return new Obj(Object.entries(value).map(([k, v]) => [k, fromPlain(v)] as const));
  return value as Json;
}

// ---------------------------------------------------------------- the request schemas, as JSON Schema

export interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  required?: string[];
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  const?: unknown;
  enum?: unknown[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  maxItems?: number;
}

export function jsonSchemaOf(schema: z.ZodMiniType): SchemaNode {
  return z.toJSONSchema(schema, { io: "input", unrepresentable: "any" }) as SchemaNode;
}

/** Names of the route's path parameters, in order. */
export function pathParamNames(route: RouteDefinition): string[] {
  return [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

/** Query fields that carry a cursor the API gave. */
export const cursorFields = ["cursor", "after"];

/** Ids a path parameter may take, by the segment before it (`/consumers/{id}` → `pathIds.consumers`). */
export function pathIdsFor(route: RouteDefinition, name: string, hints: Pick<Hints, "pathIds">): string[] {
  const segments = route.path.split("/");
  return hints.pathIds[segments[segments.indexOf(`{${name}}`) - 1] ?? ""] ?? [];
}

// ---------------------------------------------------------------- hostile values

const specialStrings = [
  "",
  " ",
  "\t\r\n",
  "null",
  "undefined",
  "true",
  "NaN",
  "-0",
  "1e309",
  "{}",
  "[]",
  '"',
  "\\",
  "'",
  "<script>alert(1)</script>",
  "' OR '1'='1",
  "${jndi:ldap://x/a}",
  "%s%n%x",
  "{{7*7}}",
  "../../etc/passwd",
  "..",
  "a/b",
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
];

/** Lone surrogates, direction marks, NUL, emoji, combining marks, non-ASCII digits, the last code points. */
export const oddUnicode = [
  "\u0000",
  "a\u0000b",
  "\ud800",
  "\udfff",
  "x\ud83d",
  "\ude00y",
  "\u202e",
  "\u200f",
  "\u200b",
  "\ufeff",
  "\u2028\u2029",
  "\uffff",
  "\ufffe",
  "\u0085",
  "😀",
  "👩‍👩‍👧‍👦",
  "🇺🇸",
  "e\u0301\u0301\u0301\u0301",
  "Z\u0334\u0321\u031b\u0319a\u0337",
  "١٤١٥٥٥٥٠١٧١",
  "＋１４１５５５５０１７１",
  "+1 415 555 0171\u202e",
  "Ⅻ",
  "İß",
  "\u{10ffff}",
  "\u{e0041}",
];

const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((code) => String.fromCharCode(code));

/** Up to ~100 KB of JSON: far above the handlers' 16 KB limit, far below the gateway's 10 MB. */
export const hugeString = fc
  .tuple(fc.constantFrom("x", "é", "😀", "\u0000", "\ud800", "9"), fc.integer({ min: 16_000, max: 100_000 }))
  .map(([unit, bytes]) => unit.repeat(Math.max(1, Math.floor(bytes / (Buffer.byteLength(JSON.stringify(unit)) - 2)))));

export const oddString: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...specialStrings, ...oddUnicode) },
  {
    weight: 3,
    arbitrary: fc.array(fc.constantFrom(...oddUnicode, "a", "1", "+"), { minLength: 2, maxLength: 12 }).map((parts) => parts.join("")),
  },
  { weight: 2, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
  {
    weight: 1,
    arbitrary: fc.string({ unit: fc.oneof(loneSurrogate, fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 })), maxLength: 20 }),
  },
  { weight: 1, arbitrary: hugeString },
);

/** Odd text whose percent-encoded form stays short enough for a request line (Node answers 431 above 16 KB of head). */
const encodedUnder = (max: number) => oddString.filter((s) => encodeLoose(s).length <= max);

/** Nested arrays or objects, up to 500 deep. */
export const deeplyNested = fc
  .tuple(fc.integer({ min: 50, max: 500 }), fc.boolean())
  .map(([depth, arrays]) => new Raw(arrays ? "[".repeat(depth) + "]".repeat(depth) : '{"a":'.repeat(depth) + "1" + "}".repeat(depth)));

export const prototypeKeys = ["__proto__", "constructor", "prototype"];

const prototypeObject = fc.constantFrom(
  new Raw('{"__proto__":{"polluted":true,"admin":true}}'),
  new Raw('{"constructor":{"prototype":{"polluted":true}}}'),
  new Raw('{"prototype":null,"__proto__":[]}'),
);

const wrongType: fc.Arbitrary<Json> = fc.oneof(
  fc.integer().map((n): Json => n),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n): Json => n),
  fc.boolean(),
  fc.constant(null),
  fc.constant(new Obj([])),
  fc.constant([] as Json[]),
  fc.jsonValue({ maxDepth: 2 }).map(fromPlain),
  fc.array(oddString, { maxLength: 3 }),
);

const oddNumbers: Json[] = [
  -1,
  0,
  0.5,
  -0.000001,
  1e308,
  -1e308,
  Number.MAX_SAFE_INTEGER + 2,
  Number.MIN_VALUE,
  new Raw("1e400"),
  new Raw("-1e400"),
  new Raw("-0"),
  new Raw("1E2"),
  new Raw("0.00000000000000000000000000001"),
  new Raw("123456789012345678901234567890"),
  "60",
  "1",
];

/** A value that breaks (or strains) the schema node: a wrong type, an edge of its range, odd text, nesting. */
export function hostileValue(node: SchemaNode | undefined): fc.Arbitrary<Json> {
  const edges: Json[] = [];
  const type = node?.type ?? node?.anyOf?.find((n) => n.type !== "null")?.type;
  const inner = node?.anyOf?.find((n) => n.type !== "null") ?? node;
  if (type === "number" || type === "integer") {
    const { minimum, maximum, exclusiveMinimum } = inner ?? {};
    for (const bound of [minimum, exclusiveMinimum]) if (bound !== undefined) edges.push(bound - 1, bound - 0.5, bound);
    if (maximum !== undefined) edges.push(maximum + 1, maximum + 0.5);
    edges.push(...oddNumbers);
  }
  if (type === "string") {
    if (inner?.maxLength !== undefined) edges.push("a".repeat(inner.maxLength + 1), "😀".repeat(inner.maxLength));
    if (inner?.minLength) edges.push("a".repeat(inner.minLength - 1));
  }
  if (type === "boolean") edges.push("true", "false", 1, 0, "yes");
  if (type === "array")
    edges.push(
      Array.from({ length: (inner?.maxItems ?? 10) + 1 }, () => "+14155550171"),
      [null],
      [[]],
      [1, 2],
    );
  return fc.oneof(
    { weight: 3, arbitrary: wrongType },
    { weight: 3, arbitrary: edges.length > 0 ? fc.constantFrom(...edges) : wrongType },
    { weight: 4, arbitrary: oddString },
    { weight: 1, arbitrary: deeplyNested },
    { weight: 1, arbitrary: prototypeObject },
  );
}

// ---------------------------------------------------------------- valid-looking values

/** What the running service holds, so valid-looking requests reach real records. */
export interface Hints {
  /** Valid-looking values by field name (body and query fields), before the schema's own. */
  fields: Record<string, fc.Arbitrary<unknown>>;
  /** Existing ids by the path segment before the parameter: `consumers` → consumer ids. */
  pathIds: Record<string, string[]>;
  /** Cursors the API gave, with the request that gave them (a cursor only fits its own list). */
  cursors: HarvestedCursor[];
  /** Authorization header values. */
  tokens: { agentAndAdmin: string; agentOnly: string; adminOnly: string };
}

export interface HarvestedCursor {
  routeId: string;
  params: Record<string, string>;
  /** The rest of the query that gave it: a cursor only continues the same list (same consumer, same filter). */
  query: [string, string][];
  /** The query field it goes in (`cursor` or `after`). */
  field: string;
  value: string;
}

export function validValue(node: SchemaNode, name: string, hints: Hints): fc.Arbitrary<unknown> {
  const hint = hints.fields[name];
  if (hint && node.type !== "array") return hint;
  if ("const" in node) return fc.constant(node.const);
  if (node.enum) return fc.constantFrom(...node.enum);
  if (node.anyOf) return fc.oneof(...node.anyOf.map((option) => validValue(option, name, hints)));
  switch (node.type) {
    case "string":
      return node.pattern
        ? fc.stringMatching(new RegExp(node.pattern))
        : fc.string({ minLength: node.minLength ?? 0, maxLength: Math.min(node.maxLength ?? 30, 30) });
    case "integer":
      return fc.integer({ min: node.minimum ?? -1000, max: node.maximum ?? 1000 });
    case "number":
      return fc.double({
        min: node.exclusiveMinimum ?? node.minimum ?? -1000,
        max: node.maximum ?? 1000,
        minExcluded: node.exclusiveMinimum !== undefined,
        noNaN: true,
      });
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array":
      return fc.array(validValue(node.items ?? {}, name, hints), { maxLength: Math.min(node.maxItems ?? 3, 3) });
    case "object":
      return validObject(node, hints).map((obj) => Object.fromEntries(obj.entries));
    default:
      return fc.jsonValue({ maxDepth: 1 });
  }
}

/** A schema-valid object (cursor fields left out: only harvested cursors go there). */
export function validObject(node: SchemaNode, hints: Hints): fc.Arbitrary<Obj> {
  const names = Object.keys(node.properties ?? {}).filter((name) => !cursorFields.includes(name));
  const model = Object.fromEntries(names.map((name) => [name, validValue(node.properties![name]!, name, hints)]));
  const required = (node.required ?? []).filter((name) => names.includes(name));
  return fc
    .record(model, { requiredKeys: required })
    .map((record) => new Obj(Object.entries(record).map(([k, v]) => [k, fromPlain(v)] as const)));
}

// ---------------------------------------------------------------- requests

export interface HostileRequest {
  routeId: string;
  /** What was made hostile, e.g. `body:mutate-field`; `valid` for the legitimate ones. */
  kind: string;
  method: string;
  /** Path and query, as sent. */
  target: string;
  headers: Record<string, string | string[]>;
  body?: Buffer;
}

/** One request before it is put on the wire: decoded params and query, or raw overrides. */
interface Draft {
  kind: string;
  method: string;
  params: Record<string, string>;
  /** A raw (already encoded) segment for a parameter. */
  rawParams?: Record<string, string>;
  /** Query pairs, raw when `rawQuery` is set. */
  query: [string, string][];
  rawQuery?: string;
  body?: Json;
  rawBody?: Buffer;
  /** Content type; null: none sent. */
  contentType: string | null;
  authorization: string;
  extraHeaders: Record<string, string | string[]>;
  suffix?: string;
}

/** Percent-encodes anything, lone surrogates included (as the bytes CESU-8 would give them). */
export function encodeLoose(text: string): string {
  let out = "";
  for (const char of text) {
    const code = char.charCodeAt(0);
    if (char.length === 1 && code >= 0xd800 && code <= 0xdfff) {
      out += [0xed, 0xa0 | ((code >> 6) & 0x0f), 0x80 | (code & 0x3f)].map((b) => `%${b.toString(16).toUpperCase()}`).join("");
    } else out += encodeURIComponent(char);
  }
  return out;
}

function toRequest(route: RouteDefinition, draft: Draft): HostileRequest {
  const path =
    route.path.replace(/\{(\w+)\}/g, (_, name: string) => draft.rawParams?.[name] ?? encodeLoose(draft.params[name] ?? "")) +
    (draft.suffix ?? "");
  const query = draft.rawQuery ?? draft.query.map(([k, v]) => `${encodeLoose(k)}=${encodeLoose(v)}`).join("&");
  const body = draft.rawBody ?? (draft.body === undefined ? undefined : Buffer.from(toJsonText(draft.body), "utf8"));
  const headers: Record<string, string | string[]> = { authorization: draft.authorization, ...draft.extraHeaders };
  if (draft.contentType !== null && body !== undefined) headers["content-type"] = draft.contentType;
  return {
    routeId: route.id,
    kind: draft.kind,
    method: draft.method,
    target: query === "" ? path : `${path}?${query}`,
    headers,
    ...(body !== undefined ? { body } : {}),
  };
}

/** Latin-1 text without control characters: what an HTTP header value can carry. */
const headerText = (min: number, max: number) =>
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((c) => c !== 0x7f)
      .map((c) => String.fromCharCode(c)),
    minLength: min,
    maxLength: max,
  });

/** A long header value: stays under Node's 16 KB header limit with the token and the rest. */
const longHeaderValue = fc
  .tuple(headerText(1, 8), fc.integer({ min: 1_000, max: 11_000 }))
  .map(([unit, length]) => unit.repeat(Math.ceil(length / unit.length)).slice(0, length));

const contentTypes = [
  "text/plain",
  "text/plain; charset=utf-8",
  "multipart/form-data; boundary=----hostile",
  "application/x-www-form-urlencoded",
  "application/json; charset=utf-16",
  "application/json; charset=latin1",
  "APPLICATION/JSON",
  "application/json ; charset = utf-8",
  "application/vnd.api+json",
  "application/problem+json",
  "application/jsonx",
  "application/json, text/plain",
  "application/octet-stream",
  "",
  ";",
  "json",
  "*/*",
  "application/xml",
];

const forwardedHeaders = fc.record(
  {
    "x-forwarded-for": fc.constantFrom("1.2.3.4, 10.0.0.1, ::1", "999.999.999.999", "evil", "", "127.0.0.1, " + "8.8.8.8, ".repeat(200)),
    "x-forwarded-host": fc.constantFrom("evil.example", "localhost:0", "[::1]", "a".repeat(300)),
    "x-forwarded-proto": fc.constantFrom("https", "gopher", "javascript", ""),
    "x-forwarded-port": fc.constantFrom("-1", "99999", "abc"),
    forwarded: fc.constantFrom('for="[::1]";proto=javascript;host=evil', "for=unknown"),
    "x-real-ip": fc.constantFrom("0.0.0.0", "::"),
    "x-amzn-trace-id": headerText(0, 60),
    "x-http-method-override": fc.constantFrom("DELETE", "PUT", "GET"),
    "x-api-key": headerText(0, 60),
    "idempotency-key": fc.oneof(
      headerText(0, 20),
      fc.constantFrom("", " ", "a b", "é", "k".repeat(201), Buffer.from("ключ").toString("latin1")),
    ),
    cookie: fc.constantFrom("a=b; __proto__=x; constructor=y", "=;;=", "session=" + "z".repeat(2000)),
    accept: fc.constantFrom("text/html", "application/xml", "*/*;q=0", ""),
    "accept-encoding": fc.constantFrom("gzip", "br, zstd", "identity;q=0"),
    "content-encoding": fc.constantFrom("gzip", "deflate"),
    host: fc.constantFrom("evil.example", "localhost:1", "a.b.c.d.e"),
  },
  { requiredKeys: [] },
);

const badMethods = ["DELETE", "PUT", "OPTIONS", "PATCH", "POST", "GET"];

/** Path segments for a parameter: traversal, encoded slashes and NULs, broken escapes, lengths, unicode. */
const oddSegments = fc.oneof(
  fc.constantFrom(
    "..",
    ".",
    "%2E%2E",
    "%2e",
    "%2F",
    "a%2Fb",
    "..%2F..%2Fetc%2Fpasswd",
    "%00",
    "a%00b",
    "%",
    "%zz",
    "%E0%A4%A",
    "%ED%A0%80",
    "%C0%AE",
    "%20",
    "+",
    "%2B",
    "~",
    "-",
    "_a",
    "a:b",
    "a.b",
    "A".repeat(64),
    "A".repeat(65),
    "A".repeat(2_000),
    "9".repeat(6_000),
    encodeURIComponent("ü😀\u202e"),
    "constructor",
    "__proto__",
    "toString",
    "hasOwnProperty",
    "null",
    "undefined",
    "0",
    "-1",
    "%3Cscript%3E",
    "a;b",
    "a,b",
    "a=b",
    "a@b",
    "'",
    "*",
  ),
  oddString.map(encodeLoose).filter((s) => s.length <= 6_000),
  fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/).map(encodeURIComponent),
);

const badLimits = [
  "0",
  "-1",
  "101",
  "1000",
  "1e2",
  "1.5",
  "abc",
  "",
  " 1",
  "99999999999999999999",
  "0x10",
  "١",
  "01",
  "1,2",
  "Infinity",
  "NaN",
];

/** Query strings the syntax itself makes odd. */
const oddQueryStrings = fc.constantFrom(
  "&&&",
  "=",
  "=x",
  "a",
  "%",
  "a=%zz",
  ";",
  "?",
  "a=1&&b=2",
  "&=&",
  "%00=%00",
  "a[]=1&a[]=2",
  "a[b]=c",
  "+=+",
);

/** A real cursor tampered with: its JSON fields changed or dropped, its text cut or flipped, or another list's. */
function tamperedCursor(real: string, others: string[]): fc.Arbitrary<string> {
  let decoded: Record<string, unknown> | undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(real, "base64url").toString("utf8"));
    if (value !== null && typeof value === "object" && !Array.isArray(value)) decoded = value as Record<string, unknown>;
  } catch {
    // not JSON inside: text-level tampering only
  }
  const encode = (text: string, standard: boolean) => Buffer.from(text).toString(standard ? "base64" : "base64url");
  const textual = fc.oneof(
    fc
      .nat({ max: real.length - 1 })
      .chain((i) => fc.constantFrom("A", "_", "-", "=", "*", "%").map((c) => real.slice(0, i) + c + real.slice(i + 1))),
    fc.nat({ max: real.length }).map((i) => real.slice(0, i)),
    fc.constantFrom(`${real}=`, `${real}==`, real + real, ` ${real}`, real.toUpperCase(), real.replace(/-/g, "+").replace(/_/g, "/")),
    fc.constantFrom(...(others.length > 0 ? others : [real])),
  );
  if (!decoded) return textual;
  const fields = Object.keys(decoded);
  // Mostly the strings a key can choke on: empty, past every prefix, over the 1 KB key limit.
  const cursorValue: fc.Arbitrary<unknown> = fc.oneof(
    {
      weight: 4,
      arbitrary: fc.constantFrom(
        "",
        " ",
        "\uffff",
        "~",
        "zzzz",
        "\u0000",
        "A".repeat(1_100),
        "😀".repeat(300),
        "MESSAGE#",
        "EVENT#",
        "INTERACTION#",
        "9999-12-31T23:59:59.999Z",
        "0000",
      ),
    },
    { weight: 1, arbitrary: oddString.filter((s) => s.length < 300) },
    { weight: 1, arbitrary: fc.constantFrom(0, -1, null, true, [], {}, { S: "x" }) },
  );
  const fieldLevel = fc.oneof(
    { weight: 5, arbitrary: fc.tuple(fc.constantFrom(...fields), cursorValue).map(([field, value]) => ({ ...decoded, [field]: value })) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(...fields).map((field) => Object.fromEntries(Object.entries(decoded!).filter(([k]) => k !== field))),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom("extra", "__proto__", "constructor", "pk"), cursorValue)
        .map(([field, value]) => ({ ...decoded, [field]: value })),
    },
    { weight: 1, arbitrary: fc.constantFrom<unknown>([decoded], null, "cursor", 1) },
  );
  return fc.oneof(
    { weight: 1, arbitrary: textual },
    { weight: 4, arbitrary: fc.tuple(fieldLevel, fc.boolean()).map(([value, standard]) => encode(JSON.stringify(value), standard)) },
  );
}

/** Random cursors: base64 of random bytes or random JSON, and plain garbage. */
const randomCursor = fc.oneof(
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("base64url")),
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes).toString("base64")),
  fc.jsonValue({ maxDepth: 2 }).map((value) => Buffer.from(JSON.stringify(value) ?? "null").toString("base64url")),
  encodedUnder(6_000),
  fc.constantFrom("A".repeat(2_049), "e30", "bnVsbA", "W10", "IiI"),
);

/** Every request for a route: valid-looking parts first, then one thing made hostile (or none, 10% of the time). */
export function routeRequests(route: RouteDefinition, hints: Hints, otherCursors: string[]): fc.Arbitrary<HostileRequest> {
  const body = route.body ? jsonSchemaOf(route.body) : undefined;
  const query = route.query ? jsonSchemaOf(route.query) : undefined;
  const paramNames = pathParamNames(route);
  const paramArb = fc.record(
    Object.fromEntries(
      paramNames.map((name) => {
        const ids = pathIdsFor(route, name, hints);
        const fresh = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/);
        return [
          name,
          ids.length > 0 ? fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ids) }, { weight: 1, arbitrary: fresh }) : fresh,
        ];
      }),
    ),
  );
  const cursors = hints.cursors.filter((c) => c.routeId === route.id);
  const base = fc
    .record({
      params: paramArb,
      query: query ? validObject(query, hints) : fc.constant(new Obj([])),
      body: body ? validObject(body, hints) : fc.constant(undefined),
      cursor: cursors.length > 0 ? fc.option(fc.constantFrom(...cursors), { freq: 2 }) : fc.constant(null),
    })
    .map(({ params, query: q, body: b, cursor }): Draft => {
      const pairs = q.entries.map(([k, v]) => [k, String(v)] as [string, string]);
      return {
        kind: "valid",
        method: route.method,
        params: cursor ? cursor.params : params,
        query: cursor ? [...cursor.query, [cursor.field, cursor.value]] : pairs,
        ...(b ? { body: b } : {}),
        contentType: b ? "application/json" : null,
        authorization: hints.tokens.agentAndAdmin,
        extraHeaders: {},
      };
    });

  const bodyFields = Object.keys(body?.properties ?? {});
  const queryFields = Object.keys(query?.properties ?? {});
  const mutations = (draft: Draft): fc.WeightedArbitrary<Draft>[] => {
    const valid = draft.body instanceof Obj ? draft.body : new Obj([]);
    const withBody = (kind: string) => (value: Json) => ({ ...draft, kind, body: value, contentType: "application/json" });
    const withRaw =
      (kind: string, contentType: string | null = "application/json") =>
      (raw: Buffer) => ({ ...draft, kind, rawBody: raw, contentType });
    const validText = toJsonText(valid);
    const list: fc.WeightedArbitrary<Draft>[] = [
      { weight: 10, arbitrary: fc.constant(draft) },
      {
        weight: 6,
        arbitrary: fc
          .constantFrom<"agentOnly" | "adminOnly">("agentOnly", "adminOnly")
          .map((who) => ({ ...draft, kind: `token:${who}`, authorization: hints.tokens[who] })),
      },
      {
        weight: 3,
        arbitrary: fc.constantFrom(...badMethods.filter((m) => m !== route.method)).map((method) => ({ ...draft, kind: "method", method })),
      },
      {
        weight: 3,
        arbitrary: fc
          .constantFrom("/", "//", "/x-extra", "/%00", "/..", "?", "%20")
          .map((suffix) => ({ ...draft, kind: "path:suffix", suffix })),
      },
      { weight: 6, arbitrary: forwardedHeaders.map((extra) => ({ ...draft, kind: "header:forwarded", extraHeaders: extra })) },
      {
        weight: 4,
        arbitrary: fc
          .tuple(
            fc.constantFrom("user-agent", "cookie", "x-hostile", "referer", "accept-language", "idempotency-key", "x-forwarded-for"),
            longHeaderValue,
          )
          .map(([name, value]) => ({ ...draft, kind: "header:long", extraHeaders: { [name]: value } })),
      },
      {
        weight: 3,
        arbitrary: fc
          .constantFrom<[string, string[]]>(
            ["content-type", ["application/json", "text/plain"]],
            ["idempotency-key", ["k-1", "k-2"]],
            ["x-forwarded-for", ["1.1.1.1", "2.2.2.2"]],
            ["authorization", [hints.tokens.agentOnly, "Bearer x"]],
          )
          .map(([name, values]) => ({ ...draft, kind: "header:repeated", extraHeaders: { [name]: values } })),
      },
      // Query fields the route does not take, repeated or oddly named.
      {
        weight: 4,
        arbitrary: fc
          .array(
            fc.tuple(
              fc.oneof(fc.constantFrom(...prototypeKeys, "toString", "page", "", "limit", ...queryFields), encodedUnder(300)),
              encodedUnder(2_000),
            ),
            { minLength: 1, maxLength: 4 },
          )
          .map((extra) => ({ ...draft, kind: "query:extra", query: [...draft.query, ...extra] })),
      },
      { weight: 2, arbitrary: oddQueryStrings.map((rawQuery) => ({ ...draft, kind: "query:syntax", rawQuery })) },
    ];
    if (queryFields.length > 0) {
      list.push(
        {
          weight: 6,
          arbitrary: fc.tuple(fc.constantFrom(...queryFields), encodedUnder(8_000)).map(([name, value]) => ({
            ...draft,
            kind: "query:field",
            query: [...draft.query.filter(([k]) => k !== name), [name, value]] as [string, string][],
          })),
        },
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.constantFrom(...queryFields), fc.array(encodedUnder(300), { minLength: 2, maxLength: 4 }))
            .map(([name, values]) => ({
              ...draft,
              kind: "query:repeated",
              query: [...draft.query, ...values.map((v): [string, string] => [name, v])],
            })),
        },
        {
          weight: 2,
          arbitrary: fc.tuple(fc.constantFrom(...queryFields), fc.integer({ min: 2_000, max: 8_000 })).map(([name, length]) => ({
            ...draft,
            kind: "query:huge",
            query: [...draft.query.filter(([k]) => k !== name), [name, "9".repeat(length)]] as [string, string][],
          })),
        },
      );
    }
    if (queryFields.includes("limit")) {
      list.push({
        weight: 3,
        arbitrary: fc.constantFrom(...badLimits).map((limit) => ({
          ...draft,
          kind: "query:limit",
          query: [...draft.query.filter(([k]) => k !== "limit"), ["limit", limit]] as [string, string][],
        })),
      });
    }
    const cursorField = queryFields.find((name) => cursorFields.includes(name));
    if (cursorField) {
      const own = cursors.filter((c) => c.field === cursorField);
      const setCursor = (kind: string, params: Record<string, string>, query: [string, string][]) => (value: string) => ({
        ...draft,
        kind,
        params,
        query: [...query.filter(([k]) => !cursorFields.includes(k)), [cursorField, value]] as [string, string][],
      });
      list.push({ weight: 4, arbitrary: randomCursor.map(setCursor("query:random-cursor", draft.params, draft.query)) });
      if (own.length > 0) {
        list.push({
          weight: 10,
          arbitrary: fc
            .constantFrom(...own)
            .chain((real) => tamperedCursor(real.value, otherCursors).map(setCursor("query:tampered-cursor", real.params, real.query))),
        });
      }
    }
    if (paramNames.length > 0) {
      list.push({
        weight: 8,
        arbitrary: fc
          .tuple(fc.constantFrom(...paramNames), oddSegments)
          .map(([name, raw]) => ({ ...draft, kind: "path:param", rawParams: { ...draft.rawParams, [name]: raw } })),
      });
    }
    if (body) {
      const props = body.properties ?? {};
      const required = body.required ?? [];
      const jsonish = fc.oneof(
        wrongType,
        oddString.map((s): Json => s),
        deeplyNested,
      );
      list.push(
        {
          weight: 14,
          arbitrary: fc
            .constantFrom(...bodyFields)
            .chain((name) => hostileValue(props[name]).map((value) => valid.with(name, value)))
            .map(withBody("body:mutate-field")),
        },
        {
          weight: 3,
          arbitrary: (required.length > 0 ? fc.constantFrom(...required).map((name) => valid.without(name)) : fc.constant(new Obj([]))).map(
            withBody("body:missing-field"),
          ),
        },
        {
          weight: 3,
          arbitrary: fc
            .array(
              fc.tuple(
                fc.oneof(
                  fc.constantFrom(...prototypeKeys, "", " ", "toString", ...bodyFields),
                  oddString.filter((s) => s.length < 200),
                ),
                jsonish,
              ),
              {
                minLength: 1,
                maxLength: 4,
              },
            )
            .map((extra) => valid.plus(extra))
            .map(withBody("body:extra-fields")),
        },
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.constantFrom(...prototypeKeys), fc.oneof(prototypeObject, wrongType))
            .map(([key, value]) => new Obj([[key, value], ...valid.entries]))
            .map(withBody("body:prototype-keys")),
        },
        {
          weight: 2,
          arbitrary: fc
            .constantFrom<Json>(new Raw("[]"), null, 0, -1, "phoneNumber", true, [valid], new Raw("1e400"), [], "")
            .map(withBody("body:not-an-object")),
        },
        { weight: 2, arbitrary: deeplyNested.map(withBody("body:deep")) },
        {
          weight: 3,
          arbitrary: fc
            .tuple(fc.constantFrom(...bodyFields), fc.constantFrom(...oddUnicode))
            .map(([name, odd]) => {
              const current = valid.entries.find(([k]) => k === name)?.[1];
              return valid.with(name, typeof current === "string" ? `${current}${odd}` : odd);
            })
            .map(withBody("body:odd-unicode")),
        },
        {
          weight: 2,
          arbitrary: fc
            .tuple(fc.constantFrom(...bodyFields, "padding"), hugeString)
            .map(([name, huge]) => valid.with(name, huge))
            .map(withBody("body:huge")),
        },
        {
          weight: 4,
          arbitrary: fc
            .oneof(
              fc.nat({ max: Math.max(0, validText.length - 1) }).map((i) => validText.slice(0, i)),
              fc.string({ maxLength: 60 }),
              fc.constantFrom(
                "{'phoneNumber': '+14155550171'}",
                "{phoneNumber: +14155550171}",
                `\ufeff${validText}`,
                `${validText},`,
                `/* c */${validText}`,
                `${validText}${validText}`,
                `${validText.slice(0, -1)},}`,
                "}{",
                "NaN",
                "undefined",
                "\u0000",
                "a=b&c=d",
              ),
            )
            .map((text) => Buffer.from(text, "utf8"))
            .map(withRaw("body:not-json")),
        },
        {
          weight: 2,
          arbitrary: fc
            .oneof(
              fc.uint8Array({ minLength: 1, maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
              fc.constant(Buffer.from(validText, "utf16le")),
              fc.constant(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(validText, "utf16le")])),
              fc.constant(Buffer.from(validText.replace(/"$/, '"'), "latin1")),
              fc.constant(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0x22, 0x7d])),
            )
            .map(withRaw("body:bytes")),
        },
        {
          weight: 2,
          arbitrary: fc
            .constantFrom("", " ", "\n\n", "\t")
            .map((text) => Buffer.from(text))
            .map(withRaw("body:empty")),
        },
        {
          weight: 5,
          arbitrary: fc
            .constantFrom<string | null>(null, ...contentTypes)
            .map((contentType) => ({ ...draft, kind: "header:content-type", contentType })),
        },
        {
          weight: 1,
          arbitrary: fc.constant({
            ...draft,
            kind: "body:multipart",
            rawBody: Buffer.from(`------hostile\r\nContent-Disposition: form-data; name="body"\r\n\r\n${validText}\r\n------hostile--\r\n`),
            contentType: "multipart/form-data; boundary=----hostile",
          }),
        },
      );
    } else {
      // A body on a route that reads none: ignored, but it must not trip anything.
      list.push({
        weight: 2,
        arbitrary: fc
          .oneof(
            fc.jsonValue({ maxDepth: 3 }).map((v) => Buffer.from(JSON.stringify(v) ?? "null")),
            fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
          )
          .map(withRaw("body:unexpected")),
      });
    }
    return list;
  };
  return base.chain((draft) => fc.oneof(...mutations(draft))).map((draft) => toRequest(route, capLongPoll(draft)));
}

/** A legitimate long-poll may wait up to 20 s: capped at 1 s to keep the run short (waiting is not what is tested). */
function capLongPoll(draft: Draft): Draft {
  return {
    ...draft,
    query: draft.query.map(([k, v]): [string, string] => (k === "waitSeconds" && /^\d+$/.test(v) && Number(v) > 1 ? [k, "1"] : [k, v])),
  };
}

// ---------------------------------------------------------------- sending and checking

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  ms: number;
}

/** Node sends a GET, DELETE or OPTIONS body without framing unless told its length: the server would read it as the next request. */
function withLength(req: HostileRequest): Record<string, string | string[]> {
  return req.body ? { "content-length": String(req.body.length), ...req.headers } : req.headers;
}

/** Sends one request; resolves "timeout" when no full answer arrives in time. */
export function send(
  base: { host: string; port: number },
  agent: Agent,
  req: HostileRequest,
  timeoutMs: number,
): Promise<Answer | "timeout" | Error> {
  return new Promise((done) => {
    const started = performance.now();
    let settled = false;
    const finish = (result: Answer | "timeout" | Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(result);
    };
    const outgoing = httpRequest(
      { host: base.host, port: base.port, method: req.method, path: req.target, headers: withLength(req), agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () =>
          finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - started }),
        );
        res.on("error", (error) => finish(error));
      },
    );
    const timer = setTimeout(() => {
      finish("timeout");
      outgoing.destroy();
    }, timeoutMs);
    outgoing.on("error", (error) => finish(error));
    outgoing.end(req.body);
  });
}

const knownCodes = new Set<string>(errorCodes);

/**
 * What is wrong with an answer, or undefined: a 4xx must carry `{ error: { code, message } }` with a
 * code of the service's list whose status it is; a 2xx must be JSON one of the route it reached
 * declares. Anything else (5xx, other statuses, a body that is not JSON, no answer) is a problem.
 */
export function answerProblem(
  routes: readonly RouteDefinition[],
  req: HostileRequest,
  answer: Answer | "timeout" | Error,
): string | undefined {
  if (answer === "timeout") return "no answer in time (hang)";
  if (answer instanceof Error) return `connection failed: ${answer.message}`;
  const text = answer.body.toString("utf8");
  if (answer.status >= 500) return `status ${answer.status}: ${text.slice(0, 300)}`;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return `status ${answer.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 200))}`;
  }
  const contentType = String(answer.headers["content-type"] ?? "");
  if (!contentType.startsWith("application/json")) return `status ${answer.status} with content-type '${contentType}'`;
  if (answer.status >= 400 && answer.status < 500) {
    const error = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    if (typeof error?.code !== "string" || !knownCodes.has(error.code))
      return `status ${answer.status} without a known error code: ${text.slice(0, 300)}`;
    if (typeof error.message !== "string" || error.message === "")
      return `status ${answer.status} without an error message: ${text.slice(0, 300)}`;
    const expected = errorStatus[error.code as keyof typeof errorStatus];
    if (expected !== answer.status) return `code ${error.code} answered with ${answer.status}, its status is ${expected}`;
    return undefined;
  }
  if (answer.status >= 200 && answer.status < 300) {
    const { rawPath } = { rawPath: req.target.split("?")[0]! };
    const lookup = findRoute(routes, req.method, rawPath);
    if (lookup.kind !== "match") return `status ${answer.status} for a request no route matches`;
    const response = lookup.match.route.responses[answer.status];
    if (!response) return `status ${answer.status} is not a success ${lookup.match.route.id} declares`;
    const parsed = response.schema.safeParse(body);
    if (!parsed.success)
      return `status ${answer.status} body does not match ${lookup.match.route.id}'s schema: ${JSON.stringify(parsed.error.issues).slice(0, 300)}`;
    return undefined;
  }
  return `unexpected status ${answer.status}`;
}

/** The request, readable and short enough for a report. */
export function describeRequest(req: HostileRequest): string {
  const headers = Object.fromEntries(
    Object.entries(req.headers).map(([k, v]) => [
      k,
      k === "authorization" ? "<token>" : Array.isArray(v) ? v.map((x) => x.slice(0, 80)) : v.slice(0, 80),
    ]),
  );
  const body = req.body ? ` body(${req.body.length} B)=${JSON.stringify(req.body.toString("utf8").slice(0, 300))}` : "";
  return `[${req.kind}] ${req.method} ${req.target.slice(0, 400)}${req.target.length > 400 ? "…" : ""} headers=${JSON.stringify(headers)}${body}`;
}

/** Runs `work` over the items with at most `concurrency` in flight, in order of start. */
export async function inPool<T, R>(items: readonly T[], concurrency: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}
