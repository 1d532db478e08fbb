import type { Api } from "./api";
import type { Consumer } from "./wire";

/**
 * The customers (consumers) the desk has met, read once each: conversations carry only a
 * consumer id, the list and the transcript show the name.
 */
export class Customers {
  private readonly loaded = new Map<string, Consumer>();
  private readonly pending = new Map<string, Promise<Consumer | undefined>>();

  constructor(
    private readonly api: Api,
    private readonly onLoaded: () => void,
  ) {}

  /** The customer if already read; otherwise starts reading it and answers undefined for now. */
  known(id: string | null | undefined): Consumer | undefined {
    if (!id) return undefined;
    const consumer = this.loaded.get(id);
    if (!consumer) void this.get(id);
    return consumer;
  }

  get(id: string): Promise<Consumer | undefined> {
    let reading = this.pending.get(id);
    if (!reading) {
      reading = this.api.getConsumer(id).then(
        (consumer) => {
          this.remember(consumer);
          this.onLoaded();
          return consumer;
        },
        () => undefined,
      );
      this.pending.set(id, reading);
    }
    return reading;
  }

  remember(consumer: Consumer): void {
    this.loaded.set(consumer.id, consumer);
    this.pending.set(consumer.id, Promise.resolve(consumer));
  }

  /** "Jo Bloggs", else the id, else the number. */
  label(id: string | null | undefined, number?: string): string {
    return this.known(id)?.name ?? id ?? number ?? "unknown customer";
  }
}
