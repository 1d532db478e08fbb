import { ApiError, type Api } from "./api";
import type { ServiceEvent } from "./wire";

/**
 * Following `GET /api/now/events`: one long-poll at a time (up to 20 s each), the cursor of each
 * answer passed to the next. A failed poll is tried again after 1, 2, 4 … up to 10 s; a cursor the
 * service no longer accepts starts again from now.
 */
export type FeedStatus = "live" | "reconnecting" | "stopped";

export const LONG_POLL_SECONDS = 20;
const MAX_BACKOFF_MS = 10_000;

export class EventFeed {
  private readonly stopper = new AbortController();
  private constructor(
    private readonly api: Api,
    private cursor: string,
  ) {}

  /** The cursor of now: events from here on. Read it before loading lists, so nothing falls between. */
  static async start(api: Api): Promise<EventFeed> {
    const { cursor } = await api.events(undefined, 0);
    return new EventFeed(api, cursor);
  }

  stop(): void {
    this.stopper.abort();
  }

  async run(onEvents: (events: ServiceEvent[]) => void, onStatus: (status: FeedStatus, detail?: string) => void): Promise<void> {
    const signal = this.stopper.signal;
    let backoffMs = 1_000;
    onStatus("live");
    while (!signal.aborted) {
      try {
        const page = await this.api.events(this.cursor, LONG_POLL_SECONDS, signal);
        this.cursor = page.cursor;
        if (backoffMs !== 1_000) onStatus("live");
        backoffMs = 1_000;
        if (page.items.length > 0) onEvents(page.items);
      } catch (error) {
        if (signal.aborted) break;
        if (error instanceof ApiError && error.status === 401) break;
        if (error instanceof ApiError && error.code === "INVALID_CURSOR") {
          this.cursor = (await this.api.events(undefined, 0).catch(() => ({ cursor: this.cursor }))).cursor;
        }
        onStatus("reconnecting", error instanceof Error ? error.message : String(error));
        await pause(backoffMs, signal);
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
      }
    }
    onStatus("stopped");
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((done) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), done()), { once: true });
  });
}
