import { SEND_LATER } from "./compose-lines";
import { fill, h } from "./dom";

/**
 * The foot of Compose SMS, below the part that scrolls, so it stays in sight however long the
 * warnings above grow: Send SMS (the form's submit button), "Send when the window opens" while
 * the customer's window is closed, and next to them what came of the last send: its result, or
 * the service's refusal, read out at once.
 */
export class SendBar {
  readonly element: HTMLElement;
  private readonly send: HTMLButtonElement;
  private readonly later: HTMLButtonElement;
  private readonly result = h("p", { class: "result", role: "status" });
  private readonly refusal = h("div", { class: "refusal", role: "alert" });

  constructor(formId: string, onSendLater: () => void) {
    this.send = h("button", { type: "submit", form: formId, class: "primary" }, "Send SMS");
    this.later = h("button", { type: "button", class: "small", onclick: onSendLater }, SEND_LATER);
    this.element = h("div", { class: "send-bar" }, h("div", { class: "actions" }, this.send, this.later), this.result, this.refusal);
    this.later.hidden = true;
  }

  /** `canSend`: a provider and a recipient; `windowClosed`: a send now is refused, so offer to send later. */
  update(canSend: boolean, windowClosed: boolean): void {
    this.send.disabled = !canSend;
    this.later.disabled = !canSend;
    this.later.hidden = !windowClosed;
  }

  busy(): void {
    this.send.disabled = true;
    this.later.disabled = true;
  }

  said(text: string): void {
    this.result.textContent = text;
  }

  refused(lines: string[]): void {
    fill(this.refusal, ...lines.map((line) => h("p", { class: "error" }, line)));
  }

  clear(): void {
    this.result.textContent = "";
    this.refusal.replaceChildren();
  }
}
