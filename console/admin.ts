import { ApiError, type Api } from "./api";
import { fill, h, uniqueId } from "./dom";
import type { Consumer, OutboxEntry, Provider, ServiceEvent } from "./wire";

/** How many of the latest events the log keeps on screen. */
const EVENT_LOG_SIZE = 40;

const said = (failure: unknown) =>
  failure instanceof ApiError ? `${failure.message} (${failure.code})` : String((failure as Error).message);

/** A labelled input; `hint` becomes its description. */
function field(label: string, input: HTMLInputElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  input.id ||= uniqueId("field");
  const hintId = hint ? `${input.id}-hint` : undefined;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: input.id }, label),
    input,
    hint ? h("p", { id: hintId, class: "hint" }, hint) : null,
  );
}

/**
 * The administrator's view: add the send-from numbers (providers) and the customers (consumers),
 * switch a provider off and on, and see what the local transport was handed (the outbox) and what
 * happened (every event, as administrators see the feed).
 */
export class Admin {
  readonly element: HTMLElement;
  private readonly providers = h("tbody");
  private readonly consumers = h("ul", { class: "added" });
  private readonly outbox = h("tbody");
  private readonly events = h("ul", { class: "event-log", "aria-label": "Latest events, newest first" });
  private outboxReading: Promise<void> | undefined;

  constructor(private readonly api: Api) {
    this.element = h(
      "div",
      { class: "admin" },
      this.providerSection(),
      this.consumerSection(),
      h(
        "section",
        { class: "panel outbox", "aria-labelledby": "outbox-heading" },
        h("h2", { id: "outbox-heading" }, "Outbox (local SMS transport)"),
        h("button", { type: "button", onclick: () => void this.readOutbox() }, "Refresh"),
        h(
          "table",
          {},
          h("caption", { class: "hint" }, "What the SMS pipeline handed over, newest first."),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", { scope: "col" }, "Sent at"),
              h("th", { scope: "col" }, "From"),
              h("th", { scope: "col" }, "To"),
              h("th", { scope: "col" }, "Body"),
            ),
          ),
          this.outbox,
        ),
      ),
      h(
        "section",
        { class: "panel events", "aria-labelledby": "events-heading" },
        h("h2", { id: "events-heading" }, "Events (live)"),
        this.events,
      ),
    );
  }

  async load(): Promise<void> {
    await Promise.all([this.readProviders(), this.readOutbox()]);
  }

  onEvents(events: ServiceEvent[]): void {
    for (const event of events) {
      this.events.prepend(
        h(
          "li",
          {},
          h("time", { datetime: event.occurredAt }, new Date(event.occurredAt).toLocaleTimeString()),
          " ",
          h("strong", {}, event.type),
          ` ${event.interactionId ?? ""} · ${event.actor.type}${event.actor.id ? ` ${event.actor.id}` : ""}${
            event.type === "message.status_changed" ? ` · ${String(event.data.status)}` : ""
          }`,
        ),
      );
    }
    while (this.events.children.length > EVENT_LOG_SIZE) this.events.lastElementChild?.remove();
    if (events.some((event) => event.type === "message.status_changed" && event.data.status === "sent")) void this.readOutbox();
  }

  private providerSection(): HTMLElement {
    const number = h("input", { name: "number", required: true, autocomplete: "off", placeholder: "e.g. +1 415 555 0100" });
    const name = h("input", { name: "name", required: true, autocomplete: "off", placeholder: "e.g. Support line" });
    const window = h("input", {
      name: "sendWindow",
      autocomplete: "off",
      placeholder: "e.g. 08:00-21:00",
      pattern: "\\d{2}:\\d{2}-\\d{2}:\\d{2}",
    });
    const status = h("p", { class: "result", role: "status" });
    const error = h("p", { class: "error", role: "alert" });
    const form = h(
      "form",
      {
        "aria-label": "Add a provider",
        onsubmit: async (event) => {
          event.preventDefault();
          error.textContent = status.textContent = "";
          try {
            const provider = await this.api.createProvider({
              number: number.value.trim(),
              name: name.value.trim(),
              ...(window.value.trim() ? { sendWindow: window.value.trim() } : {}),
            });
            status.textContent = `Added ${provider.name} (${provider.number}).`;
            form.reset();
            number.focus();
            await this.readProviders();
          } catch (failure) {
            error.textContent = said(failure);
          }
        },
      },
      field("Number", number, "As people write it; stored in E.164."),
      field("Name", name),
      field("Send window (optional)", window, "HH:MM-HH:MM in the customer's time; empty: the service's SEND_WINDOW."),
      h("button", { type: "submit", class: "primary" }, "Add provider"),
      status,
      error,
    );
    return h(
      "section",
      { class: "panel providers", "aria-labelledby": "providers-heading" },
      h("h2", { id: "providers-heading" }, "Providers (send-from numbers)"),
      form,
      h(
        "table",
        {},
        h(
          "thead",
          {},
          h(
            "tr",
            {},
            h("th", { scope: "col" }, "Name"),
            h("th", { scope: "col" }, "Number"),
            h("th", { scope: "col" }, "Window"),
            h("th", { scope: "col" }, "Active"),
          ),
        ),
        this.providers,
      ),
    );
  }

  private consumerSection(): HTMLElement {
    const id = h("input", { name: "id", autocomplete: "off", placeholder: "e.g. cust-1001" });
    const name = h("input", { name: "name", required: true, autocomplete: "off", placeholder: "e.g. Jo Bloggs" });
    const location = h("input", { name: "location", autocomplete: "off", placeholder: "e.g. US", maxlength: 2, pattern: "[A-Za-z]{2}" });
    const timeZone = h("input", { name: "timeZone", autocomplete: "off", placeholder: "e.g. America/Chicago" });
    const numbers = h("textarea", { name: "phoneNumbers", rows: 2, placeholder: "e.g. (415) 555-0171" });
    const status = h("p", { class: "result", role: "status" });
    const error = h("p", { class: "error", role: "alert" });
    const form = h(
      "form",
      {
        "aria-label": "Add a customer",
        onsubmit: async (event) => {
          event.preventDefault();
          error.textContent = status.textContent = "";
          const phoneNumbers = numbers.value
            .split(/[\n,;]/)
            .map((number) => number.trim())
            .filter((number) => number !== "");
          try {
            const consumer = await this.api.createConsumer({
              ...(id.value.trim() ? { id: id.value.trim() } : {}),
              name: name.value.trim(),
              ...(location.value.trim() ? { location: location.value.trim().toUpperCase() } : {}),
              ...(timeZone.value.trim() ? { timeZone: timeZone.value.trim() } : {}),
              phoneNumbers,
            });
            status.textContent = `Added ${consumer.name} (${consumer.id}).`;
            this.consumers.prepend(this.consumerRow(consumer));
            form.reset();
            id.focus();
          } catch (failure) {
            error.textContent = said(failure);
          }
        },
      },
      field("Id (optional)", id, "Letters, digits, '_', '.', ':' or '-'; empty: the service makes one."),
      field("Name", name),
      field("Country (optional)", location, "ISO code such as US or GB: how national numbers are read."),
      field("Time zone (optional)", timeZone, "IANA name: whose hours the send window is read in."),
      field("Phone numbers", numbers, "One a line, any format."),
      h("button", { type: "submit", class: "primary" }, "Add customer"),
      status,
      error,
    );
    return h(
      "section",
      { class: "panel consumers", "aria-labelledby": "consumers-heading" },
      h("h2", { id: "consumers-heading" }, "Customers (consumers)"),
      form,
      h("h3", {}, "Added in this session"),
      this.consumers,
    );
  }

  private consumerRow(consumer: Consumer): HTMLElement {
    return h("li", {}, h("strong", {}, consumer.name), ` (${consumer.id}) · ${consumer.phoneNumbers.join(", ") || "no number"}`);
  }

  private async readProviders(): Promise<void> {
    const { items } = await this.api.listProviders();
    fill(this.providers, ...items.map((provider) => this.providerRow(provider)));
  }

  private providerRow(provider: Provider): HTMLElement {
    const toggle = h(
      "button",
      {
        type: "button",
        class: "small",
        "aria-label": `${provider.active ? "Deactivate" : "Activate"} ${provider.name}`,
        onclick: async () => {
          try {
            await this.api.updateProvider(provider.id, { active: !provider.active });
          } finally {
            await this.readProviders();
          }
        },
      },
      provider.active ? "Deactivate" : "Activate",
    );
    return h(
      "tr",
      {},
      h("td", {}, provider.name),
      h("td", {}, provider.number),
      h("td", {}, provider.sendWindow ?? "service's"),
      h("td", {}, provider.active ? "yes " : "no ", toggle),
    );
  }

  private readOutbox(): Promise<void> {
    this.outboxReading ??= this.api
      .outbox()
      .then((entries: OutboxEntry[]) => {
        fill(
          this.outbox,
          ...entries
            .slice()
            .reverse()
            .map((entry) =>
              h(
                "tr",
                {},
                h("td", {}, new Date(entry.sentAt).toLocaleTimeString()),
                h("td", {}, entry.from),
                h("td", {}, entry.to),
                h("td", {}, entry.body),
              ),
            ),
        );
      })
      .catch(() => undefined)
      .finally(() => (this.outboxReading = undefined));
    return this.outboxReading;
  }
}
