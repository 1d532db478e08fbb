import type { Api } from "./api";
import type { DeskState } from "./desk-state";
import type { Message } from "./wire";

/** Reads at the same time: a desk of 50 conversations does not fire 50 requests at once. */
const CONCURRENT_READS = 4;

/**
 * The last message of each listed conversation, for its row, read once when the desk learns of a
 * conversation without one. The list answer carries no message, and the live feed only brings
 * what happens from now on, so each conversation's messages are read (oldest first, 100 a page:
 * one request unless it has more than 100) and the newest becomes the preview.
 */
export class MessagePreviews {
  private readonly wanted: string[] = [];
  private readonly reading = new Set<string>();
  /** Read, or being read: never asked again (the feed keeps the preview current from here on). */
  private readonly asked = new Set<string>();

  constructor(
    private readonly api: Pick<Api, "interactionMessages">,
    private readonly state: DeskState,
    private readonly onRead: () => void,
  ) {}

  /** Reads the previews the desk lacks, `CONCURRENT_READS` at a time. */
  want(ids: Iterable<string>): void {
    for (const id of ids) {
      if (this.asked.has(id) || this.state.get(id)?.lastMessage) continue;
      this.asked.add(id);
      this.wanted.push(id);
    }
    while (this.reading.size < CONCURRENT_READS && this.wanted.length > 0) void this.read(this.wanted.shift()!);
  }

  /** Asked and not answered yet: the row says so rather than "No message yet". */
  pending(id: string): boolean {
    return this.asked.has(id) && (this.reading.has(id) || this.wanted.includes(id));
  }

  private async read(id: string): Promise<void> {
    this.reading.add(id);
    try {
      let after: string | undefined;
      let newest: Message | undefined;
      do {
        const page = await this.api.interactionMessages(id, after);
        // A full page may come with a cursor to an empty one.
        newest = page.items.at(-1) ?? newest;
        after = page.cursor;
      } while (after);
      if (newest) this.state.preview(newest);
    } catch {
      // Not readable now: a later want() (the desk reads the conversation again) asks again.
      this.asked.delete(id);
    } finally {
      this.reading.delete(id);
      this.onRead();
      this.want([]);
    }
  }
}
