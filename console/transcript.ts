import { ApiError, type Api } from "./api";
import { handlerLabel } from "./conversation-list";
import type { Customers } from "./customers";
import type { Conversation, DeskState, TranscriptEntry } from "./desk-state";
import { fill, h } from "./dom";

const timeOf = (iso: string) => new Date(iso).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });

/** A scheduled send's time, in the agent's own time, with its day (it is often tomorrow). */
const dayAndTimeOf = (iso: string) => new Date(iso).toLocaleString([], { dateStyle: "medium", timeStyle: "short" });

const statusSaid: Record<string, string> = {
  scheduled: "scheduled",
  queued: "queued",
  sending: "sending",
  sent: "sent",
  delivered: "delivered",
  failed: "failed",
  received: "received",
};

/**
 * One conversation: its messages, oldest first, each with its status as the pipeline and the
 * receipts move it (read from the interaction's events, then kept current by the live feed), and
 * the customer's side: a box that sends a reply as the carrier would deliver it (local only).
 */
export class TranscriptView {
  readonly element: HTMLElement;
  private readonly heading = h("h2", { id: "transcript-heading" }, "Transcript");
  private readonly meta = h("p", { class: "meta" });
  private readonly actions = h("div", { class: "actions" });
  private readonly log = h("ol", { class: "messages", role: "log", "aria-labelledby": "transcript-heading" });
  private readonly placeholder = h("p", { class: "hint" }, "Open a conversation to see its messages.");
  private readonly error = h("p", { class: "error", role: "alert" });
  private readonly reply: CustomerReply;
  private readonly items = new Map<string, HTMLLIElement>();
  private shown: string | undefined;

  constructor(
    private readonly api: Api,
    private readonly state: DeskState,
    private readonly customers: Customers,
    private readonly onComposeFor: (conversation: Conversation) => void,
  ) {
    this.reply = new CustomerReply(api);
    this.element = h(
      "section",
      { class: "panel transcript", "aria-labelledby": "transcript-heading" },
      h("header", {}, this.heading, this.meta, this.actions),
      this.placeholder,
      this.log,
      this.error,
      this.reply.element,
    );
    this.render();
  }

  /** Opens a conversation: its events are read (every page) and folded into the desk's state. */
  async show(id: string): Promise<void> {
    this.shown = id;
    this.items.clear();
    this.log.replaceChildren();
    this.error.textContent = "";
    this.render();
    try {
      let after: string | undefined;
      do {
        const page = await this.api.interactionEvents(id, after);
        for (const event of page.items) this.state.apply(event);
        after = page.cursor;
      } while (after);
    } catch (failure) {
      if (this.shown === id) this.error.textContent = `Could not read the conversation: ${(failure as Error).message}`;
    }
    if (this.shown === id) this.render();
  }

  render(): void {
    const conversation = this.shown ? this.state.get(this.shown) : undefined;
    this.placeholder.hidden = conversation !== undefined;
    this.reply.showFor(conversation);
    if (!conversation) {
      this.heading.textContent = "Transcript";
      this.meta.textContent = "";
      this.actions.replaceChildren();
      return;
    }
    const name = this.customers.label(conversation.consumerId, conversation.to);
    this.heading.textContent = `${name} · ${conversation.to ?? ""}`;
    this.meta.textContent = `${conversation.id} · from ${conversation.from ?? "?"} · ${handlerLabel(conversation, this.state.me)}${
      conversation.active ? "" : ` (${conversation.closedReason ?? "closed"})`
    }`;
    fill(
      this.actions,
      conversation.consumerId
        ? h("button", { type: "button", onclick: () => this.onComposeFor(conversation) }, "Reply in Compose SMS")
        : h("span", { class: "hint" }, "Unknown number: an administrator can add it to a customer."),
      conversation.active ? h("button", { type: "button", onclick: () => void this.close(conversation.id) }, "Close conversation") : null,
    );
    this.renderEntries(this.state.transcript(conversation.id));
  }

  private renderEntries(entries: TranscriptEntry[]): void {
    const nearBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    entries.forEach((entry, index) => {
      let item = this.items.get(entry.key);
      if (!item) {
        item = h("li", {});
        this.items.set(entry.key, item);
      }
      this.update(item, entry);
      if (this.log.children[index] !== item) this.log.insertBefore(item, this.log.children[index] ?? null);
    });
    while (this.log.children.length > entries.length) this.log.lastElementChild?.remove();
    if (nearBottom) this.log.scrollTop = this.log.scrollHeight;
  }

  private update(item: HTMLLIElement, entry: TranscriptEntry): void {
    if (entry.kind === "note") {
      if (item.className !== "note") {
        item.className = "note";
        fill(item, h("span", {}, entry.text), " ", h("time", { datetime: entry.at }, timeOf(entry.at)));
      }
      return;
    }
    const { message } = entry;
    const signature = `${message.status}|${message.errorCode ?? ""}|${message.scheduledFor ?? ""}`;
    if (item.dataset.signature === signature) return;
    item.dataset.signature = signature;
    item.className = `message ${message.direction}`;
    item.dataset.messageId = message.id;
    item.dataset.status = message.status;
    const who = message.direction === "inbound" ? "Customer" : message.agentId === this.state.me ? "You" : (message.agentId ?? "Service");
    const status = `${statusSaid[message.status] ?? message.status}${message.errorCode ? ` (${message.errorCode})` : ""}`;
    // Until the window opens: when it goes (the sweep hands it over then, unless the customer opts out meanwhile).
    const goes =
      message.status === "scheduled" && message.scheduledFor
        ? [" for ", h("time", { datetime: message.scheduledFor }, dayAndTimeOf(message.scheduledFor))]
        : [];
    fill(
      item,
      h("p", { class: "body" }, message.body ?? "(erased)"),
      h(
        "p",
        { class: "meta" },
        `${who} · `,
        h("time", { datetime: message.createdAt }, timeOf(message.createdAt)),
        " · ",
        h("span", { class: `status status-${message.status}`, "aria-label": `status: ${status}` }, status),
        ...goes,
        message.status === "failed"
          ? h("button", { type: "button", class: "small", onclick: () => void this.retry(message.interactionId, message.id) }, "Retry")
          : null,
      ),
    );
  }

  private async close(id: string): Promise<void> {
    try {
      const closed = await this.api.closeInteraction(id);
      this.state.upsertInteraction(closed);
      this.render();
    } catch (failure) {
      this.error.textContent = (failure as Error).message;
    }
  }

  private async retry(interactionId: string, messageId: string): Promise<void> {
    try {
      await this.api.retryMessage(interactionId, messageId);
    } catch (failure) {
      this.error.textContent = failure instanceof ApiError ? `${failure.code}: ${failure.message}` : (failure as Error).message;
    }
  }
}

/**
 * The customer's side of the selected conversation (local only): what they type goes to
 * `POST /local/inbound_sms` as the carrier's two-way SMS, from their number to the provider number,
 * so one person can play both sides. The reply arrives in the transcript through the live feed.
 */
class CustomerReply {
  readonly element: HTMLFormElement;
  private readonly label = h("label", { for: "customer-reply" }, "Customer replies");
  private readonly text = h("textarea", { id: "customer-reply", rows: 2, required: true, "aria-describedby": "customer-reply-hint" });
  private readonly hint = h("p", { id: "customer-reply-hint", class: "hint" });
  private readonly result = h("p", { class: "result", role: "status" });
  private readonly error = h("p", { class: "error", role: "alert" });
  private conversation: Conversation | undefined;

  constructor(private readonly api: Api) {
    this.element = h(
      "form",
      {
        class: "customer-side",
        "aria-label": "The customer's side (local only)",
        onsubmit: (event) => (event.preventDefault(), void this.send()),
      },
      this.label,
      this.hint,
      this.text,
      h("button", { type: "submit" }, "Send as the customer"),
      this.result,
      this.error,
    );
    this.element.hidden = true;
  }

  showFor(conversation: Conversation | undefined): void {
    const usable = conversation?.type === "sms" && conversation.from && conversation.to ? conversation : undefined;
    if (usable?.id !== this.conversation?.id) {
      this.result.textContent = "";
      this.error.textContent = "";
    }
    this.conversation = usable;
    this.element.hidden = !usable;
    if (usable) {
      this.hint.textContent = `You play the customer: a text from ${usable.to} to ${usable.from}, as the carrier delivers it (local only). Try STOP, START or HELP too.`;
    }
  }

  private async send(): Promise<void> {
    const conversation = this.conversation;
    const body = this.text.value;
    if (!conversation?.from || !conversation.to || body.trim() === "") return;
    this.error.textContent = "";
    try {
      const answer = await this.api.customerReplies({
        originationNumber: conversation.to,
        destinationNumber: conversation.from,
        messageBody: body,
        inboundMessageId: `console-${crypto.randomUUID()}`,
      });
      this.text.value = "";
      this.result.textContent = `The carrier delivered it (${answer.outcome}); it shows in the transcript in a moment.`;
    } catch (failure) {
      this.error.textContent = (failure as Error).message;
    }
  }
}
