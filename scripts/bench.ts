/**
 * `npm run bench`: the figures that matter for cold starts and hot paths, measured, never asserted
 * in unit tests. For each route: the minified ESM bundle the stack would deploy (same esbuild
 * settings) and the time a fresh Node process takes to import it (a proxy for Lambda's init).
 * Then phone normalisation throughput.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import { esmRequireBanner } from "../infra/endpoint-function";
import { routeList } from "../shared/adapters/http/routes";
import { normalisePhoneNumber } from "../shared/core/rules/normalise-phone-number";

const outDir = mkdtempSync(join(tmpdir(), "sms-bench-"));
const importRuns = 5;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

console.log(`route bundles (esbuild, minified ESM, node22) and import time (median of ${importRuns} fresh processes)\n`);
console.log("route".padEnd(24), "bundle KB".padStart(10), "import ms".padStart(10));
const rows: { id: string; kb: number; ms: number }[] = [];
for (const route of routeList) {
  const outfile = join(outDir, route.id, "index.mjs");
  await build({
    entryPoints: [`functions/${route.id}/handler.ts`],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    mainFields: ["module", "main"],
    minify: true,
    banner: { js: esmRequireBanner },
    outfile,
    logLevel: "error",
  });
  const kb = statSync(outfile).size / 1024;
  const probe = join(outDir, route.id, "probe.mjs");
  writeFileSync(probe, `const t=performance.now();await import(${JSON.stringify(outfile)});console.log(performance.now()-t);`);
  const times: number[] = [];
  for (let i = 0; i < importRuns; i++) {
    const out = execFileSync(process.execPath, [probe], {
      env: { ...process.env, TABLE_NAME: "bench", AWS_REGION: "eu-west-1", AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    });
    times.push(Number(String(out).trim()));
  }
  rows.push({ id: route.id, kb, ms: median(times) });
  console.log(route.id.padEnd(24), kb.toFixed(0).padStart(10), median(times).toFixed(0).padStart(10));
}
const largest = rows.reduce((a, b) => (b.kb > a.kb ? b : a));
console.log(`\nlargest bundle: ${largest.id}, ${largest.kb.toFixed(0)} KB`);
rmSync(outDir, { recursive: true, force: true });

const samples = ["+14155550171", "(415) 555-0171", "+52 1 55 1234 5678", "020 7946 0958", "00 49 30 123456", "not a number"];
const iterations = 20_000;
const started = performance.now();
for (let i = 0; i < iterations; i++) {
  normalisePhoneNumber({ phoneNumber: samples[i % samples.length]!, requestCountry: i % 2 ? "GB" : undefined, defaultCountry: "US" });
}
const elapsed = performance.now() - started;
console.log(
  `\nphone normalisation: ${iterations} numbers in ${elapsed.toFixed(0)} ms (${((elapsed * 1000) / iterations).toFixed(1)} µs each)`,
);
