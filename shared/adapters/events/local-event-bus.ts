import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { ServiceEvent } from "../../core/model/service-event";
import type { EventBus, RefusedEntry } from "../../core/ports/event-bus";
import { entryOf } from "./eventbridge-bus";

/** What would have been put on EventBridge, as `GET /local/eventbus` lists it. */
export interface LocalBusEntry {
  EventBusName: string;
  Source: string;
  DetailType: string;
  /** The event, as a JSON string (as EventBridge takes it). */
  Detail: string;
}

/** The local bus (`npm start`): each entry appended, one JSON line, to a file under DATA_DIR. */
export class LocalEventBus implements EventBus {
  constructor(
    private readonly file: string,
    private readonly eventBusName = "local",
  ) {}

  async put(events: ServiceEvent[]): Promise<RefusedEntry[]> {
    if (events.length === 0) return [];
    await mkdir(dirname(this.file), { recursive: true });
    const lines = events.map((event) => {
      const { EventBusName, Source, DetailType, Detail } = entryOf(event, this.eventBusName);
      return `${JSON.stringify({ EventBusName, Source, DetailType, Detail } satisfies LocalBusEntry)}\n`;
    });
    await appendFile(this.file, lines.join(""));
    return [];
  }

  async list(): Promise<LocalBusEntry[]> {
    try {
      return (await readFile(this.file, "utf8"))
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as LocalBusEntry);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }
}
