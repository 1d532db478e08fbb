/**
 * The traffic of `scripts/load.ts`: seeding (providers, consumers) and a weighted mix of what a
 * service desk does all day, against a running local server. Kept apart from the runner so the
 * mix can be read (and re-weighted) on its own.
 */

/** One answered (or failed) request; status 0 is a network error or a client-side timeout. */
export interface Call {
  op: string;
  status: number;
  ms: number;
  /** `error.code` of a non-2xx answer, or the name of the network error. */
  code?: string;
}

export interface TrafficOptions {
  url: string;
  adminToken: string;
  /** One token per agent (group agents); workers take turns. */
  agentTokens: string[];
  record(call: Call): void;
}

interface Conversation {
  interactionId: string;
  consumerId: string | null;
  /** Provider number (send-from). */
  from: string;
  /** Customer number (send-to). */
  to: string;
}

interface KeyedSend {
  agent: number;
  key: string;
  body: Record<string, unknown>;
  messageId: string;
}

interface Answer {
  status: number;
  json: Record<string, unknown> | undefined;
}

/** Relative weights of the operations: reads dominate, as on a desk; sends and replies are about a third. */
export const operationWeights = {
  validate_phone_number: 14,
  compose_options: 12,
  send_new_number: 9,
  send_join: 12,
  send_dry_run: 5,
  send_same_key: 5,
  send_replace_virtual_agent: 2,
  send_replace_other_consumer: 1,
  inbound_reply: 12,
  list_messages: 10,
  list_interactions: 8,
  follow_events: 6,
  find_consumers: 5,
  close_interaction: 2,
} as const;
export type Operation = keyof typeof operationWeights;

const bodies = [
  "Hi, your parcel ships today.",
  "Thanks for calling: here is the link we talked about.",
  "Your appointment is confirmed for Friday at 10:00.",
  "Could you reply with your order number, please?",
  "Merci ! Nous revenons vers vous très vite 😀",
  // Two segments of GSM-7, with extension characters (they count twice).
  `Summary of your case [ref ${"x".repeat(20)}]: ${"the replacement unit was dispatched and should arrive within two working days. ".repeat(2)}`,
];
const replies = ["Thanks!", "Can it come on Friday?", "OK", "Who is this?", "Yes please", "HELP", "What time?"];

function pick<T>(list: readonly T[]): T {
  return list[Math.floor(Math.random() * list.length)]!;
}

/** A number no one used yet: 9,000 per area code, so a long run never runs out. */
function numberFrom(areaCodes: readonly number[], index: number): string {
  const area = areaCodes[Math.floor(index / 9000) % areaCodes.length]!;
  return `+1${area}555${String(1000 + (index % 9000)).padStart(4, "0")}`;
}

export class Traffic {
  readonly providers: string[] = [];
  readonly consumers: { id: string; number: string }[] = [];
  private readonly conversations: Conversation[] = [];
  /** Numbers a customer wrote to first (virtual-agent conversations) that no agent took over yet. */
  private readonly virtualAgentNumbers: Conversation[] = [];
  private readonly keyedSends: KeyedSend[] = [];
  private readonly cursors = new Map<number, string>();
  private freshNumbers = 0;
  private strangerNumbers = 0;
  private inboundIds = 0;
  private keys = 0;
  private readonly runId = Date.now().toString(36);
  /** Two answers to one Idempotency-Key that named different messages: must stay 0. */
  idempotencyMismatches: string[] = [];
  readonly weighted: Operation[];

  constructor(private readonly options: TrafficOptions) {
    this.weighted = (Object.entries(operationWeights) as [Operation, number][]).flatMap(([op, weight]) =>
      Array<Operation>(weight).fill(op),
    );
  }

  private async request(
    op: string,
    method: string,
    path: string,
    token: string | undefined,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Answer> {
    const started = performance.now();
    try {
      const response = await fetch(`${this.options.url}${path}`, {
        method,
        headers: {
          ...(token ? { authorization: `Bearer ${token}` } : {}),
          ...(body === undefined ? {} : { "content-type": "application/json" }),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        // Above the gateway's 30 s integration timeout: a hung request is reported, not waited on for ever.
        signal: AbortSignal.timeout(40_000),
      });
      const text = await response.text();
      const ms = performance.now() - started;
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(text) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      const code = response.ok ? undefined : String((json?.error as { code?: string } | undefined)?.code ?? json?.message ?? "");
      this.options.record({ op, status: response.status, ms, ...(code ? { code } : {}) });
      return { status: response.status, json };
    } catch (error) {
      const ms = performance.now() - started;
      this.options.record({ op, status: 0, ms, code: error instanceof Error ? error.name : String(error) });
      return { status: 0, json: undefined };
    }
  }

  /** Three send-from numbers and `consumers` customers with one number each; throws on any refusal. */
  async seed(consumerCount: number): Promise<void> {
    for (let i = 0; i < 3; i++) {
      const number = `+1415555010${i}`;
      const answer = await this.request("seed_provider", "POST", "/api/now/providers", this.options.adminToken, {
        number,
        name: `Support line ${i + 1}`,
      });
      if (answer.status !== 201) throw new Error(`seeding provider ${number}: ${answer.status} ${JSON.stringify(answer.json)}`);
      this.providers.push(number);
    }
    let next = 0;
    const createOne = async () => {
      for (let i = next++; i < consumerCount; i = next++) {
        const id = `cust-${this.runId}-${i}`;
        const number = `+1628555${String(i).padStart(4, "0")}`;
        // Written as people type them; the service stores E.164.
        const typed = `(628) 555-${String(i).padStart(4, "0")}`;
        const answer = await this.request("seed_consumer", "POST", "/api/now/consumers", this.options.adminToken, {
          id,
          name: `Customer ${i}`,
          location: "US",
          phoneNumbers: [typed],
        });
        if (answer.status !== 201) throw new Error(`seeding consumer ${id}: ${answer.status} ${JSON.stringify(answer.json)}`);
        this.consumers.push({ id, number });
      }
    };
    await Promise.all(Array.from({ length: 8 }, createOne));
  }

  /** One operation of the mix, for the worker `worker` (which agent it acts as follows from it). */
  async step(worker: number): Promise<void> {
    const op = pick(this.weighted);
    const agent = worker % this.options.agentTokens.length;
    await this.run(op, agent);
  }

  private agentToken(agent: number): string {
    return this.options.agentTokens[agent]!;
  }

  private async run(op: Operation, agent: number): Promise<void> {
    const token = this.agentToken(agent);
    const consumer = pick(this.consumers);
    switch (op) {
      case "validate_phone_number": {
        const local = consumer.number.slice(2);
        const variants = [
          { phoneNumber: `${local.slice(0, 3)}.${local.slice(3, 6)}.${local.slice(6)}`, consumerId: consumer.id },
          { phoneNumber: consumer.number },
          { phoneNumber: "020 7946 0958", country: "GB" },
          { phoneNumber: "415" },
        ];
        await this.request(op, "POST", "/api/now/initiate_message/validate_phone_number", token, pick(variants));
        return;
      }
      case "compose_options": {
        const ongoing = this.conversations.length && Math.random() < 0.3 ? pick(this.conversations) : undefined;
        const query =
          ongoing?.consumerId != null
            ? `consumerId=${encodeURIComponent(ongoing.consumerId)}&interactionId=${encodeURIComponent(ongoing.interactionId)}`
            : `consumerId=${encodeURIComponent(consumer.id)}`;
        await this.request(op, "GET", `/api/now/initiate_message/compose_options?${query}`, token);
        return;
      }
      case "send_new_number": {
        const to = numberFrom([415, 510, 707, 925], this.freshNumbers++);
        await this.send(op, agent, { consumerId: consumer.id, to, message: pick(bodies), from: pick(this.providers) }, true);
        return;
      }
      case "send_join": {
        const conversation = this.conversations.length ? pick(this.conversations) : undefined;
        if (!conversation?.consumerId) {
          // Nothing running yet: the consumer's own number, defaults for the rest.
          await this.send(op, agent, { consumerId: consumer.id, message: pick(bodies) }, true);
          return;
        }
        await this.send(
          op,
          agent,
          { consumerId: conversation.consumerId, to: conversation.to, from: conversation.from, message: pick(bodies) },
          true,
        );
        return;
      }
      case "send_dry_run": {
        const conversation = this.conversations.length ? pick(this.conversations) : undefined;
        const body = conversation?.consumerId
          ? { consumerId: conversation.consumerId, to: conversation.to, message: pick(bodies), dryRun: true }
          : { consumerId: consumer.id, message: pick(bodies), dryRun: true };
        await this.request(op, "POST", "/api/now/initiate_message", token, body);
        return;
      }
      case "send_same_key": {
        const earlier = this.keyedSends.length && Math.random() < 0.75 ? pick(this.keyedSends) : undefined;
        if (earlier) {
          // A desk retrying after a lost answer: same agent, key and body.
          const answer = await this.request(op, "POST", "/api/now/initiate_message", this.agentToken(earlier.agent), earlier.body, {
            "idempotency-key": earlier.key,
          });
          const replayed = messageIdOf(answer);
          if (replayed && replayed !== earlier.messageId)
            this.idempotencyMismatches.push(`key ${earlier.key}: ${earlier.messageId} then ${replayed}`);
          return;
        }
        // A double click: the same key twice at once; both answers must name one message.
        const key = `load-${this.runId}-${this.keys++}`;
        const body = { consumerId: consumer.id, message: pick(bodies) };
        const [a, b] = await Promise.all([
          this.request(op, "POST", "/api/now/initiate_message", token, body, { "idempotency-key": key }),
          this.request(op, "POST", "/api/now/initiate_message", token, body, { "idempotency-key": key }),
        ]);
        const idA = messageIdOf(a);
        const idB = messageIdOf(b);
        if (idA && idB && idA !== idB) this.idempotencyMismatches.push(`key ${key}: ${idA} vs ${idB}`);
        this.remember(a);
        return;
      }
      case "send_replace_virtual_agent": {
        const opened = this.virtualAgentNumbers.shift();
        if (!opened) {
          await this.run("inbound_reply", agent);
          return;
        }
        await this.send(op, agent, { consumerId: consumer.id, to: opened.to, from: opened.from, message: pick(bodies) }, true);
        return;
      }
      case "send_replace_other_consumer": {
        const conversation = this.conversations.length ? pick(this.conversations) : undefined;
        if (!conversation) return this.run("send_join", agent);
        const other = this.consumers.find((candidate) => candidate.id !== conversation.consumerId) ?? consumer;
        await this.send(
          op,
          agent,
          { consumerId: other.id, to: conversation.to, from: conversation.from, message: pick(bodies), confirmReassociation: true },
          true,
        );
        return;
      }
      case "inbound_reply": {
        const stranger = Math.random() < 0.15 || this.conversations.length === 0;
        const conversation = stranger ? undefined : pick(this.conversations);
        const from = conversation?.to ?? numberFrom([650, 408, 831], this.strangerNumbers++);
        const to = conversation?.from ?? pick(this.providers);
        // Now and then the carrier delivers one twice: it must be stored once.
        const inboundMessageId =
          Math.random() < 0.05 && this.inboundIds > 0 ? `in-${this.runId}-${this.inboundIds - 1}` : `in-${this.runId}-${this.inboundIds++}`;
        const answer = await this.request(op, "POST", "/local/inbound_sms", undefined, {
          originationNumber: from,
          destinationNumber: to,
          messageBody: pick(replies),
          inboundMessageId,
        });
        if (answer.json?.outcome === "opened" && typeof answer.json.interactionId === "string") {
          const opened = { interactionId: answer.json.interactionId, consumerId: null, from: to, to: from };
          this.addConversation(opened);
          if (stranger) this.virtualAgentNumbers.push(opened);
        }
        return;
      }
      case "list_messages": {
        if (this.conversations.length === 0) return this.run("list_interactions", agent);
        const conversation = pick(this.conversations);
        await this.request(op, "GET", `/api/now/interactions/${encodeURIComponent(conversation.interactionId)}/messages`, token);
        return;
      }
      case "list_interactions": {
        const query = Math.random() < 0.5 ? `consumerId=${encodeURIComponent(consumer.id)}` : "assignedTo=me&active=true";
        await this.request(op, "GET", `/api/now/interactions?${query}`, token);
        return;
      }
      case "follow_events": {
        const cursor = this.cursors.get(agent);
        const answer = await this.request(
          op,
          "GET",
          cursor ? `/api/now/events?after=${encodeURIComponent(cursor)}&waitSeconds=0` : "/api/now/events?waitSeconds=0",
          token,
        );
        if (answer.status === 200 && typeof answer.json?.cursor === "string") this.cursors.set(agent, answer.json.cursor);
        return;
      }
      case "find_consumers": {
        const typed = `(${consumer.number.slice(2, 5)}) ${consumer.number.slice(5, 8)}-${consumer.number.slice(8)}`;
        await this.request(op, "GET", `/api/now/consumers?phoneNumber=${encodeURIComponent(typed)}`, token);
        return;
      }
      case "close_interaction": {
        if (this.conversations.length === 0) return;
        const [conversation] = this.conversations.splice(Math.floor(Math.random() * this.conversations.length), 1);
        await this.request(op, "POST", `/api/now/interactions/${encodeURIComponent(conversation!.interactionId)}/close`, token);
        return;
      }
    }
  }

  /** A real send (with an Idempotency-Key when `keyed`); what it created or joined is remembered for later operations. */
  private async send(op: Operation, agent: number, body: Record<string, unknown>, keyed: boolean): Promise<void> {
    const key = keyed ? `load-${this.runId}-${this.keys++}` : undefined;
    const answer = await this.request(
      op,
      "POST",
      "/api/now/initiate_message",
      this.agentToken(agent),
      body,
      key ? { "idempotency-key": key } : {},
    );
    const messageId = messageIdOf(answer);
    if (key && messageId && (answer.status === 200 || answer.status === 201)) {
      this.keyedSends.push({ agent, key, body, messageId });
      // A bounded memory of keys is enough for retries; old ones would only be replayed.
      if (this.keyedSends.length > 2_000) this.keyedSends.shift();
    }
    this.remember(answer);
  }

  private remember(answer: Answer): void {
    if (answer.status !== 200 && answer.status !== 201) return;
    const interaction = answer.json?.interaction as { id?: string; consumerId?: string | null; from?: string; to?: string } | undefined;
    if (!interaction?.id || !interaction.from || !interaction.to) return;
    this.addConversation({
      interactionId: interaction.id,
      consumerId: interaction.consumerId ?? null,
      from: interaction.from,
      to: interaction.to,
    });
  }

  /** One entry per conversation key: the latest interaction on it replaces the earlier one. */
  private addConversation(conversation: Conversation): void {
    const known = this.conversations.findIndex((c) => c.from === conversation.from && c.to === conversation.to);
    if (known >= 0) this.conversations[known] = conversation;
    else this.conversations.push(conversation);
  }
}

function messageIdOf(answer: Answer): string | undefined {
  return (answer.json?.message as { id?: string } | undefined)?.id;
}
