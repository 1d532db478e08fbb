import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { trimSourceMap } from "../../infra/trim-source-map.mjs";

const projectRoot = resolve(import.meta.dirname, "../..");

describe("trimSourceMap (the stack runs it on every function's map)", () => {
  let dir: string;
  let bundle: string;
  let fullMap: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "trim-map-"));
    const entry = join(dir, "entry.ts");
    // Line 5 throws, after a call into a package, so the bundle holds both kinds of mapping.
    writeFileSync(
      entry,
      [
        'import { parsePhoneNumberFromString } from "libphonenumber-js/max";',
        "export function handler(): string {",
        '  const parsed = parsePhoneNumberFromString("+14155550171");',
        "  if (parsed?.isValid()) {",
        '    throw new Error("thrown from our code");',
        "  }",
        '  return "unreachable";',
        "}",
        "handler();",
      ].join("\n"),
    );
    bundle = join(dir, "index.mjs");
    await build({
      entryPoints: [entry],
      outfile: bundle,
      bundle: true,
      platform: "node",
      format: "esm",
      minify: true,
      sourcemap: true,
      sourcesContent: false,
      nodePaths: [join(projectRoot, "node_modules")],
      logLevel: "silent",
    });
    fullMap = readFileSync(`${bundle}.map`, "utf8");
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("drops the packages' sources and mappings, keeping ours", () => {
    const full = JSON.parse(fullMap) as { sources: string[] };
    const trimmed = JSON.parse(trimSourceMap(fullMap)) as { sources: string[]; names: string[]; mappings: string };
    expect(full.sources.some((source) => source.includes("node_modules/libphonenumber-js"))).toBe(true);
    expect(trimmed.sources).toEqual([full.sources.find((source) => source.endsWith("entry.ts"))]);
    expect(trimmed.mappings.length).toBeLessThan(fullMap.length / 10);
  });

  it("still points a stack trace from our code at our source line, under --enable-source-maps", () => {
    writeFileSync(`${bundle}.map`, trimSourceMap(fullMap));
    const run = spawnSync(process.execPath, ["--enable-source-maps", bundle], { encoding: "utf8" });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain("thrown from our code");
    expect(run.stderr).toMatch(/entry\.ts:5:\d+/);
  });

  it("refuses what is not a flat version 3 map", () => {
    expect(() => trimSourceMap(JSON.stringify({ version: 3, sections: [] }))).toThrow(/flat version 3/);
  });
});
