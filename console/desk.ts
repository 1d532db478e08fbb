import type { Api } from "./api";
import { Compose } from "./compose";
import { ConversationList } from "./conversation-list";
import { Customers } from "./customers";
import { DeskState, type Conversation } from "./desk-state";
import { h } from "./dom";
import { MessagePreviews } from "./message-previews";
import { TranscriptView } from "./transcript";
import type { InitiateAnswer, ServiceEvent } from "./wire";

/**
 * The agent's desk: conversations, the open transcript, Compose SMS. Everything on it moves with
 * the events feed; the desk reads an interaction itself only when an event names one it has no
 * record of (or one the agent just joined), and a conversation's messages once, for its row's
 * preview, when it learns of the conversation other than by its first message.
 */
export class Desk {
  readonly element: HTMLElement;
  private readonly state: DeskState;
  private readonly customers: Customers;
  private readonly list: ConversationList;
  private readonly transcript: TranscriptView;
  private readonly compose: Compose;
  private readonly previews: MessagePreviews;

  constructor(
    private readonly api: Api,
    me: string,
    private readonly announce: (text: string) => void,
  ) {
    this.state = new DeskState(me);
    this.customers = new Customers(api, () => this.render());
    this.previews = new MessagePreviews(api, this.state, () => this.list.render());
    this.list = new ConversationList(this.state, this.customers, this.previews, (id) => void this.open(id));
    this.transcript = new TranscriptView(api, this.state, this.customers, (conversation) => this.composeFor(conversation));
    this.compose = new Compose(
      api,
      me,
      this.customers,
      (answer) => this.sent(answer),
      (id) => void this.open(id),
    );
    this.element = h("div", { class: "desk" }, this.list.element, this.transcript.element, this.compose.element);
  }

  /** The agent's active conversations, as they are now, with their last messages (the feed keeps them current from here on). */
  async load(): Promise<void> {
    const page = await this.api.myActiveInteractions();
    for (const interaction of page.items) this.state.upsertInteraction(interaction);
    this.previews.want(page.items.map((interaction) => interaction.id));
    this.render();
  }

  onEvents(events: ServiceEvent[]): void {
    const toRead = new Set<string>();
    let conversationsMoved = false;
    for (const event of events) {
      const before = event.interactionId ? this.state.get(event.interactionId) : undefined;
      const applied = this.state.apply(event);
      if (applied.fetchInteraction) toRead.add(applied.fetchInteraction);
      // What compose options say (the ongoing conversation, the opt-out) may have changed.
      if (["interaction.created", "interaction.closed", "consent.changed", "profile.reassociated"].includes(event.type))
        conversationsMoved = true;
      if (event.type === "message.created" && event.actor.type === "customer" && event.interactionId !== this.state.openConversation) {
        const who = this.customers.label(before?.consumerId, before?.to ?? (event.data.message as { from?: string } | undefined)?.from);
        this.announce(`New message from ${who}`);
      }
    }
    for (const id of toRead) void this.read(id);
    if (conversationsMoved) void this.compose.refresh();
    this.render();
  }

  private async read(id: string): Promise<void> {
    try {
      this.state.upsertInteraction(await this.api.getInteraction(id));
      // Met through an event about it: what came before that is read for its row.
      this.previews.want([id]);
      this.render();
    } catch {
      // Gone, or not readable now: the next event about it tries again.
    }
  }

  private render(): void {
    this.list.render();
    this.transcript.render();
  }

  private async open(id: string): Promise<void> {
    this.state.open(id);
    this.list.render();
    const conversation = this.state.get(id);
    if (conversation && !this.compose.hasDraft() && conversation.consumerId && conversation.active) this.composeFor(conversation);
    await this.transcript.show(id);
    this.list.render();
  }

  private composeFor(conversation: Conversation): void {
    if (!conversation.consumerId) return;
    void this.compose.chooseConsumer(conversation.consumerId, {
      ...(conversation.from ? { from: conversation.from } : {}),
      ...(conversation.to ? { to: conversation.to } : {}),
    });
  }

  private sent(answer: InitiateAnswer): void {
    this.state.upsertInteraction(answer.interaction);
    this.state.upsertMessage(answer.message);
    void this.open(answer.interaction.id);
  }
}
