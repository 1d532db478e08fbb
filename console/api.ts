import type {
  ComposeOptions,
  Consumer,
  CreateConsumerRequest,
  CreateProviderRequest,
  DevToken,
  DryRunAnswer,
  EventFeedPage,
  InboundSmsPayload,
  InitiateAnswer,
  InitiateRequest,
  Interaction,
  Message,
  OutboxEntry,
  Page,
  ProfileVerdict,
  Provider,
  ServiceEvent,
} from "./wire";

/** A refusal of the API: its status, its error code and message, and any details it carries. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

/** A request that never got an answer (the server stopped, the network dropped). */
export class NetworkError extends Error {}

type Query = Record<string, string | undefined>;

interface RequestOptions {
  body?: unknown;
  query?: Query;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

async function send<T>(method: string, path: string, token: string | undefined, options: RequestOptions = {}): Promise<T> {
  const search = new URLSearchParams(
    Object.entries(options.query ?? {}).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const url = search.size > 0 ? `${path}?${search}` : path;
  const headers: Record<string, string> = { accept: "application/json", ...options.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.body !== undefined) headers["content-type"] = "application/json";
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers,
      body: options.body === undefined ? null : JSON.stringify(options.body),
      signal: options.signal ?? null,
    });
  } catch (error) {
    if (options.signal?.aborted) throw error;
    throw new NetworkError(`no answer from the local server (${method} ${path}): is npm start still running?`);
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === "" ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    // `{ error: { code, message, ...details } }`, or the gateway's own `{ message }` (401, 429).
    const answer = (parsed ?? {}) as { error?: Record<string, unknown>; message?: unknown };
    const { code, message, ...details } = answer.error ?? {};
    const said = typeof message === "string" ? message : typeof answer.message === "string" ? answer.message : response.statusText;
    throw new ApiError(response.status, typeof code === "string" ? code : `HTTP_${response.status}`, said, details);
  }
  return parsed as T;
}

const encode = encodeURIComponent;

/** The dev sign-in of `npm start`: a token for any name, as agent, admin or both. */
export function mintDevToken(sub: string, groups: string[]): Promise<DevToken> {
  return send("POST", "/local/dev-token", undefined, { body: { sub, groups } });
}

/**
 * The service's HTTP contract, as the signed-in person calls it, plus the local-only routes of
 * `npm start` (the customer's side, the outbox). A 401 (the token expired, or the server's key
 * pair changed) calls `onUnauthorized` before the error is thrown.
 */
export class Api {
  constructor(
    private readonly token: string,
    private readonly onUnauthorized: () => void,
  ) {}

  private async call<T>(method: string, path: string, options?: RequestOptions): Promise<T> {
    try {
      return await send<T>(method, path, this.token, options);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) this.onUnauthorized();
      throw error;
    }
  }

  // ---- administration
  listProviders(): Promise<Page<Provider>> {
    return this.call("GET", "/api/now/providers");
  }
  createProvider(request: CreateProviderRequest): Promise<Provider> {
    return this.call("POST", "/api/now/providers", { body: request });
  }
  updateProvider(id: string, patch: { active?: boolean; name?: string }): Promise<Provider> {
    return this.call("PATCH", `/api/now/providers/${encode(id)}`, { body: patch });
  }
  createConsumer(request: CreateConsumerRequest): Promise<Consumer> {
    return this.call("POST", "/api/now/consumers", { body: request });
  }
  outbox(): Promise<OutboxEntry[]> {
    return this.call("GET", "/local/outbox");
  }

  // ---- customers
  getConsumer(id: string): Promise<Consumer> {
    return this.call("GET", `/api/now/consumers/${encode(id)}`);
  }
  findConsumers(phoneNumber: string): Promise<Page<Consumer>> {
    return this.call("GET", "/api/now/consumers", { query: { phoneNumber } });
  }

  // ---- Compose SMS
  composeOptions(consumerId: string, interactionId?: string): Promise<ComposeOptions> {
    return this.call("GET", "/api/now/initiate_message/compose_options", { query: { consumerId, interactionId } });
  }
  dryRun(request: InitiateRequest, signal?: AbortSignal): Promise<DryRunAnswer> {
    return this.call("POST", "/api/now/initiate_message", { body: { ...request, dryRun: true }, ...(signal ? { signal } : {}) });
  }
  validateProfile(consumerId: string, phoneNumber: string): Promise<ProfileVerdict> {
    return this.call("POST", "/api/now/initiate_message/validate_profile", { body: { consumerId, phoneNumber } });
  }
  initiate(request: InitiateRequest, idempotencyKey: string): Promise<InitiateAnswer> {
    return this.call("POST", "/api/now/initiate_message", { body: request, headers: { "idempotency-key": idempotencyKey } });
  }

  // ---- conversations
  myActiveInteractions(): Promise<Page<Interaction>> {
    return this.call("GET", "/api/now/interactions", { query: { assignedTo: "me", active: "true", limit: "50" } });
  }
  getInteraction(id: string): Promise<Interaction> {
    return this.call("GET", `/api/now/interactions/${encode(id)}`);
  }
  interactionEvents(id: string, after?: string): Promise<Page<ServiceEvent>> {
    return this.call("GET", `/api/now/interactions/${encode(id)}/events`, { query: { after, limit: "100" } });
  }
  /** A page of an interaction's messages, oldest first (100 a page). */
  interactionMessages(id: string, after?: string): Promise<Page<Message>> {
    return this.call("GET", `/api/now/interactions/${encode(id)}/messages`, { query: { after, limit: "100" } });
  }
  closeInteraction(id: string): Promise<Interaction> {
    return this.call("POST", `/api/now/interactions/${encode(id)}/close`);
  }
  retryMessage(interactionId: string, messageId: string): Promise<unknown> {
    return this.call("POST", `/api/now/interactions/${encode(interactionId)}/messages/${encode(messageId)}/retry`);
  }

  // ---- what happens
  /** Without `after`: no items and the cursor of now. With it: long-polls up to `waitSeconds`. */
  events(after: string | undefined, waitSeconds: number, signal?: AbortSignal): Promise<EventFeedPage> {
    return this.call("GET", "/api/now/events", {
      query: { after, waitSeconds: after === undefined ? undefined : String(waitSeconds) },
      ...(signal ? { signal } : {}),
    });
  }

  /** The customer's side (local only): a reply as the carrier would deliver it. */
  customerReplies(payload: InboundSmsPayload): Promise<{ outcome: string; interactionId?: string; messageId?: string }> {
    return this.call("POST", "/local/inbound_sms", { body: payload });
  }
}
