import type { Customers } from "./customers";
import type { Conversation, DeskState } from "./desk-state";
import { fill, h } from "./dom";
import type { MessagePreviews } from "./message-previews";

/** "14:05" today, "Dec 2, 14:05" another day, in the agent's own time. */
function whenSaid(iso: string, now = new Date()): string {
  const at = new Date(iso);
  const time = at.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  return at.toDateString() === now.toDateString() ? time : `${at.toLocaleDateString([], { month: "short", day: "numeric" })}, ${time}`;
}

/**
 * The agent's conversations, newest activity first: each a button that opens its transcript.
 * Rebuilt on every change (a handful of rows); the focused row keeps the focus.
 */
export class ConversationList {
  readonly element: HTMLElement;
  private readonly list = h("ul", { class: "conversation-list" });
  private readonly empty = h(
    "p",
    { class: "hint" },
    "No conversation yet. Start one with Compose SMS; a customer's message to a provider number shows here too.",
  );

  constructor(
    private readonly state: DeskState,
    private readonly customers: Customers,
    private readonly previews: Pick<MessagePreviews, "pending">,
    private readonly onOpen: (id: string) => void,
  ) {
    this.element = h(
      "section",
      { class: "panel conversations", "aria-labelledby": "conversations-heading" },
      h("h2", { id: "conversations-heading" }, "Conversations"),
      this.empty,
      this.list,
    );
  }

  render(): void {
    const focused = document.activeElement instanceof HTMLElement ? document.activeElement.dataset.conversation : undefined;
    const conversations = this.state.list();
    this.empty.hidden = conversations.length > 0;
    fill(this.list, ...conversations.map((conversation) => h("li", {}, this.row(conversation))));
    if (focused) this.list.querySelector<HTMLElement>(`[data-conversation="${CSS.escape(focused)}"]`)?.focus();
  }

  private row(conversation: Conversation): HTMLElement {
    const open = this.state.openConversation === conversation.id;
    const who = this.customers.label(conversation.consumerId, conversation.to);
    const last = conversation.lastMessage;
    const preview = last
      ? `${last.direction === "inbound" ? "Customer" : "Desk"}: ${last.body ?? "(erased)"}`
      : this.previews.pending(conversation.id)
        ? "Reading the last message…"
        : "No message yet";
    return h(
      "button",
      {
        type: "button",
        class: `conversation${conversation.active ? "" : " closed"}`,
        "data-conversation": conversation.id,
        "aria-current": open ? "true" : undefined,
        onclick: () => this.onOpen(conversation.id),
      },
      h(
        "span",
        { class: "line" },
        h("span", { class: "who" }, who),
        h("span", { class: `badge handler-${conversation.handler}` }, handlerLabel(conversation, this.state.me)),
      ),
      h(
        "span",
        { class: "line" },
        h("span", { class: "number" }, `${conversation.to ?? ""}${conversation.type === "phone" ? " (call)" : ""}`),
        conversation.unread > 0 ? h("span", { class: "unread" }, `${conversation.unread} new`) : null,
      ),
      h(
        "span",
        { class: "line" },
        h("span", { class: "preview" }, preview),
        last ? h("time", { class: "when", datetime: last.at }, whenSaid(last.at)) : null,
      ),
    );
  }
}

export function handlerLabel(conversation: Pick<Conversation, "active" | "handler" | "assignedTo">, me: string): string {
  if (!conversation.active) return "closed";
  if (conversation.handler === "virtual_agent") return "virtual agent";
  if (conversation.handler === "queue") return "in the queue";
  return conversation.assignedTo === me ? "yours" : `with ${conversation.assignedTo ?? "nobody"}`;
}
