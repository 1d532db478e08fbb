import { isAbsolute, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { ComposeDefaultsExtension } from "../../core/ports/compose-defaults-extension";
import { defaultComposeExtension } from "./default-compose-extension";

/**
 * Loads the deployer's extension module named by COMPOSE_EXTENSION_MODULE (a path, relative to the
 * working directory, or a file URL), or the shipped default when unset. The module's default
 * export (or its `composeDefaultsExtension` export) must implement ComposeDefaultsExtension.
 * A module that cannot be loaded fails the cold start loudly rather than silently using the default.
 */
export async function loadComposeExtension(modulePath: string | undefined): Promise<ComposeDefaultsExtension> {
  if (!modulePath) return defaultComposeExtension;
  const url = modulePath.startsWith("file:") ? modulePath : pathToFileURL(isAbsolute(modulePath) ? modulePath : resolve(modulePath)).href;
  const loaded = (await import(url)) as { default?: unknown; composeDefaultsExtension?: unknown };
  const extension = loaded.composeDefaultsExtension ?? loaded.default;
  if (!isExtension(extension)) {
    throw new Error(
      `${modulePath} must export (default or as composeDefaultsExtension) an object with a name and composeDefaults(context)`,
    );
  }
  return extension;
}

function isExtension(value: unknown): value is ComposeDefaultsExtension {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ComposeDefaultsExtension).name === "string" &&
    typeof (value as ComposeDefaultsExtension).composeDefaults === "function"
  );
}
