import { ApiError, type Api } from "./api";
import {
  dryRunLine,
  encodingHint,
  noProviderWarning,
  ongoingLine,
  optedOutWarning,
  reassociationWarning,
  refusalLines,
  segmentLine,
  sendWindowWarning,
  sentLine,
  windowClosed,
  type Warning,
} from "./compose-lines";
import type { Customers } from "./customers";
import { fill, h } from "./dom";
import { ReassociationDialog } from "./reassociation-dialog";
import { SendBar } from "./send-bar";
import { timeZoneSources } from "../shared/core/model/send-window";
import type { ComposeOptions, Consumer, DryRunAnswer, InitiateAnswer, InitiateRequest, SendWindowReport } from "./wire";

/** How long typing must pause before the dry run asks the service. */
const DRY_RUN_DELAY_MS = 300;

const looksLikeNumber = (text: string) => /^[+(]?[\d\s().-]{4,}$/.test(text);

/** What is known about the chosen pair (send-from, send-to), from compose options or the last dry run. */
interface PairFacts {
  optedOut?: boolean;
  sendWindow?: SendWindowReport;
  /** Who holds the number now, when sending would move it. */
  holder?: string;
}

/**
 * Compose SMS: find the customer, pick send-from and send-to (compose options' defaults, the
 * ongoing conversation shown), write, and see before sending what the send will do (the dry
 * run), the encoding and segments, and the warnings (opt-out, send window, a number held by
 * another customer). Sending asks to confirm a reassociation when the service requires it; while
 * the customer's send window is closed, the message can be scheduled for when it opens.
 */
export class Compose {
  readonly element: HTMLElement;
  private consumer: Consumer | undefined;
  private options: ComposeOptions | undefined;
  private facts: PairFacts = {};
  private dryRunTimer: ReturnType<typeof setTimeout> | undefined;
  private dryRunAbort: AbortController | undefined;
  /** The last send tried: repeating the same request reuses its Idempotency-Key, so a retry never sends twice. */
  private attempt: { request: string; key: string } | undefined;

  private readonly query = h("input", {
    id: "customer-query",
    type: "search",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "e.g. cust-1001 or (415) 555-0171",
    "aria-describedby": "customer-query-hint",
  });
  private readonly searchError = h("p", { class: "error", role: "alert" });
  private readonly results = h("ul", { class: "results", "aria-label": "Customers found" });
  private readonly form: HTMLFormElement;
  private readonly customerLine = h("p", { class: "customer-line" });
  private readonly from = h("select", { id: "send-from", "aria-describedby": "pair-status" });
  private readonly to = h("select", { id: "send-to", "aria-describedby": "pair-status" });
  private readonly ongoing = h("div", { id: "pair-status", class: "ongoing" });
  private readonly warnings = h("ul", { class: "warnings", "aria-live": "polite" });
  private readonly text = h("textarea", { id: "message", rows: 3, "aria-describedby": "segments encoding-hint dry-run" });
  private readonly segments = h("p", { id: "segments", class: "segments" });
  private readonly hint = h("p", { id: "encoding-hint", class: "hint" });
  private readonly dryRun = h("p", { id: "dry-run", class: "dry-run", "aria-live": "polite" });
  private readonly sendBar = new SendBar("compose-form", () => void this.send(true));
  private readonly confirm = new ReassociationDialog();

  constructor(
    private readonly api: Api,
    private readonly me: string,
    private readonly customers: Customers,
    private readonly onSent: (answer: InitiateAnswer) => void,
    private readonly onOpenConversation: (id: string) => void,
  ) {
    const search = h(
      "form",
      { class: "customer-search", role: "search", onsubmit: (event) => (event.preventDefault(), void this.search()) },
      h("label", { for: "customer-query" }, "Customer"),
      h("div", { class: "row" }, this.query, h("button", { type: "submit" }, "Find")),
      h("p", { id: "customer-query-hint", class: "hint" }, "A customer id, or a phone number in any format."),
      this.searchError,
      this.results,
    );
    this.form = h(
      "form",
      { id: "compose-form", class: "compose-form", onsubmit: (event) => (event.preventDefault(), void this.send(false)) },
      this.customerLine,
      h(
        "div",
        { class: "pair" },
        h("div", {}, h("label", { for: "send-from" }, "Send from"), this.from),
        h("div", {}, h("label", { for: "send-to" }, "Send to"), this.to),
      ),
      this.ongoing,
      this.warnings,
      h("label", { for: "message" }, "Message"),
      this.text,
      this.segments,
      this.hint,
      this.dryRun,
    );
    this.form.hidden = true;
    this.sendBar.element.hidden = true;
    this.from.addEventListener("change", () => this.pairChanged());
    this.to.addEventListener("change", () => this.pairChanged());
    this.text.addEventListener("input", () => this.textChanged());
    this.element = h(
      "section",
      { class: "panel compose", "aria-labelledby": "compose-heading" },
      h("h2", { id: "compose-heading" }, "Compose SMS"),
      h("div", { class: "compose-fields" }, search, this.form),
      this.sendBar.element,
      this.confirm.element,
    );
    this.textChanged();
  }

  /** Text the agent has written and not sent. */
  hasDraft(): boolean {
    return this.text.value.trim() !== "";
  }

  consumerId(): string | undefined {
    return this.consumer?.id;
  }

  /** Opens Compose SMS for a customer; `pair` preselects send-from and send-to (a conversation's). */
  async chooseConsumer(consumerId: string, pair?: { from?: string; to?: string }): Promise<void> {
    this.searchError.textContent = "";
    try {
      const consumer = await this.customers.get(consumerId);
      if (!consumer) throw new Error(`No customer has id ${consumerId}.`);
      this.consumer = consumer;
      this.results.replaceChildren();
      await this.loadOptions(pair);
    } catch (failure) {
      this.searchError.textContent = (failure as Error).message;
    }
  }

  /** Reads compose options again (a conversation opened or closed): the ongoing line and defaults follow. */
  async refresh(): Promise<void> {
    if (this.consumer) await this.loadOptions({ from: this.from.value, to: this.to.value });
  }

  private async search(): Promise<void> {
    const text = this.query.value.trim();
    this.searchError.textContent = "";
    this.results.replaceChildren();
    if (text === "") return;
    try {
      let found: Consumer[];
      if (looksLikeNumber(text)) {
        found = (await this.api.findConsumers(text)).items;
      } else {
        try {
          found = [await this.api.getConsumer(text)];
        } catch (failure) {
          if (failure instanceof ApiError && failure.status === 404) found = [];
          else throw failure;
        }
      }
      found.forEach((consumer) => this.customers.remember(consumer));
      if (found.length === 0) {
        this.searchError.textContent = looksLikeNumber(text)
          ? `No customer lists ${text}.`
          : `No customer has id ${text}. Search by phone number, or ask an administrator to add them.`;
      } else if (found.length === 1) {
        await this.chooseConsumer(found[0]!.id);
      } else {
        fill(
          this.results,
          ...found.map((consumer) =>
            h(
              "li",
              {},
              h(
                "button",
                { type: "button", onclick: () => void this.chooseConsumer(consumer.id) },
                `${consumer.name} (${consumer.id}) · ${consumer.phoneNumbers.join(", ")}`,
              ),
            ),
          ),
        );
      }
    } catch (failure) {
      this.searchError.textContent = (failure as Error).message;
    }
  }

  private async loadOptions(pair?: { from?: string; to?: string }): Promise<void> {
    const consumer = this.consumer!;
    const options = await this.api.composeOptions(consumer.id);
    if (this.consumer?.id !== consumer.id) return;
    this.options = options;
    const chosen = (choices: string[], wanted: string | undefined, fallback: string | null) =>
      wanted && choices.includes(wanted) ? wanted : (fallback ?? choices[0] ?? "");
    fill(this.from, ...options.sendFrom.map((option) => h("option", { value: option.number }, `${option.name} · ${option.number}`)));
    this.from.value = chosen(
      options.sendFrom.map((option) => option.number),
      pair?.from,
      options.defaultSendFrom,
    );
    fill(this.to, ...options.sendTo.map((number) => h("option", { value: number }, number)));
    this.to.value = chosen(options.sendTo, pair?.to, options.defaultSendTo);
    this.from.disabled = !options.available;
    this.to.disabled = options.sendTo.length === 0;
    this.customerLine.replaceChildren(
      h("strong", {}, consumer.name),
      ` (${consumer.id}${consumer.location ? `, ${consumer.location}` : ""}${consumer.timeZone ? `, ${consumer.timeZone}` : ""})`,
    );
    this.form.hidden = false;
    this.sendBar.element.hidden = false;
    this.pairChanged();
  }

  private isDefaultPair(): boolean {
    return this.from.value === this.options?.defaultSendFrom && this.to.value === this.options?.defaultSendTo;
  }

  private pairChanged(): void {
    const options = this.options;
    this.facts = options && this.isDefaultPair() ? { optedOut: options.optedOut, sendWindow: options.sendWindow } : {};
    const consumer = this.consumer;
    if (consumer && this.to.value) {
      const to = this.to.value;
      this.api.validateProfile(consumer.id, to).then(
        (verdict) => {
          if (this.to.value !== to || this.consumer?.id !== consumer.id) return;
          if (verdict.status === "associated_with_other_consumer") {
            this.facts.holder = verdict.currentConsumer?.name ?? verdict.currentConsumer?.id ?? "another customer";
          }
          this.renderPair();
        },
        () => undefined,
      );
    }
    this.renderPair();
    this.scheduleDryRun();
  }

  private renderPair(): void {
    const options = this.options;
    const active = options?.activeInteraction;
    this.ongoing.replaceChildren();
    if (active && active.from === this.from.value && active.to === this.to.value) {
      this.ongoing.append(
        h("p", {}, ongoingLine(active, this.me)),
        h("button", { type: "button", class: "small", onclick: () => this.onOpenConversation(active.id) }, "Open it"),
      );
    }
    const warnings: Warning[] = [];
    if (options && !options.available) warnings.push(noProviderWarning);
    if (this.facts.optedOut) warnings.push(optedOutWarning(this.from.value, this.to.value));
    const window = sendWindowWarning(this.facts.sendWindow, new Date());
    if (window) warnings.push(window);
    if (this.facts.holder && this.consumer) warnings.push(reassociationWarning(this.to.value, this.facts.holder, this.consumer));
    fill(this.warnings, ...warnings.map((warning) => h("li", { class: `warning ${warning.kind}` }, warning.text)));
    this.sendBar.update(Boolean(options?.available && this.to.value), windowClosed(this.facts.sendWindow, new Date()));
  }

  private textChanged(): void {
    this.segments.textContent = segmentLine(this.text.value);
    this.hint.textContent = encodingHint(this.text.value) ?? "";
    this.sendBar.said("");
    this.scheduleDryRun();
  }

  private request(): InitiateRequest | undefined {
    if (!this.consumer || !this.from.value || !this.to.value) return undefined;
    return { consumerId: this.consumer.id, message: this.text.value, from: this.from.value, to: this.to.value };
  }

  private scheduleDryRun(): void {
    clearTimeout(this.dryRunTimer);
    this.dryRunAbort?.abort();
    if (!this.consumer || !this.options?.available) {
      this.dryRun.textContent = "";
      return;
    }
    if (!this.hasDraft()) {
      this.dryRun.textContent = "Write the message to see what sending it will do.";
      return;
    }
    this.dryRunTimer = setTimeout(() => void this.runDryRun(), DRY_RUN_DELAY_MS);
  }

  private async runDryRun(): Promise<void> {
    const request = this.request();
    const consumer = this.consumer;
    if (!request || !consumer) return;
    const abort = new AbortController();
    this.dryRunAbort = abort;
    const said = (dry: DryRunAnswer) => {
      this.facts.sendWindow = dry.sendWindow;
      this.facts.optedOut = false;
      this.dryRun.textContent = dryRunLine(dry, consumer, this.me, (id) => this.customers.known(id)?.name);
    };
    try {
      // As the later send would go: the answer says whether the window would have it scheduled.
      said(await this.api.dryRun({ ...request, scheduleIfOutsideWindow: true }, abort.signal));
    } catch (failure) {
      if (abort.signal.aborted) return;
      if (failure instanceof ApiError && failure.code === "PROFILE_REASSOCIATION_REQUIRED") {
        const holder = failure.details.currentConsumer as { id?: string; name?: string | null } | undefined;
        this.facts.holder = holder?.name ?? holder?.id ?? "another customer";
        // What the send would do once confirmed.
        try {
          said(await this.api.dryRun({ ...request, confirmReassociation: true, scheduleIfOutsideWindow: true }, abort.signal));
        } catch {
          if (!abort.signal.aborted) this.dryRun.textContent = failure.message;
        }
      } else if (failure instanceof ApiError && failure.code === "RECIPIENT_OPTED_OUT") {
        this.facts.optedOut = true;
        this.dryRun.textContent = "Sending is refused: the customer opted out of this number.";
      } else {
        this.dryRun.textContent = failure instanceof Error ? failure.message : String(failure);
      }
    }
    if (!abort.signal.aborted) this.renderPair();
  }

  private keyFor(request: InitiateRequest): string {
    const text = JSON.stringify(request);
    if (this.attempt?.request !== text) this.attempt = { request: text, key: crypto.randomUUID() };
    return this.attempt.key;
  }

  /** `later`: with scheduleIfOutsideWindow, so a closed window schedules the message instead of refusing it. */
  private async send(later: boolean): Promise<void> {
    const plain = this.request();
    if (!plain || !this.consumer) return;
    const request = later ? { ...plain, scheduleIfOutsideWindow: true } : plain;
    this.sendBar.clear();
    if (!this.hasDraft()) {
      this.sendBar.refused(["Write a message first."]);
      this.text.focus();
      return;
    }
    this.sendBar.busy();
    try {
      let answer: InitiateAnswer;
      try {
        answer = await this.api.initiate(request, this.keyFor(request));
      } catch (failure) {
        if (!(failure instanceof ApiError && failure.code === "PROFILE_REASSOCIATION_REQUIRED")) throw failure;
        const holder = failure.details.currentConsumer as { id?: string; name?: string | null } | undefined;
        const confirmed = await this.confirm.ask(request.to!, holder?.name ?? holder?.id ?? "another customer", this.consumer.name);
        if (!confirmed) {
          this.sendBar.said("Not sent: the number stays with its current customer.");
          return;
        }
        const again = { ...request, confirmReassociation: true };
        answer = await this.api.initiate(again, this.keyFor(again));
      }
      this.attempt = undefined;
      this.text.value = "";
      this.textChanged();
      this.sendBar.said(sentLine(answer));
      this.onSent(answer);
      await this.refresh();
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === "OUTSIDE_SEND_WINDOW") {
        // The refusal knows the window, even before a dry run answered.
        const { nextAllowedAt, timeZone, timeZoneSource } = failure.details;
        const known = this.facts.sendWindow;
        this.facts.sendWindow = {
          open: false,
          timeZone: typeof timeZone === "string" ? timeZone : (known?.timeZone ?? ""),
          timeZoneSource: timeZoneSources.find((source) => source === timeZoneSource) ?? known?.timeZoneSource ?? "default",
          ...(typeof nextAllowedAt === "string" ? { nextAllowedAt } : {}),
        };
      }
      this.sendBar.refused(failure instanceof ApiError ? refusalLines(failure) : [(failure as Error).message]);
    } finally {
      this.renderPair();
    }
  }
}
