import { appendFile, mkdir, readFile } from "node:fs/promises";
import { dirname } from "node:path";
import type { OutboundSms, SmsTransport } from "../../core/ports/sms-transport";

export interface OutboxEntry {
  id: string;
  from: string;
  to: string;
  body: string;
  sentAt: string;
}

/**
 * The local transport: every SMS handed over is appended, one JSON line each, to a file (under
 * DATA_DIR when the local server runs), so `GET /local/outbox` and the tests can read what was sent.
 */
export class OutboxTransport implements SmsTransport {
  readonly name = "outbox";

  constructor(
    private readonly file: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(sms: OutboundSms): Promise<{ providerMessageId: string }> {
    const entry: OutboxEntry = {
      id: `outbox-${sms.messageId}`,
      from: sms.from,
      to: sms.to,
      body: sms.body,
      sentAt: this.now().toISOString(),
    };
    await mkdir(dirname(this.file), { recursive: true });
    await appendFile(this.file, `${JSON.stringify(entry)}\n`);
    return { providerMessageId: entry.id };
  }

  async list(): Promise<OutboxEntry[]> {
    try {
      const text = await readFile(this.file, "utf8");
      return text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as OutboxEntry);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    }
  }
}
