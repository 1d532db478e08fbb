import { copyFileSync, mkdirSync, rmSync } from "node:fs";
import { request } from "node:http";
import { join } from "node:path";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { recipientTime } from "../../console/compose-lines";
import { isLoopbackAddress, isLoopbackHost } from "../../local/console-routes";
import { chromiumPath, launchChromium } from "../support/browser";
import { killGroup, REPO_ROOT, startServer, type RunningServer } from "../support/local-server-process";

/**
 * The desk console in a real browser (the system's Chromium, headless) against `npm start`: an
 * administrator adds a provider and a customer, an agent starts a conversation with Compose SMS,
 * sees its status reach `sent` and the customer's reply arrive without reloading, moves a number
 * to another customer after confirming, sees the opt-out warning after a STOP, reads a send
 * window's refusal next to Send and schedules the message for when the window opens, and after a
 * reload sees every conversation's last message without opening it. Screenshots go to
 * test-artifacts/console/ (UPDATE_DOCS_SCREENSHOT=1 also refreshes docs/console.png).
 */
const ARTIFACTS = join(REPO_ROOT, "test-artifacts", "console");
const browserPath = chromiumPath();

let server: RunningServer | undefined;

beforeAll(async () => {
  server = await startServer("console");
}, 120_000);

afterAll(() => {
  killGroup(server);
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

/** A raw request, so the Host and Origin headers are exactly the ones given. */
function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((done, fail) => {
    const text = JSON.stringify(body);
    const outgoing = request(
      { host: "127.0.0.1", port: server!.port, path, method: "POST", headers: { "content-type": "application/json", ...headers } },
      (response) => {
        let answer = "";
        response.on("data", (chunk: Buffer) => (answer += chunk.toString()));
        response.on("end", () => done({ status: response.statusCode ?? 0, body: answer }));
      },
    );
    outgoing.on("error", fail);
    outgoing.end(text);
  });
}

async function token(sub: string, groups: string[]): Promise<string> {
  const answer = await post("/local/dev-token", { sub, groups });
  expect(answer.status).toBe(200);
  return (JSON.parse(answer.body) as { token: string }).token;
}

/** What an administrator adds through the API rather than the page (the page's own forms are tested once). */
async function administratorAdds(path: string, body: unknown): Promise<void> {
  const answer = await fetch(`${server!.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${await token("ada", ["admins"])}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(answer.status).toBe(201);
}

/** A zone where it is about 03:00 now, so an 08:00-21:00 window is closed whatever hour the test runs (as the README's night demo). */
function zoneAtThreeInTheMorning(now = new Date()): string {
  const hours = (27 - now.getUTCHours()) % 24;
  const offset = hours > 12 ? hours - 24 : hours;
  return offset >= 0 ? `Etc/GMT-${offset}` : `Etc/GMT+${-offset}`;
}

describe("the desk console's routes (npm start)", () => {
  it("serves the page with a policy that allows only this server, and the bundle built at start", async () => {
    const page = await fetch(`${server!.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'none'; script-src 'self'");
    expect(page.headers.get("content-security-policy")).toContain("connect-src 'self'");
    expect(await page.text()).toContain('<script type="module" src="/console/app.js"></script>');

    const bundle = await fetch(`${server!.url}/console/app.js`);
    expect(bundle.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    const code = await bundle.text();
    // The service's own segment rule is in the bundle; nothing is loaded from elsewhere.
    expect(code).toContain("smsLimits");
    expect(code).not.toMatch(/https?:\/\/(?!localhost|127\.0\.0\.1)[a-z]/i);
    expect((await fetch(`${server!.url}/console/console.css`)).headers.get("content-type")).toBe("text/css; charset=utf-8");
    const missing = await fetch(`${server!.url}/console/nothing.js`);
    expect(missing.status).toBe(404);
  });

  it("mints a token the API accepts, like npm run dev-token", async () => {
    const answer = await post("/local/dev-token", { sub: "ada", groups: ["admins", "admins", " "] });
    expect(answer.status).toBe(200);
    const minted = JSON.parse(answer.body) as { token: string; sub: string; groups: string[]; expiresAt: string };
    expect(minted).toMatchObject({ sub: "ada", groups: ["admins"] });
    expect(Date.parse(minted.expiresAt)).toBeGreaterThan(Date.now() + 11 * 3600_000);
    const providers = await fetch(`${server!.url}/api/now/providers`, { headers: { authorization: `Bearer ${minted.token}` } });
    expect(providers.status).toBe(200);
  });

  it("refuses a page elsewhere (another Host or Origin), an unknown group and a bad subject", async () => {
    const body = { sub: "ann", groups: ["agents"] };
    // A site that points its own name at 127.0.0.1 (DNS rebinding) sends its own Host.
    expect((await post("/local/dev-token", body, { host: "desk.example.com" })).status).toBe(403);
    expect((await post("/local/dev-token", body, { origin: "https://desk.example.com" })).status).toBe(403);
    expect((await post("/local/dev-token", body, { origin: `http://127.0.0.1:${server!.port}` })).status).toBe(200);
    const group = await post("/local/dev-token", { sub: "ann", groups: ["root"] });
    expect(group.status).toBe(400);
    expect(JSON.parse(group.body)).toMatchObject({
      error: { code: "VALIDATION_FAILED", message: expect.stringContaining('unknown group "root"') },
    });
    expect((await post("/local/dev-token", { sub: "", groups: ["agents"] })).status).toBe(400);
    expect((await post("/local/dev-token", { sub: "ann smith", groups: ["agents"] })).status).toBe(400);
    expect((await post("/local/dev-token", { sub: "ann", groups: "agents" })).status).toBe(400);
    expect((await post("/local/dev-token", "not an object", { "content-type": "text/plain" })).status).toBe(415);
  });

  it("knows a loopback caller", () => {
    expect(["127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"].every(isLoopbackAddress)).toBe(true);
    expect(["10.0.0.2", "192.168.1.5", "::ffff:10.0.0.1", "1.127.0.0"].some(isLoopbackAddress)).toBe(false);
    expect(["localhost:3000", "LOCALHOST", "127.0.0.1:3000", "[::1]:3000"].every(isLoopbackHost)).toBe(true);
    expect(["localhost.example.com", "evil.com:3000", "[::2]:3000", undefined].some(isLoopbackHost)).toBe(false);
  });
});

describe.skipIf(!browserPath)("the desk console in Chromium", () => {
  let browser: Browser;
  let page: Page;
  let started = 0;
  /** What went wrong in the page itself: a script error, or an error it logged. */
  const problems: string[] = [];

  beforeAll(async () => {
    started = performance.now();
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await launchChromium(browserPath!);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // Waits are for text and state; this bounds each one.
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    page.on("pageerror", (error) => problems.push(error.message));
    page.on("console", (message) => {
      // A refusal the page shows (the 409 of a reassociation) is logged by the browser as a failed load.
      if (message.type() === "error" && !message.text().includes("Failed to load resource")) problems.push(message.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    expect(problems).toEqual([]);
    console.log(
      `[desk console] server start ${server?.startMs} ms; Chromium and the browser tests ${Math.round(performance.now() - started)} ms`,
    );
  });

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`) });
  const message = (text: string, status?: string) =>
    page.locator(status ? `li.message[data-status="${status}"]` : "li.message", { hasText: text });

  it("an administrator adds a provider and a customer; an agent starts a conversation, sees it sent and the reply arrive", async () => {
    await page.goto(`${server!.url}/`);
    await page.getByLabel("Name", { exact: true }).fill("ada");
    await page.getByLabel("Administrator").check();
    await page.getByRole("button", { name: "Sign in", exact: true }).click();

    const provider = page.getByRole("form", { name: "Add a provider" });
    await provider.getByLabel("Number").fill("+1 415 555 0100");
    await provider.getByLabel("Name").fill("Support line");
    await provider.getByRole("button", { name: "Add provider" }).click();
    await page.getByText("Added Support line (+14155550100).").waitFor();

    const customer = page.getByRole("form", { name: "Add a customer" });
    await customer.getByLabel("Id (optional)").fill("cust-1001");
    await customer.getByLabel("Name").fill("Jo Bloggs");
    await customer.getByLabel("Country (optional)").fill("US");
    await customer.getByLabel("Phone numbers").fill("(415) 555-0171");
    await customer.getByRole("button", { name: "Add customer" }).click();
    await page.getByText("Added Jo Bloggs (cust-1001).").waitFor();
    await shot("1-administration");

    await page.getByRole("button", { name: "Sign out" }).click();
    await page.getByLabel("Name", { exact: true }).fill("ann");
    await page.getByLabel("Agent").check();
    await page.getByRole("button", { name: "Sign in", exact: true }).click();
    await page.getByText("Live", { exact: true }).waitFor();
    // Set on this document: still there at the end means nothing reloaded the page.
    await page.evaluate(() => ((globalThis as unknown as { sameDocument: boolean }).sameDocument = true));

    await page.getByLabel("Customer", { exact: true }).fill("cust-1001");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByLabel("Send from").waitFor();
    expect(await page.getByLabel("Send from").inputValue()).toBe("+14155550100");
    expect(await page.getByLabel("Send to").inputValue()).toBe("+14155550171");
    await page.getByLabel("Message", { exact: true }).fill("Hi Jo, your parcel ships today.");
    await page.getByText("GSM-7 · 31 characters · 1 segment").waitFor();
    await page.getByText("This will start a new conversation with Jo Bloggs, from +14155550100 to +14155550171.").waitFor();
    await shot("2-compose");

    await page.getByRole("button", { name: "Send SMS" }).click();
    await page.getByRole("button", { name: /Jo Bloggs/ }).waitFor();
    await message("Hi Jo, your parcel ships today.", "sent").waitFor();

    await page.getByLabel("Customer replies").fill("Thanks! Can it come on Friday?");
    await page.getByRole("button", { name: "Send as the customer" }).click();
    await message("Thanks! Can it come on Friday?", "received").waitFor();

    await page.getByLabel("Message", { exact: true }).fill("Friday works. 😀");
    await page.getByText("UCS-2 · 16 characters · 1 segment").waitFor();
    await page.getByText(/^This will join your ongoing conversation int_\w+\. 1 segment, UCS-2\.$/).waitFor();
    await shot("3-desk");
    if (process.env.UPDATE_DOCS_SCREENSHOT) copyFileSync(join(ARTIFACTS, "3-desk.png"), join(REPO_ROOT, "docs", "console.png"));

    await page.getByRole("button", { name: "Send SMS" }).click();
    await message("Friday works. 😀", "sent").waitFor();
    expect(await page.locator("li.message").count()).toBe(3);
    expect(await page.evaluate(() => (globalThis as unknown as { sameDocument?: boolean }).sameDocument)).toBe(true);
  }, 60_000);

  it("moves a number to another customer only after the agent confirms", async () => {
    // Sam is given Jo's number: registering it does not move Jo's profile; only a confirmed send does.
    await administratorAdds("/api/now/consumers", { id: "cust-2002", name: "Sam Lee", location: "US", phoneNumbers: ["+14155550171"] });

    await page.getByLabel("Customer", { exact: true }).fill("cust-2002");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByText("+14155550171 is associated with Jo Bloggs: sending will associate it with Sam Lee, once you confirm.").waitFor();
    await page.getByLabel("Message", { exact: true }).fill("Hello Sam, this is the desk.");
    await page
      .getByText(/^This will close conversation int_\w+ of another customer \((Jo Bloggs|cust-1001)\) and start a new one with Sam Lee\./)
      .waitFor();

    await page.getByRole("button", { name: "Send SMS" }).click();
    const dialog = page.getByRole("dialog", { name: "Move this number to another customer?" });
    await dialog.waitFor();
    await dialog.getByRole("button", { name: "Associate and send" }).click();
    await message("Hello Sam, this is the desk.", "sent").waitFor();
    await page.getByRole("button", { name: /Sam Lee/ }).waitFor();
    await page.getByRole("button", { name: /Jo Bloggs.*closed/ }).waitFor();
  }, 30_000);

  it("warns before writing once the customer has opted out", async () => {
    await page.getByLabel("Customer replies").fill("STOP");
    await page.getByRole("button", { name: "Send as the customer" }).click();
    await message("STOP", "received").waitFor();
    await page.getByText("+14155550171 opted out of messages from +14155550100 (replied STOP)", { exact: false }).waitFor();
    await shot("4-opted-out");
  }, 30_000);

  it("shows a send window's refusal next to Send, in sight, and schedules the message for when the window opens", async () => {
    // The test server sends at any hour (SEND_WINDOW); this number's own window still applies.
    const zone = zoneAtThreeInTheMorning();
    await administratorAdds("/api/now/providers", { number: "+1 415 555 0188", name: "Day line", sendWindow: "08:00-21:00" });
    await administratorAdds("/api/now/consumers", { id: "cust-night", name: "Nat Owl", timeZone: zone, phoneNumbers: ["+14155550199"] });

    await page.getByLabel("Customer", { exact: true }).fill("cust-night");
    await page.getByRole("button", { name: "Find" }).click();
    await page.getByText("Nat Owl (cust-night").waitFor();
    await page.getByLabel("Send from").selectOption("+14155550188");
    await page.getByLabel("Message", { exact: true }).fill("Your refund is on its way.");
    await page.getByText(`Outside the send window in the customer's time (${zone})`).waitFor();
    await page.getByText("The customer's send window is closed: Send SMS is refused, and Send when the window opens schedules").waitFor();

    const answered = page.waitForResponse((response) => response.url().endsWith("/api/now/initiate_message") && response.status() === 409);
    await page.getByRole("button", { name: "Send SMS" }).click();
    const { error } = (await (await answered).json()) as { error: { code: string; message: string; nextAllowedAt: string } };
    expect(error).toMatchObject({ code: "OUTSIDE_SEND_WINDOW", nextAllowedAt: expect.stringMatching(/T08:00:00/) });
    const refusal = page.getByRole("alert").filter({ hasText: "OUTSIDE_SEND_WINDOW" });
    await refusal.waitFor();
    expect(await refusal.locator("p").allTextContents()).toEqual([
      `${error.message} (OUTSIDE_SEND_WINDOW)`,
      `The window opens at ${recipientTime(error.nextAllowedAt, zone)}: Send when the window opens schedules it for then.`,
    ]);
    // In sight at 1280×800 as it is, nothing scrolled: the page, and the panel around it.
    const send = page.getByRole("button", { name: "Send SMS" });
    expect(await page.evaluate(() => (globalThis as unknown as { scrollY: number }).scrollY)).toBe(0);
    expect(await shownFraction(refusal)).toBeGreaterThan(0.99);
    expect(await shownFraction(send)).toBeGreaterThan(0.99);
    const [sendBox, refusalBox] = [await send.boundingBox(), await refusal.boundingBox()];
    expect(refusalBox!.y - (sendBox!.y + sendBox!.height)).toBeLessThan(40);
    await shot("5-outside-window");

    await page.getByRole("button", { name: "Send when the window opens" }).click();
    const scheduled = message("Your refund is on its way.", "scheduled");
    await scheduled.waitFor();
    await page.getByText("Scheduled (created): 1 segment, to go when the customer's send window opens.").waitFor();
    expect(await scheduled.locator(".meta").textContent()).toMatch(/^You · .+ · scheduled for .+$/);
    // Stored scheduled for the moment the transcript shows, the window's opening.
    const when = await scheduled.locator("time").last().getAttribute("datetime");
    const interactionId = await page.getByRole("button", { name: /Nat Owl/ }).getAttribute("data-conversation");
    const stored = await fetch(`${server!.url}/api/now/interactions/${interactionId}/messages`, {
      headers: { authorization: `Bearer ${await token("ann", ["agents"])}` },
    });
    const [storedMessage] = ((await stored.json()) as { items: { status: string; scheduledFor?: string }[] }).items;
    expect(storedMessage).toMatchObject({ status: "scheduled", scheduledFor: when });
    expect(new Date(when!).getTime()).toBeGreaterThan(Date.now());
    await shot("6-scheduled");
  }, 30_000);

  it("shows every conversation's last message after a reload, each read once, none opened", async () => {
    const messagesRead: string[] = [];
    const count = (request: { url(): string }) => {
      if (/\/api\/now\/interactions\/[^/]+\/messages/.test(request.url())) messagesRead.push(request.url());
    };
    page.on("request", count);
    await page.reload();
    await page.getByText("Live", { exact: true }).waitFor();
    await page.getByRole("button", { name: /^Nat Owl.*Desk: Your refund is on its way\./ }).waitFor();
    await page.getByRole("button", { name: /^Sam Lee.*Desk: You are unsubscribed/ }).waitFor();
    page.off("request", count);
    const rows = page.locator("button.conversation");
    expect(await rows.count()).toBe(2);
    expect(await rows.locator("time").count()).toBe(2);
    expect(messagesRead).toHaveLength(2);
    expect(await page.locator('button.conversation[aria-current="true"]').count()).toBe(0);
    expect(await page.locator("li.message").count()).toBe(0);
    await shot("7-reloaded");

    // Opened, the transcript comes from the conversation's events: the message is still scheduled.
    await page.getByRole("button", { name: /^Nat Owl/ }).click();
    await message("Your refund is on its way.", "scheduled").waitFor();
  }, 30_000);
});

/** The page's IntersectionObserver (this file is compiled without the DOM's types). */
type Observer = new (seen: (entries: { intersectionRatio: number }[]) => void) => { observe(target: unknown): void; disconnect(): void };

/** How much of the element is on screen (1: all of it), clipped by the viewport and every scrolled panel around it. */
function shownFraction(locator: Locator): Promise<number> {
  return locator.evaluate(
    (element) =>
      new Promise<number>((done) => {
        const { IntersectionObserver } = globalThis as unknown as { IntersectionObserver: Observer };
        const watch = new IntersectionObserver(([entry]) => {
          watch.disconnect();
          done(entry!.intersectionRatio);
        });
        watch.observe(element);
      }),
  );
}

it.runIf(!browserPath && process.env.CI)("has Chromium in CI (.ci/run installs it)", () => {
  throw new Error("no chromium on PATH: the desk console's browser test cannot run (apt-get install -y chromium, or set CHROMIUM_PATH)");
});
