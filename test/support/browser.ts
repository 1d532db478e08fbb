import { execFileSync } from "node:child_process";
import { chromium, type Browser } from "playwright-core";

/**
 * The browser the console's tests drive: the system's Chromium (Debian's `chromium`; CI installs
 * it, see .ci/run), never one downloaded by Playwright. CHROMIUM_PATH names another binary.
 */
export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  for (const name of ["chromium", "chromium-browser"]) {
    try {
      const found = execFileSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).trim();
      if (found) return found;
    } catch {
      // not on PATH
    }
  }
  return undefined;
}

export function launchChromium(executablePath: string): Promise<Browser> {
  // Chromium's sandbox refuses to start as root (CI and this workplace run as root).
  const asRoot = process.getuid?.() === 0;
  return chromium.launch({ executablePath, headless: true, args: asRoot ? ["--no-sandbox"] : [] });
}
