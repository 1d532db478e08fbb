import { randomBytes } from "node:crypto";
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { keyFromText } from "./hmac-number-hasher";

/**
 * The local privacy key (`npm start`, tests, `sam local invoke`): a file of 64 random hex
 * characters, made on first use, readable by its owner only. Two processes making it at once
 * agree: the file appears whole (hard link of a finished temporary file) or not at all, and the
 * loser reads the winner's.
 */
export function loadOrCreateKeyFile(path: string): Buffer {
  try {
    return keyFromText(readFileSync(path, "utf8"), path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(temporary, `${randomBytes(32).toString("hex")}\n`, { mode: 0o600 });
  try {
    linkSync(temporary, path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  } finally {
    rmSync(temporary, { force: true });
  }
  return keyFromText(readFileSync(path, "utf8"), path);
}
