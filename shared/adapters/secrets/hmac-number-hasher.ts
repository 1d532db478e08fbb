import { createHmac } from "node:crypto";
import type { NumberHasher } from "../../core/ports/number-hasher";

/**
 * HMAC-SHA256 of a number (hex) with the privacy key. The key is loaded on the first hash and
 * kept for the container's life (one Secrets Manager call per cold start at most, and none in a
 * container that never hashes); a failed load is tried again on the next hash.
 */
export class HmacNumberHasher implements NumberHasher {
  private key: Promise<Buffer> | undefined;

  constructor(private readonly loadKey: () => Promise<Buffer>) {}

  async hash(e164: string): Promise<string> {
    return createHmac("sha256", await this.loadOnce())
      .update(e164)
      .digest("hex");
  }

  /**
   * Starts loading the key now (a cold start's init) so the first hash does not wait for a
   * Secrets Manager round trip after the reads before it. A failure here is only forgotten: the
   * first hash loads again and fails the request as it would have.
   */
  prefetch(): void {
    this.loadOnce().catch(() => undefined);
  }

  private loadOnce(): Promise<Buffer> {
    this.key ??= this.loadKey().catch((error: unknown) => {
      this.key = undefined;
      throw error;
    });
    return this.key;
  }
}

/** The key material a secret or a key file holds: its text, trimmed; at least 32 characters. */
export function keyFromText(text: string, where: string): Buffer {
  const trimmed = text.trim();
  if (trimmed.length < 32) throw new Error(`the privacy key in ${where} is shorter than 32 characters`);
  return Buffer.from(trimmed, "utf8");
}
