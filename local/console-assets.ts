import { readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { build } from "esbuild";

/**
 * The desk console's files (`console/`), as `npm start` serves them: the page and its style sheet as
 * written, the TypeScript bundled by esbuild into one browser module, in memory. Built once per
 * server start; nothing is written to disk and nothing is fetched from elsewhere.
 */
export interface ConsoleAsset {
  contentType: string;
  body: string;
}

/** By the name the page asks for under `/console/` (`app.js`, `app.js.map`, `console.css`), and `index.html`. */
export type ConsoleAssets = ReadonlyMap<string, ConsoleAsset>;

export const CONSOLE_ENTRY = "app.ts";

export async function buildConsoleAssets(repoRoot: string): Promise<ConsoleAssets> {
  const folder = join(repoRoot, "console");
  const [bundle, page, styles] = await Promise.all([
    build({
      entryPoints: [join(folder, CONSOLE_ENTRY)],
      bundle: true,
      format: "esm",
      platform: "browser",
      target: "es2022",
      // Only these names are served: anything else the bundle referred to would fail to load.
      outdir: join(folder, ".bundle"),
      write: false,
      sourcemap: "linked",
      legalComments: "none",
      logLevel: "silent",
    }),
    readFile(join(folder, "index.html"), "utf8"),
    readFile(join(folder, "console.css"), "utf8"),
  ]);
  const assets = new Map<string, ConsoleAsset>([
    ["index.html", { contentType: "text/html; charset=utf-8", body: page }],
    ["console.css", { contentType: "text/css; charset=utf-8", body: styles }],
  ]);
  for (const file of bundle.outputFiles) {
    const name = basename(file.path);
    assets.set(name, { contentType: name.endsWith(".map") ? "application/json" : "text/javascript; charset=utf-8", body: file.text });
  }
  return assets;
}
