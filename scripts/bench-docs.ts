/**
 * `npm run bench:docs`: writes docs/performance.md's figures from bench/results.json again, without
 * measuring anything (`npm run bench` does it after each run): after a change to how they are shown.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeBenchSection, type BenchResults } from "./bench-report";
import { projectRoot } from "./bench-events";

const results = JSON.parse(readFileSync(join(projectRoot, "bench", "results.json"), "utf8")) as BenchResults;
if (!writeBenchSection(join(projectRoot, "docs", "performance.md"), results)) {
  console.error("bench/results.json lacks a section (a partial run, BENCH_SECTIONS): docs/performance.md left as it was");
  process.exit(1);
}
console.log("docs/performance.md: figures written from bench/results.json");
