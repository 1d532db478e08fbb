import type { DevToken } from "./wire";

/**
 * Who is signed in, kept for this browser tab (sessionStorage): a second tab can be someone else,
 * an administrator beside an agent. A token past its expiry is dropped.
 */
export type Session = DevToken;

const KEY = "desk-console.session";

export function loadSession(now: Date = new Date()): Session | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? "null") as Session | null;
    if (stored && typeof stored.token === "string" && stored.expiresAt > now.toISOString()) return stored;
  } catch {
    // unreadable: sign in again
  }
  sessionStorage.removeItem(KEY);
  return undefined;
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(KEY);
}

export const isAgent = (session: Session) => session.groups.includes("agents");
export const isAdmin = (session: Session) => session.groups.includes("admins");
