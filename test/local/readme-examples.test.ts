import { execFile } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killGroup, REPO_ROOT, startServer, type RunningServer } from "../support/local-server-process";

/**
 * Every shell block of README.md and of docs/*.md, run with bash as a reader runs them, against a
 * server started as `npm start` starts it, with its defaults: the deployed send window
 * (08:00-21:00), so the walk-through must work at whatever hour this runs, and the provider cache.
 * README's blocks run first, in order, in one shell; then each page of docs/, in order of name, in a
 * shell of its own that first runs README's opening block (API, ADMIN, AGENT, NOON_TZ): a page may
 * rely on what README's "Try it" made, never on another page. Only the address changes.
 *
 * The convention: a shell block is fenced ```sh. A block that cannot run here (it needs an AWS
 * account or Docker, or it is the test suite itself) says why on its first line, `# not run: <why>`;
 * those are listed in `notRun` below, so leaving one out is a visible change to this test. A fence
 * with another shell language, no language, or an indented fence fails the test: nothing is skipped
 * unseen.
 */

interface Block {
  page: string;
  line: number;
  language: string;
  body: string;
}

const pages = [
  "README.md",
  ...readdirSync(join(REPO_ROOT, "docs"))
    .filter((name) => name.endsWith(".md"))
    .sort()
    .map((name) => `docs/${name}`),
];

/** The fences a page may use besides sh; shell commands go in sh blocks only. */
const otherLanguages = new Set(["json", "js", "ts", "mermaid", "text"]);
const notRunMarker = /^# not run: (.+)$/;

/** The blocks that do not run here, and why: adding one means adding it here. */
const notRun = [
  ["README.md", "these start the server and the tests themselves (the docs test starts the server as npm start does)"],
  ["docs/deploying.md", "needs an AWS account and its credentials (the stack's tests synthesise the same app offline)"],
  ["docs/deploying.md", "needs the AWS SAM CLI and Docker (a test checks the grep below against the synthesised template)"],
  ["docs/developing.md", "these are the checks, the test suite and the benchmarks themselves (minutes each)"],
  ["docs/operations.md", "needs an AWS account with the stack deployed"],
];

function fencedBlocks(page: string): Block[] {
  const lines = readFileSync(join(REPO_ROOT, page), "utf8").split("\n");
  const blocks: Block[] = [];
  let open: { line: number; language: string; body: string[] } | undefined;
  for (const [index, text] of lines.entries()) {
    if (/^\s+```/.test(text)) throw new Error(`${page}:${index + 1}: an indented fence; put code blocks at the start of the line`);
    if (!open) {
      const fence = /^```(.*)$/.exec(text);
      if (fence) open = { line: index + 1, language: fence[1]!.trim(), body: [] };
    } else if (text === "```") {
      blocks.push({ page, line: open.line, language: open.language, body: open.body.join("\n") });
      open = undefined;
    } else {
      open.body.push(text);
    }
  }
  if (open) throw new Error(`${page}:${open.line}: a fence is never closed`);
  return blocks;
}

const blocks = pages.flatMap(fencedBlocks);
const shellBlocks = blocks.filter((block) => block.language === "sh");
const isRun = (block: Block) => !notRunMarker.test(block.body.split("\n")[0]!);
const runBlocks = (page: string) => shellBlocks.filter((block) => block.page === page && isRun(block));

const API_LINE = "API=http://127.0.0.1:3000";

interface PageRun {
  stdout: string;
  stderr: string;
  /** Every line of the output that is a JSON value: the answers, one per line. */
  answers: any[]; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON answers of many shapes
}

let server: RunningServer | undefined;
const runs = new Map<string, PageRun | Error>();

const withServer = (script: string) => script.replace(API_LINE, `API=${server!.url}`);

async function runScript(page: string, script: string): Promise<PageRun> {
  const { stdout, stderr } = await promisify(execFile)("bash", ["-c", `set -euo pipefail\n${script}`], {
    cwd: REPO_ROOT,
    env: { ...process.env, DATA_DIR: server!.dataDir },
    timeout: 90_000,
  });
  const answers = stdout
    .split("\n")
    .filter((line) => line.startsWith("{") || line.startsWith("["))
    .map((line) => {
      try {
        return JSON.parse(line);
      } catch {
        throw new Error(`${page}: a line of output is not one JSON answer (answers run together?): ${line}`);
      }
    });
  return { stdout, stderr, answers };
}

function ran(page: string): PageRun {
  const run = runs.get(page);
  if (run === undefined) throw new Error(`${page} has no block that runs`);
  if (run instanceof Error) throw run;
  return run;
}

beforeAll(async () => {
  // npm start's own defaults, not the all-day window and uncached providers vitest gives every test.
  server = await startServer("readme", { SEND_WINDOW: "", PROVIDER_CACHE: "" });
  const opening = runBlocks("README.md")[0]!.body;
  for (const page of pages) {
    const script = runBlocks(page)
      .map((block) => block.body)
      .join("\n");
    if (script === "") continue;
    try {
      runs.set(page, await runScript(page, withServer(page === "README.md" ? script : `${opening}\n${script}`)));
    } catch (error) {
      runs.set(page, error instanceof Error ? error : new Error(String(error)));
    }
  }
}, 600_000);
afterAll(() => {
  killGroup(server);
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

describe("the command blocks of README.md and docs/", () => {
  it("are fenced sh, or in a language that is not a shell", () => {
    for (const block of blocks) {
      expect(block.language === "sh" || otherLanguages.has(block.language), `${block.page}:${block.line} fenced "${block.language}"`).toBe(
        true,
      );
    }
  });

  it("all run, except the blocks listed here, each saying why on its first line", () => {
    const skipped = shellBlocks.filter((block) => !isRun(block));
    expect(skipped.map((block) => [block.page, notRunMarker.exec(block.body.split("\n")[0]!)![1]])).toEqual(notRun);
    // A comment that only looks like the marker would skip nothing, and hide nothing: the marker is exact.
    for (const block of shellBlocks.filter(isRun)) expect(block.body, `${block.page}:${block.line}`).not.toMatch(/^#\s*not run/i);
  });

  it("begin with README's opening block, which every page's shell runs first", () => {
    const [opening] = runBlocks("README.md");
    expect(opening?.body.split("\n")[0]).toBe(API_LINE);
    for (const page of pages.filter((name) => name !== "README.md")) {
      for (const block of runBlocks(page)) expect(block.body, `${block.page}:${block.line} sets API`).not.toMatch(/^API=/m);
    }
  });
});

/** The hour on the clock of a time zone, now. */
function hourIn(timeZone: string): number {
  return Number(new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", hourCycle: "h23" }).format(new Date()));
}

describe("README.md, run as written against npm start", () => {
  it("walks through a send and a reply, at whatever hour this runs", () => {
    const { answers, stderr } = ran("README.md");
    // The token lines show what dev-token says (its errors too), and still yield the token.
    expect(stderr).toContain("token for sub=ada groups=admins");
    expect(stderr).toContain("token for sub=ann groups=agents");
    expect(answers[0]).toEqual({ status: "ok" });
    // Nothing refused: not the send window either, whatever the hour.
    expect(answers.filter((a) => a.error !== undefined)).toEqual([]);
    expect(answers).toContainEqual(expect.objectContaining({ number: "+14155550100", name: "Support line", active: true }));
    const jo = answers.find((a) => a.id === "cust-1001");
    expect(jo).toMatchObject({ phoneNumbers: ["+14155550171"], timeZone: expect.stringMatching(/^Etc\/GMT[+-]\d+$/) });
    // About noon there: 12, or 13 when the hour turned since the walk-through ran.
    expect([12, 13]).toContain(hourIn(jo.timeZone));
    expect(answers).toContainEqual({
      valid: true,
      e164: "+14155550171",
      country: "US",
      source: "consumer_location",
      type: "fixed_line_or_mobile",
    });
    expect(answers).toContainEqual(
      expect.objectContaining({
        available: true,
        consumerId: "cust-1001",
        defaultSendFrom: "+14155550100",
        sendWindow: { open: true, timeZone: jo.timeZone, timeZoneSource: "consumer" },
      }),
    );
    const sent = answers.find((a) => a.outcome === "created");
    expect(sent).toMatchObject({ interaction: { assignedTo: "ann", to: "+14155550171" }, message: { status: "queued", segments: 1 } });
    expect(answers).toContainEqual([
      expect.objectContaining({ from: "+14155550100", to: "+14155550171", body: "Hi Jo, your parcel ships today." }),
    ]);
    expect(answers).toContainEqual(expect.objectContaining({ outcome: "joined", interactionId: sent.interaction.id }));
    const messages = answers.find((a) => Array.isArray(a.items)).items;
    expect(messages.map((m: { direction: string; body: string; status: string }) => [m.direction, m.body, m.status])).toEqual([
      ["outbound", "Hi Jo, your parcel ships today.", "sent"],
      ["inbound", "Thanks! Can it come on Friday?", "received"],
    ]);
  });
});

describe("docs/, each page run as written after the README", () => {
  /** The README's first send: the conversation the pages go on with. */
  const readmeSend = () => ran("README.md").answers.find((a) => a.outcome === "created");

  it("api.md: looks things up, renames a provider and leaves it active, shows what errors look like", () => {
    const { answers } = ran("docs/api.md");
    expect(answers).toContainEqual({ items: [expect.objectContaining({ id: "cust-1001", phoneNumbers: ["+14155550171"] })] });
    expect(answers).toContainEqual(expect.objectContaining({ id: "cust-1001", name: "Jo Bloggs" }));
    expect(answers).toContainEqual({
      items: [expect.objectContaining({ phoneNumber: "+14155550171", consumerId: "cust-1001", active: true })],
    });
    expect(answers).toContainEqual({ items: [expect.objectContaining({ id: readmeSend().interaction.id, assignedTo: "ann" })] });
    const renamed = answers.filter((a) => a.name === "Support line (US)");
    expect(renamed.map((provider) => provider.active)).toEqual([false, true]);
    expect(answers).toContainEqual({
      error: { code: "VALIDATION_FAILED", message: "invalid body: phoneNumber is required (string); unknown field 'phone'" },
    });
    expect(answers).toContainEqual({ error: { code: "FORBIDDEN", message: "this route needs group admins; the token has agents" } });
    expect(answers).toContainEqual({ message: "Unauthorized" });
  });

  it("events.md: a long-poll opened before the customer's reply answers with it", () => {
    const { answers } = ran("docs/events.md");
    const conversation = readmeSend().interaction.id;
    expect(answers).toContainEqual(
      expect.objectContaining({ outcome: "injected", interaction: expect.objectContaining({ id: conversation }) }),
    );
    expect(answers).toContainEqual(expect.objectContaining({ outcome: "joined", interactionId: conversation }));
    const feed = answers.find((a) => typeof a.cursor === "string" && Array.isArray(a.items));
    expect(feed.items).toEqual([
      expect.objectContaining({
        type: "message.created",
        interactionId: conversation,
        actor: { type: "customer" },
        data: { message: expect.objectContaining({ direction: "inbound", body: "Morning, please." }) },
      }),
    ]);
    const history = answers.find((a) => Array.isArray(a.items) && a.items[0]?.type === "interaction.created");
    expect(history.items.map((event: { type: string }) => event.type)).toEqual(
      expect.arrayContaining(["interaction.created", "participant.joined", "message.created"]),
    );
    const bus = answers.find((a) => Array.isArray(a) && a[0]?.Source !== undefined);
    expect(bus).toContainEqual(expect.objectContaining({ Source: "agent-initiated-sms", DetailType: "message.created" }));
  });

  it("privacy.md: exports Robin's number, then erases it, and the bounded wait sees it completed", () => {
    const { answers, stdout } = ran("docs/privacy.md");
    const exported = answers.find((a) => a.phoneNumber === "+14155550142" && Array.isArray(a.profiles));
    expect(exported.consumers).toEqual([expect.objectContaining({ id: "cust-2002" })]);
    expect(exported.messages.map((message: { body: string }) => message.body)).toEqual(
      expect.arrayContaining(["Hi Robin, your order is ready.", "Thanks. Please delete my details."]),
    );
    const erased = answers.find((a) => typeof a.id === "string" && a.id.startsWith("era_"));
    expect(erased).toMatchObject({ status: "completed", requestedBy: "ada" });
    expect(erased.counts).toMatchObject({ profiles: 1, consumers: 1, interactions: 1, closedInteractions: 1, messages: 2 });
    expect(JSON.stringify(erased)).not.toContain("+14155550142");
    expect(stdout).not.toContain("tries; its answer");
  });

  it("send-window-and-consent.md: refuses at the customer's 3 a.m., schedules, answers within the grace; records consent", () => {
    const { answers } = ran("docs/send-window-and-consent.md");
    // Refused at the customer's 3 a.m. with the same morning's 08:00, allowed once the customer wrote.
    const refused = answers.find((a) => a.error?.code === "OUTSIDE_SEND_WINDOW");
    expect(refused?.error).toMatchObject({ timeZone: expect.stringMatching(/^Etc\/GMT[+-]\d+$/) });
    expect(refused.error.nextAllowedAt).toMatch(/^\d{4}-\d\d-\d\dT08:00:00[+-]\d\d:00$/);
    expect(Date.parse(refused.error.nextAllowedAt) - Date.now()).toBeGreaterThan(3 * 3600_000);
    // Asked to, the same send is scheduled for then; the customer's reply joins that conversation, and the answer goes at once.
    const scheduled = answers.find((a) => a.message?.status === "scheduled");
    expect(scheduled).toMatchObject({ outcome: "created", message: { body: "Your refund is on its way.", to: "+14155550199" } });
    expect(scheduled.message.scheduledFor).toBe(new Date(refused.error.nextAllowedAt).toISOString());
    expect(answers).toContainEqual(
      expect.objectContaining({
        outcome: "injected",
        interaction: expect.objectContaining({ id: scheduled.interaction.id }),
        message: expect.objectContaining({ body: "Yes: it is on its way.", status: "queued" }),
      }),
    );
    // Consent: an agent's opt-out of every number refuses the next send; an agent's opt-in is 403; the ledger shows both people's entries.
    expect(answers).toContainEqual(
      expect.objectContaining({
        entry: expect.objectContaining({ providerNumber: "*", state: "opted_out", source: "agent", actorId: "ann" }),
      }),
    );
    expect(answers).toContainEqual({ error: expect.objectContaining({ code: "RECIPIENT_OPTED_OUT" }) });
    expect(answers).toContainEqual({
      error: expect.objectContaining({ code: "FORBIDDEN", message: expect.stringContaining("administrator") }),
    });
    const consent = answers.find((a) => a.phoneNumber === "+14155550171" && Array.isArray(a.history) && !a.entry);
    expect(consent.consents).toEqual([{ providerNumber: "*", state: "opted_in", since: expect.any(String) }]);
    expect(consent.history.map((entry: { source: string; state: string }) => [entry.source, entry.state])).toEqual([
      ["agent", "opted_out"],
      ["admin", "opted_in"],
    ]);
  });

  it("sending.md: a dry run, whose the number is, an idempotent replay that sends nothing twice, pacing, the close", () => {
    const { answers } = ran("docs/sending.md");
    const first = readmeSend();
    expect(answers).toContainEqual(
      expect.objectContaining({
        dryRun: true,
        outcome: "injected",
        profile: { change: "keep" },
        message: expect.objectContaining({ encoding: "UCS-2", segments: 1 }),
      }),
    );
    expect(answers).toContainEqual(expect.objectContaining({ status: "associated_with_consumer", phoneNumber: "+14155550171" }));
    // The replay answers the first outcome, with the message as it is now: sent, and handed over once.
    const replay = answers.find((a) => a.outcome === "created");
    expect(replay).toMatchObject({ interaction: { id: first.interaction.id }, message: { id: first.message.id, status: "sent" } });
    const outbox = answers.find((a) => Array.isArray(a) && a[0]?.id?.startsWith("outbox-"));
    expect(outbox.filter((entry: { body: string }) => entry.body === "Hi Jo, your parcel ships today.")).toHaveLength(1);
    const paced = answers.filter((a) => a.number === "+14155550100");
    expect(paced).toEqual([
      expect.objectContaining({ mps: 1, validForSeconds: 600 }),
      expect.not.objectContaining({ mps: expect.anything() }),
    ]);
    expect(paced[1].validForSeconds).toBeUndefined();
    expect(answers).toContainEqual(expect.objectContaining({ id: first.interaction.id, state: "closed_complete", active: false }));
  });
});
