import { vi } from "vitest";

/**
 * Captures what the Powertools logger writes (it prints through its own Console on stdout and
 * stderr), one entry per line; restore with vi.restoreAllMocks().
 */
export function captureLogs(): string[] {
  const lines: string[] = [];
  const capture = (chunk: unknown) => {
    lines.push(...String(chunk).split("\n").filter(Boolean));
    return true;
  };
  vi.spyOn(process.stdout, "write").mockImplementation(capture);
  vi.spyOn(process.stderr, "write").mockImplementation(capture);
  return lines;
}
