/**
 * The model for test/conversations/model-based.test.ts: the spec's conversation rules
 * (docs: /work/shared/spec/agent-initiated-sms.md — "Initiating a conversation", "Inbound SMS",
 * closing) over a small world, written from the spec, not from the product code. Everything is an
 * index (consumer 0..2, provider 0..1, customer number 0..2, agent 0..2); the test maps indices to
 * each run's own ids and numbers.
 */

export interface World {
  providers: number;
  customerNumbers: number;
  agents: number;
  /** Per consumer, in creation order (oldest first): the customer numbers it lists. */
  consumerNumbers: number[][];
}

export type Handler = "agent" | "virtual_agent";

export interface ModelInteraction {
  id: string;
  provider: number;
  customer: number;
  consumer: number | null;
  handler: Handler;
  assignedTo: number | null;
  active: boolean;
  /** Agents in the live group. */
  participants: Set<number>;
  /** Messages stored in it, inbound and outbound. */
  messages: number;
}

export interface InitiateInput {
  agent: number;
  consumer: number;
  from: number;
  to: number;
  confirm: boolean;
}

export type InitiatePrediction =
  | { kind: "reassociation_required"; holder: number }
  | { kind: "created" }
  | { kind: "replaced_virtual_agent" | "replaced_other_consumer"; closes: string }
  | { kind: "injected"; joins: string };

export type InboundPrediction = { kind: "joined"; joins: string } | { kind: "opened"; consumer: number | null };

export interface InboundRecord {
  inboundMessageId: string;
  from: number;
  to: number;
  body: string;
}

export const keyOf = (provider: number, customer: number) => `${provider}|${customer}`;

export class ConversationModel {
  /** Per customer number: the consumer whose profile is active on it. */
  readonly holder: (number | undefined)[];
  /** Per customer number: how many profiles it has had (the active one and the deactivated ones). */
  readonly profiles: number[];
  /** Conversation key → the id of its active SMS interaction. */
  readonly locks = new Map<string, string>();
  readonly interactions = new Map<string, ModelInteraction>();
  /** Every interaction id seen, in order of appearance. */
  readonly ids: string[] = [];
  readonly inbound: InboundRecord[] = [];
  /** SMS handed to the transport. */
  sent = 0;

  constructor(readonly world: World) {
    // Registering a number creates its active profile when none holds it: the oldest lister holds it.
    this.holder = Array.from({ length: world.customerNumbers }, (_, number) => {
      const index = world.consumerNumbers.findIndex((numbers) => numbers.includes(number));
      return index === -1 ? undefined : index;
    });
    this.profiles = this.holder.map((consumer) => (consumer === undefined ? 0 : 1));
  }

  activeIds(): string[] {
    return this.ids.filter((id) => this.interactions.get(id)!.active);
  }

  predictInitiate(input: InitiateInput): InitiatePrediction {
    const holder = this.holder[input.to];
    if (holder !== undefined && holder !== input.consumer && !input.confirm) return { kind: "reassociation_required", holder };
    const activeId = this.locks.get(keyOf(input.from, input.to));
    if (activeId === undefined) return { kind: "created" };
    const active = this.interactions.get(activeId)!;
    if (active.consumer !== null && active.consumer !== input.consumer) return { kind: "replaced_other_consumer", closes: activeId };
    if (active.handler === "virtual_agent") return { kind: "replaced_virtual_agent", closes: activeId };
    return { kind: "injected", joins: activeId };
  }

  /** Applies an accepted send; `interactionId` is the id the service gave a new interaction. */
  applyInitiate(
    input: InitiateInput,
    prediction: Exclude<InitiatePrediction, { kind: "reassociation_required" }>,
    interactionId: string,
  ): void {
    // A send gives the number a profile for this consumer: created when none, moved when another's.
    if (this.holder[input.to] !== input.consumer) this.profiles[input.to]!++;
    this.holder[input.to] = input.consumer;
    this.sent++;
    if (prediction.kind === "injected") {
      const joined = this.interactions.get(prediction.joins)!;
      joined.participants.add(input.agent);
      joined.messages++;
      return;
    }
    if (prediction.kind !== "created") this.interactions.get(prediction.closes)!.active = false;
    this.add({
      id: interactionId,
      provider: input.from,
      customer: input.to,
      consumer: input.consumer,
      handler: "agent",
      assignedTo: input.agent,
      active: true,
      participants: new Set([input.agent]),
      messages: 1,
    });
  }

  predictInbound(from: number, to: number): InboundPrediction {
    const activeId = this.locks.get(keyOf(to, from));
    if (activeId !== undefined) return { kind: "joined", joins: activeId };
    // The active profile says who this is; else the oldest consumer who lists the number; else nobody.
    const lister = this.world.consumerNumbers.findIndex((numbers) => numbers.includes(from));
    return { kind: "opened", consumer: this.holder[from] ?? (lister === -1 ? null : lister) };
  }

  applyInbound(record: InboundRecord, prediction: InboundPrediction, interactionId: string): void {
    this.inbound.push(record);
    if (prediction.kind === "joined") {
      this.interactions.get(prediction.joins)!.messages++;
      return;
    }
    this.add({
      id: interactionId,
      provider: record.to,
      customer: record.from,
      consumer: prediction.consumer,
      handler: "virtual_agent",
      assignedTo: null,
      active: true,
      participants: new Set(),
      messages: 1,
    });
  }

  /** Closing: true when it was active (its key is now free). */
  close(id: string): boolean {
    const interaction = this.interactions.get(id)!;
    if (!interaction.active) return false;
    interaction.active = false;
    this.locks.delete(keyOf(interaction.provider, interaction.customer));
    return true;
  }

  private add(interaction: ModelInteraction): void {
    const key = keyOf(interaction.provider, interaction.customer);
    const previous = this.locks.get(key);
    if (previous !== undefined) this.interactions.get(previous)!.active = false;
    this.interactions.set(interaction.id, interaction);
    this.ids.push(interaction.id);
    this.locks.set(key, interaction.id);
  }
}
