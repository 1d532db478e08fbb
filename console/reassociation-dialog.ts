import { h } from "./dom";

/** "Move this number?": the service refused the send until the agent confirms the number changes customer. */
export class ReassociationDialog {
  readonly element: HTMLDialogElement;
  private readonly text = h("p", { id: "reassociate-text" });
  private answer: ((confirmed: boolean) => void) | undefined;

  constructor() {
    const cancel = h("button", { type: "button", autofocus: true, onclick: () => this.element.close("cancel") }, "Cancel");
    const go = h("button", { type: "button", class: "primary", onclick: () => this.element.close("confirm") }, "Associate and send");
    this.element = h(
      "dialog",
      { class: "confirm", "aria-labelledby": "reassociate-heading", "aria-describedby": "reassociate-text" },
      h("h2", { id: "reassociate-heading" }, "Move this number to another customer?"),
      this.text,
      h("div", { class: "actions" }, cancel, go),
    );
    this.element.addEventListener("close", () => {
      this.answer?.(this.element.returnValue === "confirm");
      this.answer = undefined;
    });
  }

  ask(number: string, holder: string, consumer: string): Promise<boolean> {
    this.text.textContent = `${number} is currently associated with ${holder}. Sending will associate it with ${consumer}: the old link is kept as history, and a conversation running with ${holder} on this number is closed.`;
    this.element.returnValue = "";
    this.element.showModal();
    return new Promise((done) => (this.answer = done));
  }
}
