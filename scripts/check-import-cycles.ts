/**
 * `npm run lint`'s cycle check: no module of ours imports itself back through others, type-only
 * imports included. The rings (eslint.config.js) say which way imports may point between folders;
 * a cycle is the same fault inside one folder: two modules that are one concept split in the wrong
 * place, or a shared declaration kept in the wrong one (local-routes ↔ console-routes was that).
 * dpdm follows TypeScript's own module resolution, so what it reads is what tsc compiles.
 *
 * `tsx scripts/check-import-cycles.ts [root …]` checks the given folders (default: every source
 * folder of the repository) and exits 1, naming each cycle, when it finds one.
 */
import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCircular, parseDependencyTree } from "dpdm";

export const sourceRoots = ["shared", "functions", "infra", "local", "console", "scripts", "extensions", "bench", "test"];

/** Every import cycle among the TypeScript files under `roots` (each cycle as paths relative to `cwd`). */
export async function importCycles(roots: readonly string[], cwd = process.cwd()): Promise<string[][]> {
  const tree = await parseDependencyTree(
    roots.map((root) => `${root}/**/*.{ts,mts}`),
    // transform: false keeps `import type` edges: a cycle of types is still a cycle of concepts.
    { cwd, context: cwd, transform: false, skipDynamicImports: false, exclude: /node_modules/, tsconfig: resolve(cwd, "tsconfig.json") },
  );
  return parseCircular(tree).map((cycle) => startingAtFirst(cycle.map((file) => relative(cwd, resolve(cwd, file)))));
}

/** The same cycle read from its alphabetically first module, so a report does not depend on the walk's order. */
function startingAtFirst(cycle: string[]): string[] {
  const first = cycle.indexOf([...cycle].sort()[0]!);
  return [...cycle.slice(first), ...cycle.slice(0, first)];
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const roots = process.argv.slice(2);
  const cycles = await importCycles(roots.length > 0 ? roots : sourceRoots);
  if (cycles.length > 0) {
    console.error(`import cycles (${cycles.length}): move the shared declaration into a module both can import`);
    for (const cycle of cycles) console.error(`  ${[...cycle, cycle[0]].join(" -> ")}`);
    process.exit(1);
  }
}
