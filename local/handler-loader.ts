import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Context } from "aws-lambda";

/** The repository root: the folder holding `functions/`. */
export const REPO_ROOT = fileURLToPath(new URL("..", import.meta.url));

export type LambdaHandler<Event = unknown, Result = unknown> = (event: Event, context: Context) => Promise<Result>;

const loaded = new Map<string, Promise<LambdaHandler>>();

/**
 * `functions/<id>/handler.ts`, imported once, on first use, the way Lambda loads a function: every
 * trigger the local server plays (HTTP routes, topics, schedules) goes through here. Imported
 * after the server has set the environment, because handlers compose their dependencies at module
 * scope. A failed import is retried next time.
 */
export function loadHandler<Event = unknown, Result = unknown>(id: string): Promise<LambdaHandler<Event, Result>> {
  let loading = loaded.get(id);
  if (!loading) {
    const url = pathToFileURL(join(REPO_ROOT, "functions", id, "handler.ts")).href;
    loading = import(url).then((module: { handler?: unknown }) => {
      if (typeof module.handler !== "function") throw new Error(`functions/${id}/handler.ts exports no handler function`);
      return module.handler as LambdaHandler;
    });
    loaded.set(id, loading);
    loading.catch(() => loaded.delete(id));
  }
  return loading as Promise<LambdaHandler<Event, Result>>;
}
