import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { App, CfnResource } from "aws-cdk-lib";
import { Alarm } from "aws-cdk-lib/aws-cloudwatch";
import { describe, expect, it } from "vitest";
import { stackFromContext } from "../../infra/stack";
import { projectRoot } from "../../infra/stack-config";
import { constructIdOf } from "../../infra/table-functions";
import { benchSection, benchSectionEnd, benchSectionStart, type BenchResults } from "../../scripts/bench-report";
import { routeList } from "../../shared/adapters/http/routes";

/**
 * The pages of docs/ against what they describe: the API reference against the route table, the
 * runbook against the alarms the stack synthesises, the performance figures against
 * bench/results.json, and every link between the pages. (Their shell blocks run in
 * test/local/readme-examples.test.ts.)
 */

const read = (path: string) => readFileSync(join(projectRoot, path), "utf8");
const pages = [
  "README.md",
  ...readdirSync(join(projectRoot, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`),
];

/** A page's lines outside fenced code blocks (a `#` comment in a shell block is no heading). */
function prose(text: string): string[] {
  let fenced = false;
  return text.split("\n").filter((line) => {
    if (line.startsWith("```")) fenced = !fenced;
    return !fenced && !line.startsWith("```");
  });
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens. */
function anchorOf(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

describe("docs/api.md", () => {
  it("lists every route of the route table once, with the groups it needs, and no other", () => {
    const rows = prose(read("docs/api.md")).filter((line) => /^\| `(GET|POST|PATCH) /.test(line));
    const documented = rows.map((row) => {
      const [, method, path] = /^\| `(\S+) ([^`?\s]+)/.exec(row)!;
      const groups = row
        .split(" | ")[1]!
        .split(",")
        .map((group) => group.trim());
      return `${method} ${path} ${[...groups].sort().join(",")}`;
    });
    expect(documented.sort()).toEqual(
      routeList.map((route) => `${route.method} ${route.path} ${[...route.groups].sort().join(",")}`).sort(),
    );
  });
});

describe("docs/operations.md, the runbook", () => {
  /**
   * The alarms of the stack as `cdk synth` builds it (cdk.json's context): every CloudFormation
   * resource of type AWS::CloudWatch::Alarm in its construct tree, which is what the template holds
   * (read from the tree, not the template: synthesising takes 10-20 s and adds nothing here).
   */
  function alarmsOf(context: Record<string, string>) {
    const cdkJson = JSON.parse(read("cdk.json")) as { context: Record<string, unknown> };
    const stack = stackFromContext(new App({ context: { ...cdkJson.context, ...context, "aws:cdk:bundling-stacks": [] } }));
    const alarms = stack.node
      .findAll()
      .filter((construct) => CfnResource.isCfnResource(construct) && construct.cfnResourceType === "AWS::CloudWatch::Alarm")
      // An Alarm construct's resource goes by the Alarm's id.
      .map((resource) => (resource.node.scope instanceof Alarm ? resource.node.scope : resource));
    const functionIds = new Set([...stack.functions.keys()].map(constructIdOf));
    // The name a runbook section goes by: one section for every function's Errors, one for their Throttles.
    const names = alarms.map((alarm) => {
      const parent = alarm.node.scope!.node.id;
      const perFunction = /^(.+)(Errors|Throttles)$/.exec(alarm.node.id);
      if (parent !== "Operations") return `${parent}/${alarm.node.id}`;
      return perFunction && functionIds.has(perFunction[1]!) ? `<Function>${perFunction[2]}` : alarm.node.id;
    });
    return { count: alarms.length, names: new Set(names) };
  }

  const runbook = read("docs/operations.md");
  const sections = prose(runbook)
    .map((line) => /^### `([^`]+)`$/.exec(line)?.[1])
    .filter((name) => name !== undefined);

  it("has a section for every alarm the stack creates, with either transport, and none for an alarm it does not", () => {
    const sns = alarmsOf({});
    const endUserMessaging = alarmsOf({ smsTransport: "end-user-messaging" });
    expect(new Set(sections).size).toBe(sections.length);
    expect([...sections].sort()).toEqual([...new Set([...sns.names, ...endUserMessaging.names])].sort());
    // The counts it states.
    expect(/ = (\d+) alarms/.exec(runbook)?.[1]).toBe(String(sns.count));
    expect(/\((\d+) more\)/.exec(runbook)?.[1]).toBe(String(endUserMessaging.count - sns.count));
  }, 60_000);
});

describe("docs/performance.md", () => {
  it("shows the figures of bench/results.json, as npm run bench writes them", () => {
    const page = read("docs/performance.md");
    const section = page.slice(page.indexOf(benchSectionStart), page.indexOf(benchSectionEnd) + benchSectionEnd.length);
    const results = JSON.parse(read("bench/results.json")) as BenchResults;
    expect(section).toBe(benchSection(results));
  });
});

describe("README.md and docs/", () => {
  it("README.md stays a front door: at most 200 lines", () => {
    expect(read("README.md").split("\n").length).toBeLessThanOrEqual(200);
  });

  it("link only to files that exist, and to headings those pages have", () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const line of prose(read(page))) {
        for (const [, target] of line.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z]+:/.test(target!)) continue;
          const [file, anchor] = target!.split("#");
          const path = file === "" ? page : relative(projectRoot, join(projectRoot, dirname(page), file!));
          if (!existsSync(join(projectRoot, path))) {
            broken.push(`${page}: ${target} (no ${path})`);
            continue;
          }
          if (anchor === undefined) continue;
          const headings = prose(read(path))
            .map((heading) => /^#+ (.+)$/.exec(heading)?.[1])
            .filter((heading) => heading !== undefined)
            .map(anchorOf);
          if (!headings.includes(anchor)) broken.push(`${page}: ${target} (no heading #${anchor} in ${path})`);
        }
      }
    }
    expect(broken).toEqual([]);
  });
});
